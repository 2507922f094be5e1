package dev.sluice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A physical connection that fails under a statement, made from the outside without mocks: {@code
 * Statement.cancel()} from another thread calls {@code sqlite3_interrupt} on the physical
 * connection that runs the statement (the writer inside a transaction, or a reader), and an
 * expression that fails at one row breaks a result set half-way. SQLite rolls back the whole
 * transaction when a write inside it is interrupted, so the writer's physical transaction really
 * ends under the logical one.
 */
class BrokenConnectionTest {
  /** A write that runs for about a minute unless interrupted: it counts before it inserts. */
  private static final String LONG_WRITE =
      "INSERT INTO t (v) WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c"
          + " WHERE x < 300000000) SELECT 'long ' || count(*) FROM c";

  /** The same as a read. */
  private static final String LONG_READ =
      "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 300000000)"
          + " SELECT count(*) FROM c";

  @RegisterExtension final TestDatabase db = new TestDatabase();
  private ExecutorService pool;
  private SluiceDataSource ds;

  @BeforeEach
  void setUp() throws SQLException {
    pool = Executors.newSingleThreadExecutor();
    db.rawExec("PRAGMA journal_mode=WAL", "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
    ds = db.dataSource();
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    pool.shutdownNow();
    pool.awaitTermination(10, TimeUnit.SECONDS);
  }

  /**
   * Runs {@code work} on another thread and cancels {@code s} until the work ends (cancel only
   * reaches SQLite while a statement runs), bounded at 30 s.
   *
   * @return what the work threw
   */
  private Throwable cancelled(Statement s, Callable<?> work) throws Exception {
    Future<?> f = pool.submit(work);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!f.isDone()) {
      if (System.nanoTime() > deadline) {
        f.cancel(true);
        throw new TimeoutException("the statement was never interrupted");
      }
      s.cancel();
      Thread.onSpinWait();
    }
    try {
      f.get();
    } catch (ExecutionException e) {
      return e.getCause();
    }
    throw new AssertionError("the statement was not interrupted");
  }

  private static void assertInterrupted(Throwable e) {
    assertThat(e).isInstanceOf(SQLException.class).hasMessageContaining("interrupt");
    assertThat(((SQLException) e).getSQLState()).isEqualTo("57014");
    assertThat(((SQLException) e).getErrorCode()).isEqualTo(9);
  }

  private long rows(String v) throws SQLException {
    return db.rawLong("SELECT count(*) FROM t WHERE v " + v);
  }

  private double activeReaders() {
    return db.registry.find("hikaricp.connections.active").gauges().stream()
        .mapToDouble(g -> g.value())
        .sum();
  }

