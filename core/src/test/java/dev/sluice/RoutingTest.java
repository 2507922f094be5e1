package dev.sluice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * design.md's routing rules, each checked by where the statement actually ran: {@code PRAGMA
 * query_only} answers 1 on a reader and 0 on the writer.
 */
class RoutingTest {
  @RegisterExtension final TestDatabase db = new TestDatabase();
  private SluiceDataSource ds;

  @BeforeEach
  void setUp() throws SQLException {
    ds = db.dataSource();
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL UNIQUE)");
    }
  }

  private static long queryOnly(Statement s) throws SQLException {
    // The table-valued form reads the physical connection's own value (a PRAGMA statement answers
    // the logical connection's, which is 0 on a read-write connection).
    try (ResultSet r = s.executeQuery("SELECT query_only FROM pragma_query_only")) {
      r.next();
      return r.getLong(1);
    }
  }

  private static long count(Statement s) throws SQLException {
    try (ResultSet r = s.executeQuery("SELECT count(*) FROM t")) {
      r.next();
      return r.getLong(1);
    }
  }

  @Test
  void autoCommitReadsRunOnReadersAndWritesOnTheWriter() throws SQLException {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      assertThat(queryOnly(s)).isEqualTo(1);
      assertThat(s.executeUpdate("INSERT INTO t (v) VALUES ('a')")).isEqualTo(1);
      assertThat(count(s)).isEqualTo(1);
    }
    assertThat(statements("write")).as("CREATE TABLE and INSERT").isEqualTo(2);
    assertThat(statements("read")).isEqualTo(2);
  }

  private long statements(String route) {
    return db.registry.get("sluice.statements").tag("route", route).timers().stream()
        .mapToLong(io.micrometer.core.instrument.Timer::count)
        .sum();
  }

  @Test
  void writeTransactionRunsEverythingOnTheWriterAndSeesItsOwnWrites() throws SQLException {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      c.setAutoCommit(false);
      s.executeUpdate("INSERT INTO t (v) VALUES ('a')");
      assertThat(queryOnly(s)).isZero();
      assertThat(count(s)).isEqualTo(1);
      try (Connection other = ds.getConnection();
          Statement os = other.createStatement()) {
        assertThat(count(os)).as("uncommitted write invisible to readers").isZero();
      }
      c.commit();
      c.setAutoCommit(true);
      assertThat(queryOnly(s)).isEqualTo(1);
      assertThat(count(s)).isEqualTo(1);
    }
  }

  @Test
  void rollbackLeavesNothing() throws SQLException {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      c.setAutoCommit(false);
      s.executeUpdate("INSERT INTO t (v) VALUES ('a')");
      c.rollback();
      c.setAutoCommit(true);
      assertThat(count(s)).isZero();
    }
    assertThat(db.rawLong("SELECT count(*) FROM t")).isZero();
  }

  @Test
  void readOnlyTransactionRefusesWritesWith25006AndStaysUsable() throws SQLException {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      c.setReadOnly(true);
      c.setAutoCommit(false);
      assertThat(queryOnly(s)).isEqualTo(1);
      assertThatThrownBy(() -> s.executeUpdate("INSERT INTO t (v) VALUES ('a')"))
          .isInstanceOf(SQLException.class)
          .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("25006"))
          .hasMessageContaining("read-only");
      assertThat(count(s)).isZero();
      c.commit();
      c.setAutoCommit(true);
      c.setReadOnly(false);
      assertThat(s.executeUpdate("INSERT INTO t (v) VALUES ('a')")).isEqualTo(1);
    }
    assertThat(db.rawLong("SELECT count(*) FROM t")).isEqualTo(1);
  }

  @Test
  void readOnlyTransactionReadsOneSnapshot() throws SQLException {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement();
        Connection writer = ds.getConnection();
        Statement ws = writer.createStatement()) {
      c.setReadOnly(true);
      c.setAutoCommit(false);
      assertThat(count(s)).isZero();
      ws.executeUpdate("INSERT INTO t (v) VALUES ('a')");
      assertThat(count(s)).as("same snapshot inside the read-only transaction").isZero();
      c.commit();
      assertThat(count(s)).as("a new transaction sees the commit").isEqualTo(1);
    }
  }

  /**
   * Rule 2 when the connection still holds a reader for a result set it opened in auto-commit: the
   * read-only transaction reads one snapshot from its first statement to its end, as on plain
   * SQLite, where the transaction begins at setAutoCommit(false).
   */
  @Test
  void readOnlyTransactionBegunWhileAResultSetIsOpenReadsOneSnapshot() throws SQLException {
    try (Connection c = ds.getConnection();
        Statement open = c.createStatement();
        Statement s = c.createStatement();
        Connection writer = ds.getConnection();
        Statement ws = writer.createStatement()) {
      // Given two rows, and a result set over them left open in auto-commit
      ws.executeUpdate("INSERT INTO t (v) VALUES ('a'), ('b')");
      ResultSet held = open.executeQuery("SELECT v FROM t ORDER BY id");
      assertThat(held.next()).isTrue();

      // When a read-only transaction reads, the result set closes, another connection commits a
      // row, and the transaction reads again
      c.setReadOnly(true);
      c.setAutoCommit(false);
      long first = count(s);
      held.close();
      ws.executeUpdate("INSERT INTO t (v) VALUES ('c')");
      long second = count(s);
      c.commit();

      // Then both reads saw the same snapshot
      assertThat(first).isEqualTo(2);
      assertThat(second).as("same snapshot inside the read-only transaction").isEqualTo(first);
      assertThat(count(s)).as("a new transaction sees the commit").isEqualTo(3);
    }
  }

  @Test
  void sqlTextTransactionPinsTheWriterUntilItEnds() throws SQLException {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.execute("BEGIN");
      s.executeUpdate("INSERT INTO t (v) VALUES ('a')");
      assertThat(queryOnly(s)).isZero();
      assertThat(count(s)).isEqualTo(1);
      s.execute("COMMIT");
      assertThat(queryOnly(s)).isEqualTo(1);
      assertThat(count(s)).isEqualTo(1);
    }
  }

  @Test
  void savepointInSqlTextPinsUntilTheOutermostRelease() throws SQLException {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.execute("SAVEPOINT a");
      s.executeUpdate("INSERT INTO t (v) VALUES ('a')");
      s.execute("SAVEPOINT b");
      s.executeUpdate("INSERT INTO t (v) VALUES ('b')");
      s.execute("ROLLBACK TO b");
      s.execute("RELEASE b");
      assertThat(queryOnly(s)).isZero();
      s.execute("RELEASE a");
      assertThat(queryOnly(s)).isEqualTo(1);
    }
    assertThat(db.rawLong("SELECT count(*) FROM t")).isEqualTo(1);
  }

  @Test
  void tempTablePinsTheWriterUntilCloseAndIsGoneAfterwards() throws SQLException {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE TEMP TABLE scratch (x)");
      s.executeUpdate("INSERT INTO scratch VALUES (1)");
      try (ResultSet r = s.executeQuery("SELECT count(*) FROM scratch")) {
        r.next();
        assertThat(r.getLong(1)).isEqualTo(1);
      }
      assertThat(queryOnly(s)).isZero();
    }
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      c.setAutoCommit(false);
      assertThatThrownBy(() -> s.executeQuery("SELECT * FROM scratch"))
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("no such table");
      c.rollback();
    }
  }

  @Test
  void autoCommitBatchIsAtomic() throws SQLException {
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement("INSERT INTO t (v) VALUES (?)")) {
      ps.setString(1, "a");
      ps.addBatch();
      ps.setString(1, "b");
      ps.addBatch();
      ps.setString(1, "a");
      ps.addBatch();
      assertThatThrownBy(ps::executeBatch).isInstanceOf(SQLException.class);
      assertThat(db.rawLong("SELECT count(*) FROM t")).isZero();
      ps.setString(1, "c");
      ps.addBatch();
      ps.setString(1, "d");
      ps.addBatch();
      assertThat(ps.executeBatch()).containsExactly(1, 1);
    }
    assertThat(db.rawLong("SELECT count(*) FROM t")).isEqualTo(2);
  }

  @Test
  void statementBatchRunsAsOneTransaction() throws SQLException {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.addBatch("INSERT INTO t (v) VALUES ('x')");
      s.addBatch("INSERT INTO t (v) VALUES ('x')");
      assertThatThrownBy(s::executeBatch)
          .isInstanceOfAny(BatchUpdateException.class, SQLException.class);
      assertThat(count(s)).isZero();
    }
  }

  @Test
  void sameThreadAskingForTheWriterThroughAnotherConnectionFailsAtOnce() throws SQLException {
    try (Connection outer = ds.getConnection();
        Statement os = outer.createStatement();
        Connection inner = ds.getConnection();
        Statement is = inner.createStatement()) {
      outer.setAutoCommit(false);
      os.executeUpdate("INSERT INTO t (v) VALUES ('outer')");
      assertThatThrownBy(() -> is.executeUpdate("INSERT INTO t (v) VALUES ('inner')"))
          .isInstanceOf(SQLException.class)
          .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("25001"))
          .hasMessageContaining("deadlock");
      outer.commit();
      assertThat(is.executeUpdate("INSERT INTO t (v) VALUES ('inner')")).isEqualTo(1);
    }
    assertThat(db.rawLong("SELECT count(*) FROM t")).isEqualTo(2);
  }

  @Test
  void lastInsertRowidAndChangesDescribeTheLogicalConnectionsOwnWrite() throws Exception {
    try (Connection a = ds.getConnection();
        Statement sa = a.createStatement();
        Connection b = ds.getConnection();
        Statement sb = b.createStatement()) {
      sa.executeUpdate("INSERT INTO t (v) VALUES ('a1')");
      sa.executeUpdate("INSERT INTO t (v) VALUES ('a2')");
      ExecutorService other = Executors.newSingleThreadExecutor();
      try {
        other
            .submit(
                () -> {
                  sb.executeUpdate("INSERT INTO t (v) VALUES ('b1'), ('b2'), ('b3')");
                  return null;
                })
            .get(10, TimeUnit.SECONDS);
      } finally {
        other.shutdown();
      }
      assertThat(longOf(sa, "SELECT last_insert_rowid()")).isEqualTo(2);
      assertThat(longOf(sa, "SELECT changes()")).isEqualTo(1);
      assertThat(longOf(sa, "SELECT total_changes()")).isEqualTo(2);
      assertThat(longOf(sb, "SELECT last_insert_rowid()")).isEqualTo(5);
      assertThat(longOf(sb, "select changes()")).isEqualTo(3);
      try (ResultSet keys = sa.getGeneratedKeys()) {
        assertThat(keys.next()).isFalse();
      }
      sa.executeUpdate("INSERT INTO t (v) VALUES ('a3')");
      try (ResultSet keys = sa.getGeneratedKeys()) {
        assertThat(keys.next()).isTrue();
        assertThat(keys.getLong(1)).isEqualTo(6);
      }
    }
  }

  private static long longOf(Statement s, String sql) throws SQLException {
    try (ResultSet r = s.executeQuery(sql)) {
      assertThat(r.next()).isTrue();
      return r.getLong(1);
    }
  }

  @Test
  void changingAnEnforcedPragmaIsRefusedButRestatingItIsNot() throws SQLException {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      assertThatThrownBy(() -> s.execute("PRAGMA journal_mode=DELETE"))
          .isInstanceOf(SQLException.class)
          .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("0A000"))
          .hasMessageContaining("journal_mode");
      // query_only is session state (design.md): the connection's own, as on plain SQLite.
      s.execute("PRAGMA query_only=0");
      s.execute("PRAGMA journal_mode=WAL");
      assertThat(s.executeUpdate("INSERT INTO t (v) VALUES ('a')")).isEqualTo(1);
    }
    assertThat(db.rawLong("SELECT count(*) FROM t")).isEqualTo(1);
  }

  @Test
  void syntaxErrorLeavesTheConnectionUsable() throws SQLException {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      assertThatThrownBy(() -> s.executeQuery("SELEC 1"))
          .isInstanceOf(org.sqlite.SQLiteException.class)
          .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("42000"));
      assertThat(count(s)).isZero();
    }
  }

  @Test
  void uniqueViolationIs23505AndNothingIsWritten() throws SQLException {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.executeUpdate("INSERT INTO t (v) VALUES ('a')");
      assertThatThrownBy(() -> s.executeUpdate("INSERT INTO t (v) VALUES ('a')"))
          .isInstanceOf(org.sqlite.SQLiteException.class)
          .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("23505"))
          .satisfies(e -> assertThat(((SQLException) e).getErrorCode()).isEqualTo(19));
      assertThat(count(s)).isEqualTo(1);
    }
  }

  @Test
  void useAfterCloseIs08003() throws SQLException {
    Connection c = ds.getConnection();
    Statement s = c.createStatement();
    c.close();
    assertThatThrownBy(() -> s.executeQuery("SELECT 1"))
        .isInstanceOf(SQLException.class)
        .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("08003"));
    assertThatThrownBy(c::createStatement)
        .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("08003"));
  }

  @Test
  void metadataWorksAndGivesTheReaderBack() throws SQLException {
    try (Connection c = ds.getConnection()) {
      for (int i = 0; i < 20; i++) {
        try (ResultSet tables = c.getMetaData().getTables(null, null, "t", null)) {
          assertThat(tables.next()).isTrue();
          assertThat(tables.getString("TABLE_NAME")).isEqualTo("t");
        }
      }
      assertThat(c.getMetaData().getDatabaseProductName()).isEqualTo("SQLite");
      assertThat(c.getMetaData().getConnection()).isSameAs(c);
    }
  }

  /**
   * Issue 22 item 5 (design.md "Work that moves between threads"): a connection that holds the
   * writer and goes on from another thread (a coroutine resumed on another carrier) leaves the
   * first thread free: another connection writing there waits its turn instead of failing with
   * 25001, and runs once the moved transaction commits.
   */
  @Test
  void aTransactionThatMovedToAnotherThreadLetsTheFirstThreadWaitItsTurn() throws Exception {
    ExecutorService first = Executors.newSingleThreadExecutor();
    ExecutorService second = Executors.newSingleThreadExecutor();
    try (Connection moving = ds.getConnection()) {
      // Given a transaction begun on one thread and continued on another
      first
          .submit(
              () -> {
                moving.setAutoCommit(false);
                try (Statement s = moving.createStatement()) {
                  return s.executeUpdate("INSERT INTO t (v) VALUES ('begun on first')");
                }
              })
          .get(10, TimeUnit.SECONDS);
      second
          .submit(
              () -> {
                try (Statement s = moving.createStatement()) {
                  return s.executeUpdate("INSERT INTO t (v) VALUES ('continued on second')");
                }
              })
          .get(10, TimeUnit.SECONDS);
      // When another connection writes on the first thread
      java.util.concurrent.Future<Integer> other =
          first.submit(
              () -> {
                try (Connection c = ds.getConnection();
                    Statement s = c.createStatement()) {
                  return s.executeUpdate("INSERT INTO t (v) VALUES ('other on first')");
                }
              });
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (db.registry.get("sluice.writer.queue").gauge().value() < 1 && !other.isDone()) {
        assertThat(System.nanoTime()).as("the other write never queued").isLessThan(deadline);
        Thread.onSpinWait();
      }
      // Then it waits for the moved transaction (no 25001) and runs after its commit
      assertThat(other.isDone()).isFalse();
      second
          .submit(
              () -> {
                moving.commit();
                return null;
              })
          .get(10, TimeUnit.SECONDS);
      assertThat(other.get(10, TimeUnit.SECONDS)).isEqualTo(1);
    } finally {
      first.shutdownNow();
      second.shutdownNow();
    }
    assertThat(db.rawLong("SELECT count(*) FROM t")).isEqualTo(3);
  }

  /**
   * A connection's close closes every statement and result set still open on it, whichever were
   * opened and closed before (it keeps its one open statement in a field and the others in a list
   * made when two are open at once).
   */
  @Test
  void closingAConnectionClosesEveryStatementAndResultSetStillOpenOnIt() throws SQLException {
    // Given a connection with result sets open on a reader, one statement closed in between
    try (Statement s = ds.getConnection().createStatement()) {
      s.executeUpdate("INSERT INTO t (v) VALUES ('a'), ('b'), ('c')");
      s.getConnection().close();
    }
    Connection c = ds.getConnection();
    Statement first = c.createStatement();
    ResultSet onFirst = first.executeQuery("SELECT id FROM t ORDER BY id");
    assertThat(onFirst.next()).isTrue();
    Statement second = c.createStatement();
    ResultSet onSecond = second.executeQuery("SELECT v FROM t ORDER BY v");
    assertThat(onSecond.next()).isTrue();
    first.close();
    Statement third = c.createStatement();
    ResultSet onThird = third.executeQuery("SELECT count(*) FROM t");
    assertThat(onThird.next()).isTrue();
    PreparedStatement fourth = c.prepareStatement("SELECT v FROM t WHERE id = ?");
    fourth.setInt(1, 1);
    ResultSet onFourth = fourth.executeQuery();
    assertThat(onFourth.next()).isTrue();

    // When the connection closes
    c.close();

    // Then everything on it is closed
    assertThat(List.of(first.isClosed(), second.isClosed(), third.isClosed(), fourth.isClosed()))
        .containsOnly(true);
    assertThat(List.of(onFirst.isClosed(), onSecond.isClosed(), onThird.isClosed()))
        .containsOnly(true);
    assertThat(onFourth.isClosed()).isTrue();
    try (Connection next = ds.getConnection();
        Statement s = next.createStatement()) {
      assertThat(count(s)).isEqualTo(3);
    }
  }
}
