package dev.sluice;

import static dev.sluice.DropIn.exec;
import static dev.sluice.DropIn.one;
import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.sluice.DropIn.Failure;
import dev.sluice.DropIn.Outcome;
import dev.sluice.DropIn.Target;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * Drop-in patterns on one thread, each written as an application writes it and run through {@link
 * DropIn} against plain sqlite-jdbc and Sluice: design.md "Fidelity" says the outcomes are equal.
 */
class DropInTest {

  private static void createAccounts(Connection c) throws SQLException {
    exec(
        c,
        "CREATE TABLE account (id INTEGER PRIMARY KEY,"
            + " balance INTEGER NOT NULL CHECK (balance >= 0))",
        "INSERT INTO account VALUES (1, 100), (2, 0)");
  }

  /**
   * Moves {@code amount} from account 1 to 2, crediting first; rolls back on failure. Returns the
   * failure's vendor code, 0 when committed.
   */
  private static int transfer(Connection c, long amount) throws SQLException {
    c.setAutoCommit(false);
    try (PreparedStatement move =
        c.prepareStatement("UPDATE account SET balance = balance + ? WHERE id = ?")) {
      move.setLong(1, amount);
      move.setInt(2, 2);
      move.executeUpdate();
      move.setLong(1, -amount);
      move.setInt(2, 1);
      move.executeUpdate();
      c.commit();
      return 0;
    } catch (SQLException e) {
      c.rollback();
      return e.getErrorCode();
    } finally {
      c.setAutoCommit(true);
    }
  }

  private static void createRows(Connection c, int rows) throws SQLException {
    exec(c, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)");
    try (PreparedStatement insert = c.prepareStatement("INSERT INTO t (id, v) VALUES (?, ?)")) {
      for (int i = 1; i <= rows; i++) {
        insert.setInt(1, i);
        insert.setString(2, "v" + i);
        insert.addBatch();
      }
      insert.executeBatch();
    }
  }

  @Test
  void hikariTransferThatBreaksACheckRollsBackUnderAnInitPragma() throws Exception {
    Outcome outcome =
        DropIn.same(
            db -> {
              // Given a HikariCP pool whose connections turn foreign keys on
              HikariDataSource pool = db.hikari(2, "PRAGMA foreign_keys=ON");
              try (Connection c = pool.getConnection()) {
                createAccounts(c);
              }
              // When a transfer credits 500 and its debit breaks the CHECK
              int code;
              try (Connection c = pool.getConnection()) {
                code = transfer(c, 500);
              }
              try (Connection c = pool.getConnection()) {
                return List.of(code, one(c, "SELECT sum(balance) FROM account"));
              }
            });
    // Then it failed with SQLITE_CONSTRAINT and the total stays 100
    assertThat(outcome.result()).containsExactly("19", "100");
  }

  @Test
  void transferRollsBackOnAConnectionThatOnceHadATempTable() throws Exception {
    Outcome outcome =
        DropIn.same(
            db -> {
              // Given a connection that created and dropped a TEMP table
              Connection c = db.connect();
              createAccounts(c);
              exec(c, "CREATE TEMP TABLE scratch (x)", "DROP TABLE scratch");
              // When a transfer breaks the CHECK on it
              int code = transfer(c, 500);
              return List.of(code, one(c, "SELECT sum(balance) FROM account"));
            });
    // Then it rolled back
    assertThat(outcome.result()).containsExactly("19", "100");
  }

  @Test
  void savepointReleasedInSqlTextLeavesTransfersRollingBack() throws Exception {
    Outcome outcome =
        DropIn.same(
            db -> {
              // Given a connection that ran SAVEPOINT and RELEASE as SQL text
              Connection c = db.connect();
              createAccounts(c);
              exec(c, "SAVEPOINT a", "RELEASE a");
              // When a transfer breaks the CHECK on it
              int code = transfer(c, 500);
              return List.of(code, one(c, "SELECT sum(balance) FROM account"));
            });
    // Then it rolled back
    assertThat(outcome.result()).containsExactly("19", "100");
  }

  @Test
  void lookupPerRowOfAnOpenResultSetOnOneConnection() throws Exception {
    Outcome outcome =
        DropIn.same(
            db -> {
              // Given 20 rows
              Connection c = db.connect();
              createRows(c, 20);
              // When each id of an open result set is looked up on the same connection
              List<String> values = new ArrayList<>();
              try (Statement outer = c.createStatement();
                  ResultSet ids = outer.executeQuery("SELECT id FROM t ORDER BY id");
                  PreparedStatement inner = c.prepareStatement("SELECT v FROM t WHERE id = ?")) {
                while (ids.next()) {
                  inner.setInt(1, ids.getInt(1));
                  try (ResultSet v = inner.executeQuery()) {
                    values.add(v.next() ? v.getString(1) : "no row");
                  }
                }
              }
              return values;
            });
    // Then every lookup answered
    assertThat(outcome.result()).hasSize(20).doesNotContain("no row");
  }

