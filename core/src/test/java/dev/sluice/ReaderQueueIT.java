package dev.sluice;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Reads that queue for a reader (issue 22, where thousands of virtual threads queue on every read):
 * however long the queue, each read gives up after its own acquire timeout, not after those of the
 * reads ahead of it, and the queue goes on serving reads afterwards. A change to how reads are
 * admitted (a queue in front of the reader permits, waited in without a timeout) must keep this.
 */
class ReaderQueueIT {
  private static final int WAITERS = 16;
  private static final long ACQUIRE_MILLIS = 2_000;

  @RegisterExtension final TestDatabase db = new TestDatabase();

  @Test
  void everyQueuedReadGivesUpAtItsOwnAcquireTimeoutAndTheQueueServesReadsAfterwards()
      throws Exception {
    // Given one reader, held by an open result set of another connection
    SluiceDataSource ds =
        db.track(
            db.builder()
                .readers(1)
                .option("sluice.reader.acquireTimeout", Long.toString(ACQUIRE_MILLIS))
                .build());
    ExecutorService pool = Executors.newFixedThreadPool(WAITERS);
    try (Connection holder = ds.getConnection();
        Statement hs = holder.createStatement()) {
      hs.execute("CREATE TABLE t (x INTEGER)");
      hs.execute("INSERT INTO t VALUES (1), (2), (3)");
      ResultSet open = hs.executeQuery("SELECT x FROM t");
      assertThat(open.next()).isTrue();

      // When 16 threads read at once, queueing one behind the other for the only reader
      CountDownLatch start = new CountDownLatch(1);
      List<Future<SQLException>> reads = new ArrayList<>();
      for (int i = 0; i < WAITERS; i++) {
        reads.add(
            pool.submit(
                () -> {
                  start.await();
                  try (Connection c = ds.getConnection();
                      Statement s = c.createStatement()) {
                    s.executeQuery("SELECT count(*) FROM t").close();
                    return null;
                  } catch (SQLException e) {
                    return e;
                  }
                }));
      }
      start.countDown();

      // Then every one fails with 08001 (transient) within a bound far below 16 acquire timeouts
      // one after the other (each would wait out those ahead of it)
      long boundMillis = ACQUIRE_MILLIS * WAITERS / 2;
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(boundMillis);
      for (Future<SQLException> read : reads) {
        SQLException e = read.get(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
        assertThat((Throwable) e).isInstanceOf(SQLTransientConnectionException.class);
        assertThat(e.getSQLState()).isEqualTo("08001");
      }
      // and the holder goes on reading its rows
      assertThat(open.next()).isTrue();
      assertThat(open.getInt(1)).isEqualTo(2);
      open.close();

      // And once the reader is free, 16 reads at once all succeed through the same queue
      CountDownLatch again = new CountDownLatch(1);
      List<Future<Long>> sums = new ArrayList<>();
      for (int i = 0; i < WAITERS; i++) {
        sums.add(
            pool.submit(
                () -> {
                  again.await();
                  try (Connection c = ds.getConnection();
                      Statement s = c.createStatement();
                      ResultSet r = s.executeQuery("SELECT sum(x) FROM t")) {
                    r.next();
                    return r.getLong(1);
                  }
                }));
      }
      again.countDown();
      for (Future<Long> sum : sums) {
        assertThat(sum.get(30, TimeUnit.SECONDS)).isEqualTo(6L);
      }
    } finally {
      pool.shutdownNow();
      assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    }
  }
}
