package dev.sluice;

import static dev.sluice.DropIn.exec;
import static dev.sluice.DropIn.rows;

import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Random sequences of everyday JDBC calls on one connection, each run on plain sqlite-jdbc and on
 * Sluice through {@link DropIn#same}: auto-commit switched on and off, commits and rollbacks (also
 * where plain refuses them), savepoints, inserts with their keys, updates and deletes that succeed
 * or break a constraint, batches, reads of {@code changes()} and {@code last_insert_rowid()},
 * transaction control in SQL text, a query method given a write and the reverse, a connection
 * closed with its transaction open and opened again. Every call's result or failure (vendor code;
 * the SQLState where both drivers give one, design.md "Errors") and the file's rows at the end must
 * be the same. The operation chosen never depends on a result, so both drivers run the same
 * sequence. Seeds are fixed: a failure names its seed, which replays it.
 *
 * <p>Not covered here, by design: a second connection writing while the first holds a transaction.
 * Plain sqlite-jdbc then waits out its busy timeout and fails, where Sluice answers 25001 at once
 * (design.md "No waits in a cycle").
 */
class DropInRandomTest {
  private static final int OPERATIONS = 60;

  private static final int KINDS = 36;

  static LongStream seeds() {
    return DropIn.seeds(0, 100);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void aRandomSequenceOfCallsEndsAsOnPlain(long seed) throws Exception {
    DropIn.same(db -> script(db, seed, false));
  }

  /**
   * The same through a HikariCP pool over each driver's URL, as applications pool: closing and
   * opening again hands back the pooled connection, which the pool has reset.
   */
  @ParameterizedTest(name = "seed {0}")
  @MethodSource("pooledSeeds")
  void aRandomSequenceOfCallsThroughHikariCpEndsAsOnPlain(long seed) throws Exception {
    DropIn.same(db -> script(db, seed, true));
  }

  static LongStream pooledSeeds() {
    return DropIn.seeds(1_000, 50);
  }

  /** The same through each driver's own {@code DataSource}: sqlite-jdbc's, Sluice's builder. */
  @ParameterizedTest(name = "seed {0}")
  @MethodSource("dataSourceSeeds")
  void aRandomSequenceOfCallsThroughADataSourceEndsAsOnPlain(long seed) throws Exception {
    DropIn.same(db -> script(db, seed, db.dataSource()::getConnection, false));
  }

  static LongStream dataSourceSeeds() {
    return DropIn.seeds(2_000, 30);
  }

  static List<Object> script(DropIn.Db db, long seed, boolean pooled) throws SQLException {
    if (pooled) {
      javax.sql.DataSource pool = db.hikari(2, null);
      return script(db, seed, pool::getConnection, true);
    }
    return script(db, seed, db::connect, false);
  }

  private static List<Object> script(DropIn.Db db, long seed, Opener open, boolean pooled)
      throws SQLException {
    try (Connection setup = db.connect()) {
      exec(
          setup,
          "CREATE TABLE t (k INTEGER UNIQUE, v INTEGER NOT NULL CHECK (v >= 0))",
          "CREATE TABLE note (id INTEGER PRIMARY KEY AUTOINCREMENT, text TEXT NOT NULL)");
    }
    SplittableRandom random = new SplittableRandom(seed);
    List<Object> out = new ArrayList<>();
    List<Savepoint> savepoints = new ArrayList<>();
    Connection c = open.get();
    // A second connection reads at any time, and writes only while the first cannot hold a
    // transaction (from its opening until it turns auto-commit off, sets a savepoint or runs
    // SQL text): plain would wait out its busy timeout there, Sluice answers at once (see above).
    Connection other = open.get();
    boolean mayHoldTransaction = false;
    // A result set kept open across the calls that follow, read a row at a time.
    Cursor cursor = new Cursor();
    // Whether c has run no SQL yet since it was opened.
    boolean fresh = true;
    for (int i = 0; i < OPERATIONS; i++) {
      int kind = random.nextInt(KINDS);
      int k = random.nextInt(6);
      int pick = random.nextInt(4);
      String step = i + " #" + kind + " k" + k + ": ";
      if (fresh && kind == 10) {
        // A fresh connection whose first statement is a SAVEPOINT, later rolled back past a
        // user_version write, loses its schema on plain; Sluice deliberately does not copy that
        // (design.md "Deliberately not copied", DropInStatementApiTest). Read as an application's
        // first query does, uncompared.
        long unused = DropIn.one(c, "SELECT count(*) FROM t");
      }
      fresh &= kind == 19 || kind == 22 || kind == 23;
      mayHoldTransaction |= kind == 0 || kind == 10 || kind == 14 || kind == 15;
      try {
        out.add(
            step
                + (kind >= 32
                    ? statements(c, kind, k, pick)
                    : kind >= 29
                        ? cursor.call(c, kind)
                        : kind >= 22
                            ? more(
                                c,
                                other,
                                kind,
                                k,
                                pick,
                                i,
                                !mayHoldTransaction,
                                cursor.rows == null)
                            : call(c, kind, k, pick, savepoints)));
        cursor.after(kind);
        if (kind == 17) {
          c = open.get(); // the call closed the connection
          fresh = true;
          savepoints.clear();
          // and its result sets: plain's next() then answers false, Sluice's throws (design.md)
          cursor.rows = null;
          // a pool leaves a transaction SQL text began in auto-commit open on the connection
          mayHoldTransaction &= pooled;
        }
      } catch (SQLException e) {
        cursor.after(kind);
        out.add(step + DropIn.failedStep(e));
        if (kind == 17) {
          c = open.get();
          fresh = true;
          savepoints.clear();
          cursor.rows = null;
          mayHoldTransaction &= pooled;
        }
      }
    }
    out.add("count " + DropIn.one(c, "SELECT count(*) FROM t"));
    out.add("autoCommit " + c.getAutoCommit());
    c.close();
    other.close();
    return out;
  }

  /**
   * The result set kept open, and whether its rows still compare: one opened in auto-commit reads
   * its snapshot on Sluice while plain's scan meets its own connection's later writes, a documented
   * difference (design.md "Deliberately different: a result set opened in auto-commit", {@code
   * DropInEdgesTest}). After such a write its rows are read but not compared, so that a longer
   * search ({@code -Ddropin.seeds}) reports only what is not documented.
   */
  private static final class Cursor {
    /** Calls that may change the rows of {@code t} on the connection (or undo changes of it). */
    private static final long WRITES = bits(3, 4, 5, 6, 7, 11, 13, 15, 20, 25, 34);

    ResultSet rows;
    private boolean snapshot;
    private boolean besideWrites;

    private static long bits(int... kinds) {
      long b = 0;
      for (int kind : kinds) {
        b |= 1L << kind;
      }
      return b;
    }

    /** After each call of the script, whether it succeeded or not. */
    void after(int kind) {
      if (rows != null && snapshot && (WRITES & (1L << kind)) != 0) {
        besideWrites = true;
      }
    }

    /** Opens, reads a row of, or closes the result set kept open; kind 29 opens a new one. */
    String call(Connection c, int kind) throws SQLException {
      if (kind == 29) {
        if (rows != null) {
          rows.getStatement().close();
          rows = null;
        }
        Statement s = c.createStatement();
        // Not an INSERT ... RETURNING left open: beside that write in progress plain's connection
        // refuses or fails much of what follows in ways this test does not model (DropInTest has
        // the N+1 case).
        snapshot = c.getAutoCommit();
        besideWrites = false;
        rows = s.executeQuery("SELECT k, v FROM t ORDER BY k");
        return "opened";
      }
      if (rows == null) {
        return "no cursor";
      }
      if (kind == 30) {
        if (besideWrites) {
          try {
            boolean unused = rows.next();
          } catch (SQLException e) {
            // plain's scan may fail beside a rollback (SQLITE_ABORT), design.md
          }
          return "a row read beside its connection's writes";
        }
        return rows.next() ? "row " + rows.getString(1) + "|" + rows.getString(2) : "end";
      }
      Statement s = rows.getStatement();
      rows = null;
      s.close();
      return "closed cursor";
    }
  }

  /** Statement settings, several statements in one string, keys by column name, RETURNING. */
  private static String statements(Connection c, int kind, int k, int pick) throws SQLException {
    switch (kind) {
      case 32:
        try (Statement s = c.createStatement()) {
          s.setMaxRows(pick);
          try (ResultSet r = s.executeQuery("SELECT k FROM t ORDER BY k")) {
            return "max " + pick + " " + rows(r);
          }
        }
      case 33:
        try (PreparedStatement p = c.prepareStatement("SELECT k FROM t WHERE k >= ? ORDER BY k")) {
          p.setMaxRows(pick);
          p.setInt(1, k % 3);
          try (ResultSet r = p.executeQuery()) {
            return "max " + pick + " " + rows(r);
          }
        }
      case 34:
        try (Statement s = c.createStatement()) {
          boolean result =
              s.execute(
                  "INSERT INTO note (text) VALUES ('a"
                      + k
                      + "'); UPDATE t SET v = v + 1 WHERE k = "
                      + k);
          String answer = "multiple " + result + " " + s.getUpdateCount();
          return answer + " more " + s.getMoreResults() + " " + s.getUpdateCount();
        }
      default:
        if (pick % 2 == 0) {
          try (Statement s = c.createStatement();
              ResultSet r =
                  s.executeQuery("INSERT INTO note (text) VALUES ('r" + k + "') RETURNING id")) {
            return "returned " + rows(r);
          }
        }
        try (PreparedStatement p =
            c.prepareStatement("INSERT INTO note (text) VALUES (?)", new String[] {"id"})) {
          p.setString(1, "named " + k);
          int n = p.executeUpdate();
          try (ResultSet keys = p.getGeneratedKeys()) {
            return "named " + n + " keys " + rows(keys);
          }
        }
    }
  }

  /** Calls of a second connection, pragmas and schema changes. */
  private static String more(
      Connection c,
      Connection other,
      int kind,
      int k,
      int pick,
      int step,
      boolean noTransaction,
      boolean noCursor)
      throws SQLException {
    // Beside a result set left open, plain's one connection holds a read lock of its own: another
    // connection's write waits out the busy timeout and fails (SQLITE_BUSY), a DROP TABLE fails
    // (SQLITE_LOCKED); Sluice reads on a reader, and both succeed (design.md, on purpose).
    boolean otherMayWrite = noTransaction && noCursor;
    switch (kind) {
      case 22:
        try (Statement s = other.createStatement();
            ResultSet r = s.executeQuery("SELECT count(*), coalesce(sum(v), 0) FROM t")) {
          return "other read " + rows(r);
        }
      case 23:
        if (!otherMayWrite) {
          try (Statement s = other.createStatement();
              ResultSet r = s.executeQuery("SELECT count(*) FROM note")) {
            return "other read " + rows(r);
          }
        }
        try (PreparedStatement p =
            other.prepareStatement(
                "INSERT INTO note (text) VALUES (?)", Statement.RETURN_GENERATED_KEYS)) {
          p.setString(1, "other " + k);
          int n = p.executeUpdate();
          try (ResultSet keys = p.getGeneratedKeys()) {
            return "other noted " + n + " keys " + rows(keys);
          }
        }
      case 24:
        try (Statement s = c.createStatement()) {
          s.execute("PRAGMA user_version = " + (k + 1));
        }
        try (Statement s = c.createStatement();
            ResultSet r = s.executeQuery("PRAGMA user_version")) {
          return "user_version " + rows(r);
        }
      case 25:
        try (Statement s = c.createStatement()) {
          s.execute("ALTER TABLE t ADD COLUMN c" + step + " INTEGER DEFAULT " + k);
          return "altered";
        }
      case 26:
        if (pick % 2 == 0) {
          try (Statement s = c.createStatement();
              ResultSet r = s.executeQuery("SELECT * FROM t ORDER BY k")) {
            return "rows " + rows(r);
          }
        }
        try (PreparedStatement p = c.prepareStatement("SELECT * FROM t WHERE k >= ? ORDER BY k")) {
          p.setInt(1, k);
          try (ResultSet r = p.executeQuery()) {
            return "rows " + rows(r);
          }
        }
      case 27:
        if (!noCursor) {
          return "no DDL beside the open result set";
        }
        try (Statement s = c.createStatement()) {
          s.execute(pick % 2 == 0 ? "CREATE TABLE IF NOT EXISTS x (a)" : "DROP TABLE IF EXISTS x");
          return "ddl";
        }
      default:
        try (PreparedStatement p = c.prepareStatement("INSERT INTO x (a) VALUES (?)")) {
          p.setInt(1, k);
          return "x inserted " + p.executeUpdate();
        }
    }
  }

  /** One call; returns what it answered as a string. Kind 17 closes {@code c}. */
  private static String call(Connection c, int kind, int k, int pick, List<Savepoint> savepoints)
      throws SQLException {
    switch (kind) {
      case 0:
        c.setAutoCommit(false);
        return "autoCommit off";
      case 1:
        c.setAutoCommit(true);
        return "autoCommit on";
      case 2:
        c.commit();
        return "committed";
      case 3:
        c.rollback();
        return "rolled back";
      case 4:
        try (PreparedStatement p =
            c.prepareStatement(
                "INSERT INTO t (k, v) VALUES (?, ?)", Statement.RETURN_GENERATED_KEYS)) {
          p.setInt(1, k);
          p.setInt(2, pick * 3);
          int n = p.executeUpdate();
          try (ResultSet keys = p.getGeneratedKeys()) {
            return "inserted " + n + " keys " + rows(keys);
          }
        }
      case 5:
        return "updated " + update(c, "UPDATE t SET v = v + 1 WHERE k = ?", k);
      case 6:
        // breaks the CHECK where v < 5
        return "updated " + update(c, "UPDATE t SET v = v - 5 WHERE k = ?", k);
      case 7:
        return "deleted " + update(c, "DELETE FROM t WHERE k = ?", k);
      case 8:
        try (Statement s = c.createStatement();
            ResultSet r = s.executeQuery("SELECT count(*), coalesce(sum(v), 0) FROM t")) {
          return "read " + rows(r);
        }
      case 9:
        try (PreparedStatement p = c.prepareStatement("SELECT v FROM t WHERE k = ?")) {
          p.setInt(1, k);
          try (ResultSet r = p.executeQuery()) {
            return "read " + rows(r);
          }
        }
      case 10:
        savepoints.add(pick % 2 == 0 ? c.setSavepoint() : c.setSavepoint("s" + k));
        return "savepoint " + savepoints.size();
      case 11:
        if (savepoints.isEmpty()) {
          return "no savepoint";
        }
        c.rollback(savepoints.get(pick % savepoints.size()));
        return "rolled back to " + (pick % savepoints.size());
      case 12:
        if (savepoints.isEmpty()) {
          return "no savepoint";
        }
        c.releaseSavepoint(savepoints.remove(pick % savepoints.size()));
        return "released";
      case 13:
        // OR IGNORE: an auto-commit batch that fails is atomic on Sluice, on purpose (rule 5)
        try (PreparedStatement p =
            c.prepareStatement("INSERT OR IGNORE INTO t (k, v) VALUES (?, ?)")) {
          for (int j = 0; j <= pick; j++) {
            p.setInt(1, (k + j) % 6);
            p.setInt(2, j);
            p.addBatch();
          }
          return "batch " + Arrays.toString(p.executeBatch());
        } catch (BatchUpdateException e) {
          return "batch failed "
              + DropIn.failedStep(e)
              + " "
              + Arrays.toString(e.getUpdateCounts());
        }
      case 14:
        return "text " + text(c, pick % 2 == 0 ? "BEGIN" : "BEGIN IMMEDIATE");
      case 15:
        return "text " + text(c, pick % 2 == 0 ? "COMMIT" : "ROLLBACK");
      case 16:
        try (Statement s = c.createStatement();
            ResultSet r = s.executeQuery("SELECT last_insert_rowid(), changes()")) {
          return "read " + rows(r);
        }
      case 17:
        c.close();
        return "closed";
      case 18:
        try (Statement s = c.createStatement()) {
          int n =
              s.executeUpdate(
                  "INSERT INTO note (text) VALUES ('n" + k + "')", Statement.RETURN_GENERATED_KEYS);
          try (ResultSet keys = s.getGeneratedKeys()) {
            return "noted " + n + " keys " + rows(keys);
          }
        }
      case 19:
        return "autoCommit " + c.getAutoCommit();
      case 20:
        try (Statement s = c.createStatement();
            ResultSet r = s.executeQuery("DELETE FROM t WHERE k = " + k)) {
          return "query of a write " + rows(r);
        }
      default:
        try (Statement s = c.createStatement()) {
          boolean result = s.execute(pick % 2 == 0 ? "SELECT count(*) FROM t" : "DELETE FROM note");
          return "execute " + result + " count " + s.getUpdateCount();
        }
    }
  }

  /** Where the script's connections come from. */
  @FunctionalInterface
  private interface Opener {
    Connection get() throws SQLException;
  }

  private static int update(Connection c, String sql, int k) throws SQLException {
    try (PreparedStatement p = c.prepareStatement(sql)) {
      p.setInt(1, k);
      return p.executeUpdate();
    }
  }

  private static String text(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      return s.execute(sql) + " " + s.getUpdateCount();
    }
  }
}