  @Test
  void twelveResultSetsOpenAtOnceOnOneConnection() throws Exception {
    Outcome outcome =
        DropIn.same(
            db -> {
              // Given 12 rows, reached through the data source
              Connection c = db.track(db.dataSource().getConnection());
              createRows(c, 12);
              // When 12 queries are open at once
              List<ResultSet> open = new ArrayList<>();
              for (int i = 1; i <= 12; i++) {
                PreparedStatement p = c.prepareStatement("SELECT v FROM t WHERE id = ?");
                p.setInt(1, i);
                open.add(p.executeQuery());
              }
              List<String> values = new ArrayList<>();
              for (ResultSet r : open) {
                values.add(r.next() ? r.getString(1) : "no row");
                r.getStatement().close();
              }
              return values;
            });
    // Then each is readable
    assertThat(outcome.result()).hasSize(12).doesNotContain("no row");
  }

  @Test
  void insertPerRowOfAnOpenInsertReturningFailsAsOnPlain() throws Exception {
    Failure sluice =
        DropIn.sameVendorCode(
            db -> {
              // Given parents and children
              Connection c = db.connect();
              exec(
                  c,
                  "CREATE TABLE parent (id INTEGER PRIMARY KEY, name TEXT)",
                  "CREATE TABLE child (parent_id INTEGER, note TEXT)");
              // When a child is inserted per row of an open INSERT … RETURNING
              try (Statement s = c.createStatement();
                  ResultSet ids =
                      s.executeQuery(
                          "INSERT INTO parent (name) VALUES ('a'), ('b'), ('c') RETURNING id");
                  PreparedStatement child =
                      c.prepareStatement("INSERT INTO child VALUES (?, 'x')")) {
                while (ids.next()) {
                  child.setInt(1, ids.getInt(1));
                  child.executeUpdate();
                }
              }
              return List.of();
            });
    // Then it failed with SQLITE_BUSY as plain does (nothing stored), with Sluice's SQLState
    assertThat(sluice.vendorCode()).isEqualTo(5);
    assertThat(sluice.type()).isEqualTo(org.sqlite.SQLiteException.class.getName());
    assertThat(sluice.sqlState()).isEqualTo("40001");
  }

  @Test
  void lastInsertRowidAfterAnUpsertThatOnlyUpdated() throws Exception {
    Outcome outcome =
        DropIn.same(
            db -> {
              // Given connection A inserted id 1, then connection B inserted id 777
              Connection a = db.connect();
              Connection b = db.connect();
              exec(a, "CREATE TABLE kv (id INTEGER PRIMARY KEY, v TEXT)");
              exec(a, "INSERT INTO kv VALUES (1, 'a')");
              exec(b, "INSERT INTO kv VALUES (777, 'b')");
              // When A runs an upsert that only updates
              exec(
                  a,
                  "INSERT INTO kv VALUES (1, 'c') ON CONFLICT (id) DO UPDATE SET v = excluded.v");
              return List.of(one(a, "SELECT last_insert_rowid()"));
            });
    // Then A's last insert rowid is still its own 1
    assertThat(outcome.result()).containsExactly("1");
  }

  @Test
  void lastInsertRowidOfAWithoutRowidInsertOnAFreshConnection() throws Exception {
    Outcome outcome =
        DropIn.same(
            db -> {
              // Given another connection inserted rowid 777
              Connection other = db.connect();
              exec(
                  other,
                  "CREATE TABLE t (id INTEGER PRIMARY KEY)",
                  "CREATE TABLE w (k TEXT PRIMARY KEY) WITHOUT ROWID",
                  "INSERT INTO t VALUES (777)");
              // When a fresh connection inserts into a WITHOUT ROWID table
              Connection fresh = db.connect();
              exec(fresh, "INSERT INTO w VALUES ('k')");
              return List.of(one(fresh, "SELECT last_insert_rowid()"));
            });
    // Then its last insert rowid is 0
    assertThat(outcome.result()).containsExactly("0");
  }

