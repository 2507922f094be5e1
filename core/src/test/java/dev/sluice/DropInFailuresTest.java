package dev.sluice;

import static dev.sluice.DropIn.exec;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.DropIn.Outcome;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sqlite.SQLiteException;

/**
 * What a failing statement leaves behind, run on plain sqlite-jdbc and on Sluice through {@link
 * DropIn}: the transaction it failed in, the connection, and the other connections of the file.
 * Found by a sweep of about 170 failing operations in four situations on both drivers; each test
 * failed before its fix.
 */
class DropInFailuresTest {

  /**
   * A connection's own {@code PRAGMA query_only = 1} and a write it refused left the shared writer
   * unable to insert for every connection of the file ("statement is not executing", no SQLState)
   * until the engine closed: Sluice's key statement on the writer had failed and sqlite-jdbc had
   * finalized it. On plain only that connection is read-only.
   */
  @ParameterizedTest(name = "query_only back to 0 first: {0}")
  @ValueSource(booleans = {false, true})
  void aWriteRefusedByQueryOnlyLeavesOtherConnectionsWriting(boolean reset) throws Exception {
    Outcome outcome =
        DropIn.same(
            db -> {
              List<Object> out = new ArrayList<>();
              Connection c = db.connect();
              exec(c, "CREATE TABLE log (x)", "PRAGMA query_only = 1");
              out.add(attempt(c, "INSERT INTO log VALUES ('refused')"));
              if (reset) {
                exec(c, "PRAGMA query_only = 0");
                out.add(attempt(c, "INSERT INTO log VALUES ('own')"));
              }
              c.close();
              Connection d = db.connect();
              out.add(attempt(d, "INSERT INTO log VALUES ('fresh')"));
              out.add(attempt(d, "INSERT INTO log VALUES ('again')"));
              return out;
            });
    assertThat(outcome.result()).first().isEqualTo("failed 8");
    assertThat(outcome.content()).contains("log[fresh]", "log[again]");
  }

  /**
   * An {@code ATTACH} of a file that cannot be opened fails with SQLITE_CANTOPEN and leaves the
   * transaction it ran in open, with its writes, as on plain. Sluice took CANTOPEN for a broken
   * writer and replaced it: the transaction's earlier writes were gone, and a later {@code
   * commit()} succeeded as if nothing was lost (in a SQL-text transaction, later statements
   * committed one by one where plain rolls them back).
   */
  @ParameterizedTest(name = "transaction begun in SQL text: {0}")
  @ValueSource(booleans = {false, true})
  void aFailedAttachKeepsTheTransactionAndItsWrites(boolean text) throws Exception {
    Outcome outcome =
        DropIn.same(
            db -> {
              List<Object> out = new ArrayList<>();
              Connection c = db.connect();
              exec(c, "CREATE TABLE log (x)");
              if (text) {
                exec(c, "BEGIN");
              } else {
                c.setAutoCommit(false);
              }
              out.add(attempt(c, "INSERT INTO log VALUES ('before')"));
              out.add(attempt(c, "ATTACH '" + db.dir().resolve("missing/x.db") + "' AS other"));
              out.add(attempt(c, "INSERT INTO log VALUES ('after')"));
              if (text) {
                out.add(attempt(c, "ROLLBACK"));
              } else {
                c.commit();
              }
              out.add(c.getAutoCommit());
              return out;
            });
    assertThat(outcome.result()).element(1).isEqualTo("failed 14");
    assertThat(outcome.content())
        .isEqualTo(text ? List.of() : List.of("log[after]", "log[before]"));
  }

  /**
   * The same through a HikariCP pool over each driver's URL, as applications that swap only the URL
   * run it. SQLITE_CANTOPEN had SQLState 08001 on Sluice, on which HikariCP evicts the connection:
   * the statements after it failed ("Connection is closed") and the transaction's writes were
   * rolled back, where plain's stay.
   */
  @Test
  void aFailedAttachThroughAPoolKeepsTheTransactionAndItsWrites() throws Exception {
    Outcome outcome =
        DropIn.same(
            db -> {
              List<Object> out = new ArrayList<>();
              javax.sql.DataSource pool = db.hikari(2, null);
              try (Connection c = pool.getConnection()) {
                exec(c, "CREATE TABLE log (x)");
                c.setAutoCommit(false);
                out.add(attempt(c, "INSERT INTO log VALUES ('before')"));
                out.add(attempt(c, "ATTACH '" + db.dir().resolve("missing/x.db") + "' AS other"));
                out.add(attempt(c, "INSERT INTO log VALUES ('after')"));
                c.commit();
              }
              return out;
            });
    assertThat(outcome.result()).containsExactly("1", "failed 14", "1");
    assertThat(outcome.content()).containsExactly("log[after]", "log[before]");
  }

