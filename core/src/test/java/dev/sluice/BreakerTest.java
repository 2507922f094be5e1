package dev.sluice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The write breaker (issue 10) against a lock held by another connection, as a process would. */
class BreakerTest {
  @RegisterExtension final TestDatabase db = new TestDatabase();
  private ExecutorService pool;

  @BeforeEach
  void setUp() throws SQLException {
    pool = Executors.newFixedThreadPool(3);
    db.rawExec("PRAGMA journal_mode=WAL", "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
  }

  @AfterEach
  void tearDown() {
    pool.shutdownNow();
  }

  private SluiceDataSource dataSource(int failures, long delayMillis) throws SQLException {
    return db.track(
        db.builder()
            .pragma("busy_timeout", "5")
            .option("sluice.retry.attempts", "3")
            .option("sluice.retry.initialDelay", "5")
            .option("sluice.retry.maxDelay", "10")
            .option("sluice.breaker.failures", Integer.toString(failures))
            .option("sluice.breaker.delay", Long.toString(delayMillis))
            .build());
  }

  private double meter(String name) {
    return db.registry.find(name).counters().stream().mapToDouble(c -> c.count()).sum();
  }

  private double breakerState() {
    return db.registry.get("sluice.breaker.state").gauge().value();
  }

  private static void insert(SluiceDataSource ds, String v) throws SQLException {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.executeUpdate("INSERT INTO t (v) VALUES ('" + v + "')");
    }
  }

  @Test
  void opensAfterConsecutiveLockedWritesFailsFastKeepsReadsAndClosesAfterAProbe() throws Exception {
    SluiceDataSource ds = dataSource(2, 300);
    LockHolder other = db.track(new LockHolder(db.sqliteUrl()));
    for (int i = 0; i < 2; i++) {
      assertThatThrownBy(() -> insert(ds, "locked"))
          .isInstanceOf(org.sqlite.SQLiteException.class)
          .hasMessageContaining("Gave up after 3 attempts");
    }
    assertThat(breakerState()).isEqualTo(1);
    double retriesBefore = meter("sluice.retries");
    assertThatThrownBy(() -> insert(ds, "fast"))
        .isInstanceOf(SQLTransientConnectionException.class)
        .hasMessageContaining("locked by another process")
        .hasMessageContaining("tries again in")
        .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("08001"));
    assertThat(meter("sluice.retries")).as("failed fast: no retry").isEqualTo(retriesBefore);
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT count(*) FROM t")) {
      r.next();
      assertThat(r.getLong(1)).as("reads are not affected").isZero();
    }
    other.release();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    boolean written = false;
    while (!written) {
      try {
        insert(ds, "after");
        written = true;
      } catch (SQLTransientConnectionException stillOpen) {
        if (System.nanoTime() > deadline) {
          throw new TimeoutException("breaker never let a probe through");
        }
        Thread.onSpinWait();
      }
    }
    assertThat(breakerState()).isZero();
    insert(ds, "flowing");
    assertThat(db.rawLong("SELECT count(*) FROM t")).isEqualTo(2);
  }

  @Test
  void queuedWritersAreReleasedAtOnceWhenTheBreakerOpens() throws Exception {
    SluiceDataSource ds =
        db.track(
            db.builder()
                .pragma("busy_timeout", "5")
                .option("sluice.retry.attempts", "100000")
                .option("sluice.retry.initialDelay", "5")
                .option("sluice.retry.maxDelay", "10")
                .option("sluice.retry.maxDuration", "1500")
                .option("sluice.breaker.failures", "1")
                .option("sluice.breaker.delay", "60000")
                .build());
    LockHolder other = db.track(new LockHolder(db.sqliteUrl()));
    // The first writer holds the writer while it retries against the other process's lock.
    Future<Throwable> first = pool.submit(() -> failureOf(ds));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (meter("sluice.retries") < 1) {
      if (System.nanoTime() > deadline) {
        throw new TimeoutException("first writer never retried");
      }
      Thread.onSpinWait();
    }
    List<Future<Throwable>> queued = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      queued.add(pool.submit(() -> failureOf(ds)));
    }
    while (db.registry.get("sluice.writer.queue").gauge().value() < 2) {
      if (System.nanoTime() > deadline) {
        throw new TimeoutException("writers never queued");
      }
      Thread.onSpinWait();
    }
    assertThat(first.get(10, TimeUnit.SECONDS))
        .isInstanceOf(org.sqlite.SQLiteException.class)
        .hasMessageContaining("Gave up");
    for (Future<Throwable> f : queued) {
      assertThat(f.get(10, TimeUnit.SECONDS))
          .isInstanceOf(SQLTransientConnectionException.class)
          .hasMessageContaining("locked by another process");
    }
    assertThat(meter("sluice.retries.exhausted")).as("only the first writer waited").isEqualTo(1);
    other.release();
    assertThat(db.rawLong("SELECT count(*) FROM t")).isZero();
  }

  private static Throwable failureOf(SluiceDataSource ds) {
    try {
      insert(ds, "queued");
      return null;
    } catch (SQLException e) {
      return e;
    }
  }
}