  @Test
  void generatedKeysAfterABatchOfFiveInserts() throws Exception {
    Outcome outcome =
        DropIn.same(
            db -> {
              // Given a table with a rowid key
              Connection c = db.connect();
              exec(c, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
              // When five inserts run as one batch
              try (PreparedStatement p =
                  c.prepareStatement(
                      "INSERT INTO t (v) VALUES (?)", Statement.RETURN_GENERATED_KEYS)) {
                for (int i = 0; i < 5; i++) {
                  p.setString(1, "v" + i);
                  p.addBatch();
                }
                int[] counts = p.executeBatch();
                List<Long> keys = new ArrayList<>();
                try (ResultSet k = p.getGeneratedKeys()) {
                  while (k.next()) {
                    keys.add(k.getLong(1));
                  }
                }
                return List.of(Arrays.toString(counts), keys);
              }
            });
    // Then each insert counted 1 and, as on plain, the batch has no generated keys
    assertThat(outcome.result()).containsExactly("[1, 1, 1, 1, 1]", "[]");
  }

  @Test
  void queryOnAThreadWithItsInterruptFlagSet() throws Exception {
    Outcome outcome =
        DropIn.same(
            db -> {
              // Given one row
              Connection c = db.connect();
              exec(c, "CREATE TABLE t (x)", "INSERT INTO t VALUES (1)");
              // When a thread with its interrupt flag set counts the rows
              Thread.currentThread().interrupt();
              try {
                long count = one(c, "SELECT count(*) FROM t");
                return List.of(count, Thread.currentThread().isInterrupted());
              } finally {
                Thread.interrupted();
              }
            });
    // Then the query answered and the flag is still set
    assertThat(outcome.result()).containsExactly("1", "true");
  }

  @Test
  void holdCursorsOverCommitIsRefusedAtTheCall() throws Exception {
    Failure sluice =
        DropIn.sameVendorCode(
            db -> {
              // Given a connection
              Connection c = db.connect();
              // When it asks for cursors held over commit
              c.setHoldability(ResultSet.HOLD_CURSORS_OVER_COMMIT);
              return List.of(c.getHoldability());
            });
    // Then the call fails, as plain's (a SQLException without SQLState), with a standard state
    assertThat(sluice.type()).isEqualTo(SQLFeatureNotSupportedException.class.getName());
    assertThat(sluice.sqlState()).isEqualTo("0A000");
  }

  @Test
  void queryOnlyPragmaOnAReadWriteConnection() throws Exception {
    Outcome outcome =
        DropIn.same(
            db -> {
              // Given a read-write connection
              Connection c = db.connect();
              // When it reads pragma query_only
              return List.of(c.isReadOnly(), one(c, "PRAGMA query_only"));
            });
    // Then it answers 0
    assertThat(outcome.result()).containsExactly("false", "0");
  }

  @Test
  void totalChangesCountTheRowATriggerInserted() throws Exception {
    Outcome outcome =
        DropIn.same(
            db -> {
              // Given a table whose trigger logs every insert
              Connection c = db.connect();
              exec(
                  c,
                  "CREATE TABLE t (x)",
                  "CREATE TABLE log (x)",
                  "CREATE TRIGGER t_log AFTER INSERT ON t"
                      + " BEGIN INSERT INTO log VALUES (new.x); END");
              long before = one(c, "SELECT total_changes()");
              // When one row is inserted
              exec(c, "INSERT INTO t VALUES (1)");
              return List.of(one(c, "SELECT total_changes()") - before, one(c, "SELECT changes()"));
            });
    // Then total_changes() grew by 2 and changes() says 1
    assertThat(outcome.result()).containsExactly("2", "1");
  }

  @Test
  void preparedStatementMetaDataBeforeExecution() throws Exception {
    Outcome outcome =
        DropIn.same(
            db -> {
              // Given a table of two columns
              Connection c = db.connect();
              exec(c, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
              // When a prepared query's metadata is read before it runs
              try (PreparedStatement p = c.prepareStatement("SELECT id, v FROM t WHERE id = ?")) {
                ResultSetMetaData m = p.getMetaData();
                return List.of(m.getColumnCount(), m.getColumnName(1), m.getColumnName(2));
              }
            });
    // Then it names both columns
    assertThat(outcome.result()).containsExactly("2", "id", "v");
  }

  @Test
  void sameFileNameInTwoFoldersOpensTwoDatabases() throws Exception {
    Outcome outcome =
        DropIn.same(
            db -> {
              // Given app.db in two folders, opened by URLs without sluice.name
              Path x = Files.createDirectories(db.dir().resolve("x")).resolve("app.db");
              Path y = Files.createDirectories(db.dir().resolve("y")).resolve("app.db");
              Connection cx = db.connect(db.url(x.toString()));
              Connection cy = db.connect(db.url(y.toString()));
              // When each gets its own table
              exec(cx, "CREATE TABLE in_x (v)", "INSERT INTO in_x VALUES (1)");
              exec(cy, "CREATE TABLE in_y (v)", "INSERT INTO in_y VALUES (2)");
              String tables = "SELECT group_concat(name) FROM sqlite_schema WHERE type = 'table'";
              try (Statement sx = cx.createStatement();
                  ResultSet rx = sx.executeQuery(tables);
                  Statement sy = cy.createStatement();
                  ResultSet ry = sy.executeQuery(tables)) {
                rx.next();
                ry.next();
                return List.of(rx.getString(1), ry.getString(1));
              }
            });
    // Then both are open, each with only its own table
    assertThat(outcome.result()).containsExactly("in_x", "in_y");
  }

  @Test
  void twoMemoryConnectionsAreTwoPrivateDatabases() throws Exception {
    Outcome outcome =
        DropIn.same(
            db -> {
              // Given two in-memory connections
              Connection a = db.connect(db.url(":memory:"));
              Connection b = db.connect(db.url(":memory:"));
              // When one creates a table
              exec(a, "CREATE TABLE m (x)");
              return List.of(
                  one(a, "SELECT count(*) FROM sqlite_schema WHERE name = 'm'"),
                  one(b, "SELECT count(*) FROM sqlite_schema WHERE name = 'm'"));
            });
    // Then the other does not see it
    assertThat(outcome.result()).containsExactly("1", "0");
  }

  @Test
  void changesAfterABatchIsTheLastStatementsCount() throws Exception {
    Outcome outcome =
        DropIn.same(
            db -> {
              // Given a table
              Connection c = db.connect();
              exec(c, "CREATE TABLE t (x)");
              try (Statement s = c.createStatement()) {
                // When a batch inserts 3 rows then 2 rows
                s.addBatch("INSERT INTO t VALUES (1), (2), (3)");
                s.addBatch("INSERT INTO t VALUES (4), (5)");
                int[] counts = s.executeBatch();
                return List.of(Arrays.toString(counts), one(c, "SELECT changes()"));
              }
            });
    // Then changes() is the last statement's count
    assertThat(outcome.result()).containsExactly("[3, 2]", "2");
  }

  @Test
  void multiStatementStringRunByExecuteAndByExecuteUpdate() throws Exception {
    Outcome outcome =
        DropIn.same(
            db -> {
              // Given a table
              Connection c = db.connect();
              exec(c, "CREATE TABLE t (x)");
              String three =
                  "INSERT INTO t VALUES (%d); INSERT INTO t VALUES (%d); INSERT INTO t VALUES (%d)";
              try (Statement s = c.createStatement()) {
                // When one string of three inserts runs by execute, then another by executeUpdate
                long before = one(c, "SELECT total_changes()");
                boolean result = s.execute(String.format(Locale.ROOT, three, 1, 2, 3));
                long afterExecute = one(c, "SELECT total_changes()");
                int count = s.executeUpdate(String.format(Locale.ROOT, three, 4, 5, 6));
                long afterUpdate = one(c, "SELECT total_changes()");
                return List.of(result, afterExecute - before, count, afterUpdate - afterExecute);
              }
            });
    // Then, as on plain, execute ran only the first insert and executeUpdate all three
    assertThat(outcome.result()).containsExactly("false", "1", "3", "3");
    assertThat(outcome.content()).containsExactly("t[1]", "t[4]", "t[5]", "t[6]");
  }

  @Test
  void backupToAFileWithExecuteUpdateAndWithExecute() throws Exception {
    Outcome outcome =
        DropIn.same(
            db -> {
              // Given three rows
              Connection c = db.connect();
              exec(c, "CREATE TABLE t (x)", "INSERT INTO t VALUES (1), (2), (3)");
              Path first = db.dir().resolve("first.db");
              Path second = db.dir().resolve("second.db");
              // When the database is backed up once with executeUpdate and once with execute
              int count;
              boolean result;
              try (Statement s = c.createStatement()) {
                count = s.executeUpdate("backup to '" + first + "'");
                result = s.execute("backup to '" + second + "'");
              }
              return List.of(count, result, DropIn.content(first), DropIn.content(second));
            });
    // Then both backups are valid databases holding the rows
    assertThat(outcome.result())
        .containsExactly("0", "false", "[t[1], t[2], t[3]]", "[t[1], t[2], t[3]]");
  }

  @Test
  void metaDataUrlIsTheUrlTheApplicationGave() throws Exception {
    DropIn.Body body =
        db -> {
          // Given a connection by URL
          Connection c = db.connect();
          // When its metadata is asked for the URL
          return List.of(c.getMetaData().getURL(), db.url());
        };
    Outcome plain = DropIn.run(Target.PLAIN, body);
    Outcome sluice = DropIn.run(Target.SLUICE, body);
    // Then each driver names the database by its own URL (a documented difference for Sluice:
    // the URL through Sluice, with sqlite-jdbc's options but without Sluice's own)
    assertThat(plain.result().get(0)).startsWith("jdbc:sqlite:").isEqualTo(plain.result().get(1));
    assertThat(sluice.result().get(0)).startsWith("jdbc:sluice:sqlite:");
    assertThat(sluice.result().get(1)).startsWith(sluice.result().get(0) + "?sluice.");
  }

  @Test
  void sessionPragmasAreTheConnectionsOwnAndReachItsReads() throws Exception {
    Outcome outcome =
        DropIn.same(
            db -> {
              // Given two connections, one of which turns case-sensitive LIKE on
              Connection a = db.connect();
              Connection b = db.connect();
              exec(a, "CREATE TABLE t (v TEXT)", "INSERT INTO t VALUES ('Abc')");
              exec(a, "PRAGMA case_sensitive_like = ON", "PRAGMA foreign_keys = ON");
              // When both read
              return List.of(
                  one(a, "SELECT count(*) FROM t WHERE v LIKE 'abc'"),
                  one(b, "SELECT count(*) FROM t WHERE v LIKE 'abc'"),
                  one(a, "PRAGMA foreign_keys"),
                  one(b, "PRAGMA foreign_keys"));
            });
    // Then each sees its own setting
    assertThat(outcome.result()).containsExactly("0", "1", "1", "0");
  }

  @Test
  void walCheckpointWithoutASchemaRunsAsOnPlain() throws Exception {
    Outcome outcome =
        DropIn.same(
            db -> {
              // Given a table with rows in the WAL
              Connection c = db.connect();
              exec(c, "CREATE TABLE t (x)", "INSERT INTO t VALUES (1), (2)");
              // When the application checkpoints, naming no schema
              return List.of(
                  one(c, "PRAGMA wal_checkpoint(TRUNCATE)"), one(c, "SELECT count(*) FROM t"));
            });
    // Then it is not refused (not busy), and the rows stay
    assertThat(outcome.result()).containsExactly("0", "2");
  }

  /**
   * #16: {@code PRAGMA data_version} moves when another connection (of the same data source, or a
   * plain connection standing for another process) committed a change, and only then: not for the
   * connection's own commits, not for polls that land on different readers, not for another
   * connection's uncommitted or rolled-back work.
   */
  @Test
  void dataVersionMovesOnlyWhenAnotherConnectionCommitted() throws Exception {
    Outcome outcome =
        DropIn.same(
            db -> {
              Connection a = db.connect();
              Connection b = db.connect();
              exec(a, "CREATE TABLE t (id INTEGER PRIMARY KEY)");
              List<Object> out = new ArrayList<>();
              long v = one(a, "PRAGMA data_version");
              exec(a, "INSERT INTO t VALUES (1)");
              out.add("own commit moved it: " + (one(a, "PRAGMA data_version") != v));
              v = one(a, "PRAGMA data_version");
              int moved = 0;
              for (int i = 0; i < 20; i++) {
                moved += one(a, "PRAGMA data_version") != v ? 1 : 0;
              }
              out.add("idle polls that moved: " + moved);
              exec(b, "INSERT INTO t VALUES (2)");
              long after = one(a, "PRAGMA data_version");
              out.add("other's commit moved it: " + (after != v));
              v = after;
              b.setAutoCommit(false);
              exec(b, "INSERT INTO t VALUES (3)");
              out.add("other's open transaction moved it: " + (one(a, "PRAGMA data_version") != v));
              b.rollback();
              out.add("other's rollback moved it: " + (one(a, "PRAGMA data_version") != v));
              exec(b, "INSERT INTO t VALUES (4)");
              b.commit();
              b.setAutoCommit(true);
              after = one(a, "PRAGMA data_version");
              out.add("other's commit moved it: " + (after != v));
              v = after;
              try (Connection process =
                  DriverManager.getConnection("jdbc:sqlite:" + db.dir().resolve("test.db"))) {
                exec(process, "INSERT INTO t VALUES (5)");
              }
              out.add("another process moved it: " + (one(a, "PRAGMA data_version") != v));
              return out;
            });
    assertThat(outcome.result())
        .containsExactly(
            "own commit moved it: false",
            "idle polls that moved: 0",
            "other's commit moved it: true",
            "other's open transaction moved it: false",
            "other's rollback moved it: false",
            "other's commit moved it: true",
            "another process moved it: true");
  }
}
