package dev.sluice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransactionRollbackException;
import java.sql.Statement;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * design.md's Retry section against a real lock held by another connection (as another process
 * would). Coordination is by observed retries (the {@code sluice.retries} meter), never by sleeps.
 */
class RetryTest {
  @RegisterExtension final TestDatabase db = new TestDatabase();
  private ExecutorService pool;

  @BeforeEach
  void setUp() throws SQLException {
    pool = Executors.newFixedThreadPool(2);
    db.rawExec(
        "PRAGMA journal_mode=WAL", "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)");
  }

  @AfterEach
  void tearDown() {
    pool.shutdownNow();
  }

  private SluiceDataSource dataSource(int attempts, long maxDurationMillis) throws SQLException {
    return db.track(
        db.builder()
            .pragma("busy_timeout", "5")
            .option("sluice.retry.attempts", Integer.toString(attempts))
            .option("sluice.retry.initialDelay", "5")
            .option("sluice.retry.maxDelay", "20")
            .option("sluice.retry.maxDuration", Long.toString(maxDurationMillis))
            .build());
  }

  private double retries() {
    return db.registry.find("sluice.retries").counters().stream().mapToDouble(c -> c.count()).sum();
  }

  /** Waits (bounded) until Sluice has retried at least once. */
  private void awaitRetry() throws TimeoutException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (retries() < 1) {
      if (System.nanoTime() > deadline) {
        throw new TimeoutException("no retry observed");
      }
      Thread.onSpinWait();
    }
  }

  @Test
  void autoCommitWriteSucceedsOnceTheOtherProcessLetsGo() throws Exception {
    SluiceDataSource ds = dataSource(1000, 30_000);
    try (LockHolder other = new LockHolder(db.sqliteUrl())) {
      other.exec("INSERT INTO t (v) VALUES ('other')");
      Future<Long> insert =
          pool.submit(
              () -> {
                try (Connection c = ds.getConnection();
                    PreparedStatement ps =
                        c.prepareStatement("INSERT INTO t (v) VALUES ('mine')")) {
                  assertThat(ps.executeUpdate()).isEqualTo(1);
                  try (ResultSet k = ps.getGeneratedKeys()) {
                    k.next();
                    return k.getLong(1);
                  }
                }
              });
      awaitRetry();
      other.release();
      long key = insert.get(20, TimeUnit.SECONDS);
      // The other side's row took id 1 while we waited: the key is the one of our attempt.
      assertThat(key).isEqualTo(2);
      assertThat(db.rawLong("SELECT count(*) FROM t WHERE id = " + key + " AND v = 'mine'"))
          .isEqualTo(1);
    }
    assertThat(db.rawLong("SELECT count(*) FROM t")).isEqualTo(2);
  }

  @Test
  void exhaustedRetriesSayHowManyAttemptsOverHowLong() throws Exception {
    SluiceDataSource ds = dataSource(3, 10_000);
    try (LockHolder other = new LockHolder(db.sqliteUrl());
        Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      assertThatThrownBy(() -> s.executeUpdate("INSERT INTO t (v) VALUES ('x')"))
          .isInstanceOf(org.sqlite.SQLiteException.class)
          .hasMessageContaining("Gave up after 3 attempts over")
          .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("40001"))
          .satisfies(e -> assertThat(((SQLException) e).getErrorCode()).isEqualTo(5))
          .satisfies(e -> assertThat(e.getCause()).isInstanceOf(org.sqlite.SQLiteException.class));
      other.release();
      assertThat(s.executeUpdate("INSERT INTO t (v) VALUES ('after')")).isEqualTo(1);
    }
    assertThat(retries()).isEqualTo(2);
    assertThat(db.registry.get("sluice.retries.exhausted").tag("route", "write").counter().count())
        .isEqualTo(1);
    assertThat(db.rawLong("SELECT count(*) FROM t")).isEqualTo(1);
  }

  @Test
  void busyInsideAnOpenTransactionFailsAtOnceWith40001() throws Exception {
    SluiceDataSource ds = dataSource(1000, 30_000);
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.execute("BEGIN");
      try (ResultSet r = s.executeQuery("SELECT count(*) FROM t")) {
        r.next();
      }
      db.rawExec("INSERT INTO t (v) VALUES ('other')");
      // Our snapshot is older than the other commit: SQLITE_BUSY_SNAPSHOT, no wait can help.
      assertThatThrownBy(() -> s.executeUpdate("INSERT INTO t (v) VALUES ('mine')"))
          .isInstanceOf(org.sqlite.SQLiteException.class)
          .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("40001"));
      s.execute("ROLLBACK");
    }
    assertThat(retries()).isZero();
    assertThat(db.rawLong("SELECT count(*) FROM t")).isEqualTo(1);
  }

  @Test
  void inTransactionRetriesTheWholeUnitAndCommitsExactlyOnce() throws Exception {
    SluiceDataSource ds = dataSource(5, 10_000);
    AtomicInteger runs = new AtomicInteger();
    long id =
        ds.inTransaction(
            c -> {
              int run = runs.incrementAndGet();
              try (Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO t (v) VALUES ('run " + run + "')");
              }
              if (run == 1) {
                throw new SQLTransactionRollbackException("lost a race", "40001", 5);
              }
              try (Statement s = c.createStatement();
                  ResultSet r = s.executeQuery("SELECT last_insert_rowid()")) {
                r.next();
                return r.getLong(1);
              }
            });
    assertThat(runs.get()).isEqualTo(2);
    assertThat(db.rawLong("SELECT count(*) FROM t")).isEqualTo(1);
    assertThat(db.rawLong("SELECT count(*) FROM t WHERE v = 'run 2' AND id = " + id)).isEqualTo(1);
  }

  /** A unit written with a framework sees its 40001 wrapped in the framework's unchecked type. */
  @Test
  void inTransactionRetriesAUnitWhose40001ArrivesWrappedInAnUncheckedException() throws Exception {
    SluiceDataSource ds = dataSource(5, 10_000);
    AtomicInteger runs = new AtomicInteger();
    int inserted =
        ds.inTransaction(
            c -> {
              int run = runs.incrementAndGet();
              try (Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO t (v) VALUES ('run " + run + "')");
              }
              if (run == 1) {
                throw new IllegalStateException(
                    "framework", new SQLTransactionRollbackException("lost a race", "40001", 5));
              }
              return run;
            });
    assertThat(inserted).isEqualTo(2);
    assertThat(db.rawLong("SELECT count(*) FROM t")).isEqualTo(1);
    assertThat(db.rawLong("SELECT count(*) FROM t WHERE v = 'run 2'")).isEqualTo(1);
  }

  /** An unchecked failure without a lock in its causes is the unit's own: thrown at once. */
  @Test
  void inTransactionThrowsOtherUncheckedFailuresAtOnce() throws Exception {
    SluiceDataSource ds = dataSource(5, 10_000);
    AtomicInteger runs = new AtomicInteger();
    IllegalStateException own = new IllegalStateException("no", new SQLException("other", "23505"));
    assertThatThrownBy(
            () ->
                ds.inTransaction(
                    c -> {
                      runs.incrementAndGet();
                      throw own;
                    }))
        .isSameAs(own);
    assertThat(runs.get()).isEqualTo(1);
  }

  @Test
  void inTransactionWaitsForAnotherProcessesLock() throws Exception {
    SluiceDataSource ds = dataSource(1000, 30_000);
    try (LockHolder other = new LockHolder(db.sqliteUrl())) {
      Future<Integer> unit =
          pool.submit(
              () ->
                  ds.inTransaction(
                      c -> {
                        try (Statement s = c.createStatement()) {
                          return s.executeUpdate("INSERT INTO t (v) VALUES ('unit')");
                        }
                      }));
      awaitRetry();
      other.release();
      assertThat(unit.get(20, TimeUnit.SECONDS)).isEqualTo(1);
    }
    assertThat(db.rawLong("SELECT count(*) FROM t WHERE v = 'unit'")).isEqualTo(1);
  }

  @Test
  void interruptedWhileWaitingForARetryGivesSqlExceptionAndKeepsTheFlag() throws Exception {
    SluiceDataSource ds = dataSource(100_000, 60_000);
    AtomicBoolean flagKept = new AtomicBoolean();
    try (LockHolder other = new LockHolder(db.sqliteUrl())) {
      Future<Throwable> insert =
          pool.submit(
              () -> {
                try (Connection c = ds.getConnection();
                    Statement s = c.createStatement()) {
                  s.executeUpdate("INSERT INTO t (v) VALUES ('never')");
                  return null;
                } catch (SQLException e) {
                  flagKept.set(Thread.currentThread().isInterrupted());
                  return e;
                }
              });
      awaitRetry();
      insert.cancel(true);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (!flagKept.get() && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      assertThat(flagKept).isTrue();
    }
    assertThat(db.rawLong("SELECT count(*) FROM t")).isZero();
  }
}