  @Test
  void writerInterruptedMidTransactionCommitsNothingAndTheNextUnitSucceeds() throws Exception {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      c.setAutoCommit(false);
      s.executeUpdate("INSERT INTO t (v) VALUES ('first of the unit')");
      assertInterrupted(cancelled(s, () -> s.executeUpdate(LONG_WRITE)));
      c.rollback();
    }
    assertThat(db.rawLong("SELECT count(*) FROM t")).isZero();
    int inserted =
        ds.inTransaction(
            c -> {
              try (Statement s = c.createStatement()) {
                return s.executeUpdate("INSERT INTO t (v) VALUES ('next unit')");
              }
            });
    assertThat(inserted).isEqualTo(1);
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      assertThat(s.executeUpdate("INSERT INTO t (v) VALUES ('auto-commit')")).isEqualTo(1);
    }
    assertThat(rows("IN ('next unit', 'auto-commit')")).isEqualTo(2);
    assertThat(db.rawLong("SELECT count(*) FROM t")).isEqualTo(2);
  }

  @Test
  void interruptedSqlTextTransactionEndsAndFreesTheWriter() throws Exception {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.execute("BEGIN");
      s.executeUpdate("INSERT INTO t (v) VALUES ('first of the unit')");
      assertInterrupted(cancelled(s, () -> s.executeUpdate(LONG_WRITE)));
      // SQLite rolls the transaction back when the interrupt caught the write at work; when it
      // caught it before it wrote, the transaction is intact and the writer stays pinned to it.
      boolean rolledBack = !inTransaction(s);
      if (!rolledBack) {
        s.execute("ROLLBACK");
      }
      try (Connection other = ds.getConnection();
          Statement o = other.createStatement()) {
        assertThat(o.executeUpdate("INSERT INTO t (v) VALUES ('other')")).isEqualTo(1);
      }
    }
    assertThat(rows("= 'first of the unit'")).isZero();
    assertThat(db.rawLong("SELECT count(*) FROM t")).isEqualTo(1);
  }

  /** Whether the logical connection's SQL-text transaction is still open (a SAVEPOINT probe). */
  private static boolean inTransaction(Statement s) throws SQLException {
    try (ResultSet r = s.executeQuery("SELECT query_only FROM pragma_query_only")) {
      r.next();
      // Pinned to the writer (query_only 0) only while the SQL-text transaction is open.
      return r.getLong(1) == 0;
    }
  }

  @Test
  void commitAfterSqliteRolledBackTheTransactionFailsAsARollback() throws Exception {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      c.setAutoCommit(false);
      s.executeUpdate("INSERT INTO t (v) VALUES ('first of the unit')");
      assertInterrupted(cancelled(s, () -> s.executeUpdate(LONG_WRITE)));
      try {
        c.commit();
        // The interrupt caught the write before it wrote: SQLite kept the transaction, and what
        // succeeded in it (the first row, not the interrupted write) is committed.
        assertThat(rows("= 'first of the unit'")).isEqualTo(1);
      } catch (SQLException e) {
        // SQLite rolled the transaction back: commit says so and commits nothing.
        assertThat((Throwable) e).isInstanceOf(SQLException.class);
        assertThat(e.getSQLState()).startsWith("40");
        c.rollback();
        assertThat(db.rawLong("SELECT count(*) FROM t")).isZero();
      }
    }
    assertThat(rows("LIKE 'long%'")).as("nothing of the interrupted write").isZero();
  }

  @Test
  void statementsAfterSqliteRolledBackTheTransactionAreNotCommittedAlone() throws Exception {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      c.setAutoCommit(false);
      s.executeUpdate("INSERT INTO t (v) VALUES ('first of the unit')");
      assertInterrupted(cancelled(s, () -> s.executeUpdate(LONG_WRITE)));
      try {
        s.executeUpdate("INSERT INTO t (v) VALUES ('rest of the unit')");
      } catch (SQLException refused) {
        // Refusing the statement (the transaction is gone) is a correct answer too.
      }
      assertThat(rows("= 'rest of the unit'")).as("visible before rollback").isZero();
      c.rollback();
    }
    assertThat(db.rawLong("SELECT count(*) FROM t")).isZero();
  }

  @Test
  void readerInterruptedMidQueryFailsThatReadAndThePoolRecovers() throws Exception {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      assertInterrupted(cancelled(s, () -> s.executeQuery(LONG_READ)));
      assertThat(activeReaders()).isZero();
      // More reads than readers: every pooled reader answers.
      for (int i = 0; i < 8; i++) {
        try (ResultSet r = s.executeQuery("SELECT count(*) FROM t")) {
          assertThat(r.next()).isTrue();
          assertThat(r.getLong(1)).isZero();
        }
      }
      assertThat(s.executeUpdate("INSERT INTO t (v) VALUES ('after')")).isEqualTo(1);
    }
    assertThat(activeReaders()).isZero();
    assertThat(db.rawLong("SELECT count(*) FROM t")).isEqualTo(1);
  }

  @Test
  void readerFailingMidResultSetFailsThatReadAndThePoolRecovers() throws SQLException {
    int rows = 0;
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      ResultSet r =
          s.executeQuery(
              "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 10)"
                  + " SELECT CASE WHEN x = 5 THEN json('not json') ELSE x END FROM c");
      try {
        while (r.next()) {
          rows++;
        }
        throw new AssertionError("the result set did not fail");
      } catch (SQLException e) {
        assertThat(e.getMessage()).contains("malformed JSON");
      } finally {
        r.close();
      }
      assertThat(activeReaders()).isZero();
      for (int i = 0; i < 8; i++) {
        try (ResultSet again = s.executeQuery("SELECT 42")) {
          assertThat(again.next()).isTrue();
          assertThat(again.getInt(1)).isEqualTo(42);
        }
      }
    }
    assertThat(rows).isEqualTo(4);
    assertThat(activeReaders()).isZero();
  }

  @Test
  void errorsWhileIteratingAResultSetCarryASqlState() throws SQLException {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      try (ResultSet r =
          s.executeQuery(
              "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 10)"
                  + " SELECT CASE WHEN x = 5 THEN json('not json') ELSE x END FROM c")) {
        assertThatThrownBy(
                () -> {
                  while (r.next()) {
                    r.getLong(1);
                  }
                })
            .isInstanceOf(org.sqlite.SQLiteException.class)
            .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("42000"));
      }
      try (ResultSet r = s.executeQuery("SELECT 1")) {
        r.next();
        assertThatThrownBy(() -> r.getInt(5))
            .isInstanceOf(SQLException.class)
            .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("22023"));
      }
    }
  }

  @Test
  void cancelWhileIteratingAResultSetInterruptsTheRead() throws Exception {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement();
        ResultSet r =
            s.executeQuery(
                "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3)"
                    + " SELECT x, CASE WHEN x = 2 THEN (WITH RECURSIVE d(y) AS (SELECT 1 UNION ALL"
                    + " SELECT y + 1 FROM d WHERE y < 3000000) SELECT count(*) FROM d) END"
                    + " FROM c")) {
      assertThat(r.next()).isTrue();
      assertInterrupted(cancelled(s, r::next));
    }
    assertThat(activeReaders()).isZero();
  }
}
