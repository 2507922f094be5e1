package dev.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Application threads that keep inserting into {@code event (thread, seq)} while a migration runs,
 * each on a connection of its own, and remember which inserts were acknowledged and which failed,
 * so a test can check the file afterwards: acknowledged = stored, failed = absent. {@link #start()}
 * returns once every thread has tried its first insert, so the migration that follows runs beside
 * them. Each thread stops when told to or after {@link #MAX_PER_THREAD} inserts.
 *
 * <p>Thread-safe: the writer threads only share the stop flag and their own result objects.
 */
final class Writers implements AutoCloseable {
  static final int THREADS = 4;
  static final int MAX_PER_THREAD = 100_000;

  private final Target target;
  private final ExecutorService pool = Executors.newFixedThreadPool(THREADS);
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final CountDownLatch started = new CountDownLatch(THREADS);
  private final List<Future<Result>> futures = new ArrayList<>();

  /** What one thread did: the sequence numbers acknowledged and those that failed. */
  record Result(int thread, BitSet acknowledged, BitSet failed, SQLException firstFailure) {}

  Writers(Target target) {
    this.target = target;
  }

  void start() throws InterruptedException {
    for (int t = 0; t < THREADS; t++) {
      int thread = t;
      futures.add(pool.submit(() -> write(thread)));
    }
    assertThat(started.await(60, TimeUnit.SECONDS)).as("writers started").isTrue();
  }

  private Result write(int thread) {
    BitSet acknowledged = new BitSet();
    BitSet failed = new BitSet();
    SQLException first = null;
    boolean counted = false;
    try (Connection c = target.connection();
        PreparedStatement ps =
            c.prepareStatement("INSERT INTO event (thread, seq) VALUES (?, ?)")) {
      for (int seq = 1; seq <= MAX_PER_THREAD; seq++) {
        ps.setInt(1, thread);
        ps.setInt(2, seq);
        try {
          ps.executeUpdate();
          acknowledged.set(seq);
        } catch (SQLException e) {
          failed.set(seq);
          if (first == null) {
            first = e;
          }
        }
        if (!counted) {
          counted = true;
          started.countDown();
        }
        if (!running.get()) {
          break;
        }
      }
    } catch (SQLException e) {
      // Opening or preparing failed (plain sqlite-jdbc meets the lock there too): this thread
      // wrote nothing, and counts as one failed write.
      failed.set(0);
      if (first == null) {
        first = e;
      }
    } finally {
      if (!counted) {
        started.countDown();
      }
    }
    return new Result(thread, acknowledged, failed, first);
  }

  /** Stops the threads and returns what each did. */
  List<Result> stop() throws Exception {
    running.set(false);
    List<Result> results = new ArrayList<>();
    for (Future<Result> f : futures) {
      results.add(f.get(120, TimeUnit.SECONDS));
    }
    return results;
  }

  /** Asserts that the file holds exactly the acknowledged inserts of every thread. */
  static void assertStoredExactlyAcknowledged(Target target, List<Result> results)
      throws SQLException {
    for (Result r : results) {
      BitSet stored = new BitSet();
      for (Object seq : target.query("SELECT seq FROM event WHERE thread = " + r.thread())) {
        stored.set(((Number) seq).intValue());
      }
      assertThat(stored)
          .as("thread %d: stored = acknowledged", r.thread())
          .isEqualTo(r.acknowledged());
    }
  }

  static long acknowledged(List<Result> results) {
    return results.stream().mapToLong(r -> r.acknowledged().cardinality()).sum();
  }

  static long failed(List<Result> results) {
    return results.stream().mapToLong(r -> r.failed().cardinality()).sum();
  }

  @Override
  public void close() {
    running.set(false);
    pool.shutdownNow();
  }
}