  /**
   * Deliberately different, as JDBC asks: {@code execute(null)} and {@code executeQuery(null)} fail
   * with 22023 before anything runs; plain throws a NullPointerException. Either way the
   * transaction stays open with its writes. Sluice took the unchecked exception from sqlite-jdbc
   * for a broken writer and replaced it, losing the transaction while {@code commit()} succeeded.
   */
  @Test
  void executeOfNullSqlKeepsTheTransaction() throws Exception {
    DropIn.Body body =
        db -> {
          List<Object> out = new ArrayList<>();
          Connection c = db.connect();
          exec(c, "CREATE TABLE log (x)");
          c.setAutoCommit(false);
          out.add(attempt(c, "INSERT INTO log VALUES ('before')"));
          try (Statement s = c.createStatement()) {
            out.add(attempt(() -> s.execute(null)));
            out.add(attempt(() -> s.executeQuery(null)));
          }
          out.add(attempt(c, "INSERT INTO log VALUES ('after')"));
          c.commit();
          return out;
        };
    Outcome plain = DropIn.run(DropIn.Target.PLAIN, body);
    Outcome sluice = DropIn.run(DropIn.Target.SLUICE, body);
    assertThat(plain.result())
        .containsExactly("1", "NullPointerException", "NullPointerException", "1");
    assertThat(sluice.result()).containsExactly("1", "failed 0 22023", "failed 0 22023", "1");
    assertThat(sluice.content()).isEqualTo(plain.content()).hasSize(2);
  }

  /**
   * {@code rollback()} beside an {@code INSERT ... RETURNING} result set not read to its end rolls
   * back, as on plain, and the connection goes on.
   */
  @Test
  void rollbackBesideAnUnreadReturningResultSetRollsBack() throws Exception {
    Outcome outcome =
        DropIn.same(
            db -> {
              List<Object> out = new ArrayList<>();
              Connection c = db.connect();
              exec(c, "CREATE TABLE log (x)");
              c.setAutoCommit(false);
              out.add(attempt(c, "INSERT INTO log VALUES ('before')"));
              Statement s = c.createStatement();
              ResultSet r = s.executeQuery("INSERT INTO log VALUES ('r1'), ('r2') RETURNING x");
              out.add(r.next());
              out.add(
                  attempt(
                      () -> {
                        c.rollback();
                        return "rolled back";
                      }));
              out.add(attempt(c, "INSERT INTO log VALUES ('next')"));
              out.add(
                  attempt(
                      () -> {
                        c.setAutoCommit(true);
                        return "auto-commit";
                      }));
              out.add(attempt(c, "INSERT INTO log VALUES ('last')"));
              s.close();
              return out;
            });
    assertThat(outcome.result()).contains("rolled back");
  }

  /**
   * An auto-commit batch whose deferred foreign key fails at the end fails with a {@link
   * BatchUpdateException}, as on plain, where its failing entry gives one (Sluice's carries
   * SQLite's vendor code and SQLState, as for a failing entry). Sluice's batch is one transaction
   * (rule 5), so the failure comes at its COMMIT and nothing of the batch is kept (plain keeps the
   * entries before); it surfaced as the bare SQLite error, which code catching {@code
   * BatchUpdateException} missed.
   */
  @Test
  void aBatchFailingAtItsCommitIsABatchUpdateException() throws Exception {
    DropIn.Body body =
        db -> {
          Connection c = db.connect();
          exec(
              c,
              "PRAGMA foreign_keys = ON",
              "CREATE TABLE log (x)",
              "CREATE TABLE parent (id INTEGER PRIMARY KEY)",
              "CREATE TABLE child (id INTEGER, p REFERENCES parent (id)"
                  + " DEFERRABLE INITIALLY DEFERRED)");
          try (Statement s = c.createStatement()) {
            s.addBatch("INSERT INTO log VALUES ('b1')");
            s.addBatch("INSERT INTO child VALUES (5, 99)");
            s.executeBatch();
            return List.of("no failure");
          } catch (BatchUpdateException e) {
            return List.of(
                "batch failed " + e.getErrorCode(), attempt(c, "INSERT INTO log VALUES ('next')"));
          }
        };
    Outcome plain = DropIn.run(DropIn.Target.PLAIN, body);
    Outcome sluice = DropIn.run(DropIn.Target.SLUICE, body);
    // plain's BatchUpdateException has no vendor code; Sluice's has the failure's (design.md)
    assertThat(plain.result()).containsExactly("batch failed 0", "1");
    assertThat(sluice.result()).containsExactly("batch failed 19", "1");
    assertThat(plain.content()).containsExactly("log[b1]", "log[next]");
    assertThat(sluice.content()).containsExactly("log[next]");
  }

