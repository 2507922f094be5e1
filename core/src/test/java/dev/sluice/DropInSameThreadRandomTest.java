package dev.sluice;

import static dev.sluice.DropIn.exec;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.sqlite.SQLiteException;

/**
 * Random sequences of transactions on two connections driven by one thread, in turn, as nested
 * {@code REQUIRES_NEW} transactions and interleaved units of work are: each step picks a connection
 * and begins, reads, writes, commits or rolls back on it; the steps and the file's rows at the end
 * must be the same on plain sqlite-jdbc (in WAL, as Sluice always runs) and Sluice, through {@link
 * DropIn#same}. A transaction that has only read steps aside there for the other connection's write
 * (design.md "A transaction that has only read").
 *
 * <p>Inside a transaction a step may open a query's result set and later steps read it on a row at
 * a time, while the other connection writes (issue 22: the result set steps aside with its
 * transaction); it is closed before its own connection writes or ends the transaction.
 *
 * <p>Not drawn, by design: a write of one connection while the other's transaction has written.
 * Plain then waits out its busy timeout and fails, where Sluice answers 25001 at once (rule 6).
 */
class DropInSameThreadRandomTest {
  private static final int STEPS = 40;

  static LongStream seeds() {
    return DropIn.seeds(0, 60);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void twoConnectionsOnOneThreadEndAsOnPlain(long seed) throws Exception {
    DropIn.same(db -> script(db, seed));
  }

  /**
   * The same with both connections from a HikariCP pool over each driver's URL, as applications
   * pool them (the pool resets auto-commit and rolls back what is left when a connection returns).
   */
  @ParameterizedTest(name = "seed {0}")
  @MethodSource("pooledSeeds")
  void twoPooledConnectionsOnOneThreadEndAsOnPlain(long seed) throws Exception {
    DropIn.same(db -> script(db, seed, true));
  }

  static LongStream pooledSeeds() {
    return DropIn.seeds(5_000, 30);
  }

  /** One connection's transaction as the script sees it, on either driver alike. */
  private static final class Side {
    final String name;
    final Connection c;
    boolean autoCommit = true;

    /** A transaction SQL text began ({@code BEGIN}) is open. */
    boolean textTx;

    /** A write ran (or failed after taking the write lock) in the open transaction. */
    boolean wrote;

    Side(String name, Connection c) {
      this.name = name;
      this.c = c;
    }

    boolean inTx() {
      return !autoCommit || textTx;
    }

    /** Savepoints set through JDBC in the open transaction, released or not, oldest first. */
    final List<Savepoint> savepoints = new ArrayList<>();

    /** A query's result set left open inside the transaction, read a row at a time. */
    Statement cursorStatement;

    ResultSet cursor;

    /**
     * Closes the open result set, before anything that ends the transaction or writes on this
     * connection: plain's cursor would then read on in another state (design.md "A transaction that
     * has only read").
     */
    void closeCursor() throws SQLException {
      if (cursorStatement != null) {
        cursorStatement.close();
        cursorStatement = null;
        cursor = null;
      }
    }
  }

  static List<Object> script(DropIn.Db db, long seed) throws SQLException {
    return script(db, seed, false);
  }

  static List<Object> script(DropIn.Db db, long seed, boolean pooled) throws SQLException {
    String url =
        db.target() == DropIn.Target.PLAIN
            ? db.url() + "?journal_mode=WAL&busy_timeout=100"
            : db.url();
    Side a;
    Side b;
    if (pooled) {
      // Through the run's own tracking, so that the engine behind Sluice's URL closes at its end.
      db.connect(url).close();
      HikariConfig config = new HikariConfig();
      config.setJdbcUrl(url);
      config.setPoolName(db.dir().getFileName() + "-pool");
      config.setMaximumPoolSize(2);
      config.setConnectionTimeout(10_000);
      HikariDataSource pool = db.track(new HikariDataSource(config));
      a = new Side("a", db.track(pool.getConnection()));
      exec(a.c, "CREATE TABLE t (k INTEGER PRIMARY KEY, v INTEGER NOT NULL CHECK (v >= 0))");
      exec(a.c, "INSERT INTO t VALUES (1, 5), (2, 5)");
      b = new Side("b", db.track(pool.getConnection()));
    } else {
      a = new Side("a", db.connect(url));
      exec(a.c, "CREATE TABLE t (k INTEGER PRIMARY KEY, v INTEGER NOT NULL CHECK (v >= 0))");
      exec(a.c, "INSERT INTO t VALUES (1, 5), (2, 5)");
      b = new Side("b", db.connect(url));
    }
    SplittableRandom random = new SplittableRandom(seed);
    List<Object> out = new ArrayList<>();
    for (int i = 0; i < STEPS; i++) {
      boolean first = random.nextBoolean();
      Side me = first ? a : b;
      Side other = first ? b : a;
      int kind = random.nextInt(18);
      int k = 1 + random.nextInt(4);
      String step = i + " " + me.name + " #" + kind + " k" + k + ": ";
      boolean write = kind >= 5 && kind <= 9;
      if ((write && other.inTx() && other.wrote)
          // JDBC's transaction calls beside one SQL text began: plain turns auto-commit off
          // before its BEGIN fails, a state this script does not follow
          || (kind <= 3 && me.textTx)
          || (kind == 10 && me.inTx())
          || ((kind == 11 || kind == 12) && !me.textTx)
          || (kind >= 13 && kind <= 14 && !me.inTx())
          // savepoints through JDBC inside a JDBC transaction (one set in auto-commit begins a
          // transaction as SQL text does: the state this script does not follow)
          || (kind >= 15 && (me.autoCommit || me.textTx))
          || (kind >= 16 && me.savepoints.isEmpty())) {
        out.add(step + "skipped");
        continue;
      }
      try {
        // A savepoint set or released beside an open result set, as a loop with Spring's NESTED
        // per row does.
        if (kind != 4 && kind != 14 && kind != 15 && kind != 17) {
          me.closeCursor();
        }
        out.add(step + run(me, kind, k));
        if (write && me.inTx()) {
          me.wrote = true;
        }
      } catch (SQLException e) {
        out.add(step + failure(e));
        if (write && me.inTx() && !isStaleSnapshot(e)) {
          me.wrote = true;
        }
      }
    }
    for (Side s : List.of(a, b)) {
      s.closeCursor();
      if (s.textTx) {
        exec(s.c, "ROLLBACK");
      }
      if (!s.autoCommit) {
        s.c.rollback();
        s.c.setAutoCommit(true);
      }
    }
    return out;
  }

  private static String run(Side s, int kind, int k) throws SQLException {
    Connection c = s.c;
    switch (kind) {
      case 0:
        c.setAutoCommit(false);
        if (s.autoCommit) {
          s.autoCommit = false;
          s.wrote = false;
          s.savepoints.clear();
        }
        return "begin";
      case 1:
        c.setAutoCommit(true);
        s.autoCommit = true;
        s.wrote = false;
        s.savepoints.clear();
        return "auto-commit";
      case 2:
        if (s.autoCommit) {
          return "no transaction";
        }
        s.wrote = false;
        s.savepoints.clear();
        c.commit();
        return "committed";
      case 3:
        if (s.autoCommit) {
          return "no transaction";
        }
        s.wrote = false;
        s.savepoints.clear();
        c.rollback();
        return "rolled back";
      case 4:
        try (Statement st = c.createStatement();
            ResultSet r = st.executeQuery("SELECT count(*), sum(v) FROM t")) {
          r.next();
          return "read " + r.getLong(1) + " " + r.getLong(2);
        }
      case 5:
        try (Statement st = c.createStatement()) {
          return "inserted " + st.executeUpdate("INSERT INTO t VALUES (" + k + ", 1)");
        }
      case 6:
        try (Statement st = c.createStatement()) {
          return "updated " + st.executeUpdate("UPDATE t SET v = v - 3 WHERE k = " + k);
        }
      case 7:
        try (Statement st = c.createStatement()) {
          return "deleted " + st.executeUpdate("DELETE FROM t WHERE k = " + k);
        }
      case 8:
        try (Statement st = c.createStatement()) {
          // Never fails on its own: a failing auto-commit batch keeps its earlier entries on
          // plain and nothing on Sluice (rule 5, DropInTest).
          st.addBatch("UPDATE t SET v = v + 2 WHERE k = " + k);
          st.addBatch("INSERT OR REPLACE INTO t VALUES (" + (10 + k) + ", 0)");
          return "batch " + java.util.Arrays.toString(st.executeBatch());
        }
      case 9:
        try (Statement st = c.createStatement()) {
          return "moved " + st.executeUpdate("UPDATE t SET v = v + 1 WHERE k = " + k);
        }
      case 10:
        exec(c, k % 2 == 0 ? "BEGIN" : "BEGIN DEFERRED TRANSACTION");
        s.textTx = true;
        s.wrote = false;
        return "text begin";
      case 11:
      case 12:
        s.textTx = false;
        s.wrote = false;
        exec(c, kind == 11 ? "COMMIT" : "ROLLBACK");
        return kind == 11 ? "text commit" : "text rollback";
      case 13:
        s.cursorStatement = c.createStatement();
        s.cursor = s.cursorStatement.executeQuery("SELECT k, v FROM t ORDER BY k");
        return "cursor " + row(s.cursor);
      case 14:
        return s.cursor == null ? "no cursor" : "cursor next " + row(s.cursor);
      case 15:
        // Names repeat and differ in case only, as SQLite matches them
        s.savepoints.add(
            k == 4
                ? c.setSavepoint()
                : c.setSavepoint(k % 2 == 0 ? "p" + k / 2 : "P" + (k + 1) / 2));
        return "savepoint " + s.savepoints.size();
      case 16:
        c.rollback(s.savepoints.get(k % s.savepoints.size()));
        return "rolled back to " + k % s.savepoints.size();
      default:
        c.releaseSavepoint(s.savepoints.get(k % s.savepoints.size()));
        return "released " + k % s.savepoints.size();
    }
  }

  private static String row(ResultSet r) throws SQLException {
    return r.next() ? r.getLong(1) + "=" + r.getLong(2) : "end";
  }

  private static boolean isStaleSnapshot(SQLException e) {
    Throwable t = e instanceof java.sql.BatchUpdateException ? e.getCause() : e;
    return t instanceof SQLiteException s
        && s.getResultCode() == org.sqlite.SQLiteErrorCode.SQLITE_BUSY_SNAPSHOT;
  }

  /** A failure as both drivers give it: SQLite's result code, else the class and vendor code. */
  private static String failure(SQLException e) {
    SQLException first =
        e instanceof java.sql.BatchUpdateException b
                && b.getCause() != null
                && b.getCause() instanceof SQLException cause
            ? cause
            : e;
    String batch = first != e ? "batch " : "";
    return first instanceof SQLiteException s
        ? "failed " + batch + s.getResultCode().name()
        : "failed " + first.getClass().getSimpleName() + " " + first.getErrorCode();
  }
}