  /**
   * The cause of a failed batch's {@link BatchUpdateException} is SQLite's error, with its result
   * code, on both drivers: code written for plain looks there. Sluice's cause was plain's own
   * BatchUpdateException.
   */
  @ParameterizedTest(name = "in a transaction: {0}")
  @ValueSource(booleans = {false, true})
  void theCauseOfAFailedBatchIsSqlitesError(boolean transaction) throws Exception {
    DropIn.Body body =
        db -> {
          Connection c = db.connect();
          exec(c, "CREATE TABLE t (k INTEGER UNIQUE)");
          c.setAutoCommit(!transaction);
          try (Statement s = c.createStatement()) {
            s.addBatch("INSERT INTO t VALUES (1)");
            s.addBatch("INSERT INTO t VALUES (1)");
            s.executeBatch();
            return List.of("no failure");
          } catch (BatchUpdateException e) {
            return List.of(
                e.getCause() instanceof SQLiteException sqlite
                    ? sqlite.getResultCode().name()
                    : String.valueOf(e.getCause()));
          }
        };
    // (the data differ in auto-commit: Sluice's batch is atomic, rule 5)
    Outcome plain = DropIn.run(DropIn.Target.PLAIN, body);
    assertThat(DropIn.run(DropIn.Target.SLUICE, body).result())
        .isEqualTo(plain.result())
        .containsExactly("SQLITE_CONSTRAINT_UNIQUE");
  }

  /**
   * In a read-only transaction, text SQLite cannot compile (a typo, a missing table) fails as
   * SQLite's error, as on plain (read-only through {@code jdbc.explicit_readonly}, the way plain
   * takes {@code setReadOnly} on an open connection); Sluice refused it as a write (25006), which
   * hid the typo. A real write is still refused with 25006 (rule 2; plain: SQLITE_READONLY).
   */
  @Test
  void sqlThatDoesNotCompileInAReadOnlyTransactionFailsAsSqlitesError() throws Exception {
    DropIn.Body body =
        db -> {
          Connection setup = db.connect();
          exec(setup, "CREATE TABLE t (k)");
          Connection c =
              db.target() == DropIn.Target.PLAIN
                  ? db.connect(db.url() + "?jdbc.explicit_readonly=true")
                  : db.connect();
          c.setReadOnly(true);
          c.setAutoCommit(false);
          List<Object> out = new ArrayList<>();
          for (String sql :
              List.of("SELEC k FROM t", "SELECT k FROM missing", "UPDATE missing SET k = 1")) {
            out.add(attemptQuery(c, sql));
          }
          out.add(attemptQuery(c, "SELECT count(*) FROM t"));
          c.rollback();
          return out;
        };
    Outcome plain = DropIn.run(DropIn.Target.PLAIN, body);
    Outcome sluice = DropIn.run(DropIn.Target.SLUICE, body);
    assertThat(plain.result()).containsExactly("failed 1", "failed 1", "failed 1", "0");
    // SQLite's own error (its vendor code; Sluice adds the SQLState 42000)
    assertThat(sluice.result()).isEqualTo(plain.result());
  }

  private static String attemptQuery(Connection c, String sql) {
    return attempt(
        () -> {
          try (Statement s = c.createStatement()) {
            if (s.execute(sql)) {
              try (ResultSet r = s.getResultSet()) {
                return r.next() ? r.getString(1) : "no row";
              }
            }
            return s.getUpdateCount();
          }
        });
  }

  private static String attempt(Connection c, String sql) {
    return attempt(
        () -> {
          try (Statement s = c.createStatement()) {
            return s.executeUpdate(sql);
          }
        });
  }

  private static String attempt(Call call) {
    try {
      return String.valueOf(call.run());
    } catch (SQLException e) {
      return "failed "
          + e.getErrorCode()
          + (e.getSQLState() != null && !(e instanceof org.sqlite.SQLiteException)
              ? " " + e.getSQLState()
              : "");
    } catch (RuntimeException e) {
      return e.getClass().getSimpleName();
    }
  }

  @FunctionalInterface
  private interface Call {
    Object run() throws SQLException;
  }
}
