package dev.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;

/**
 * Sixteen threads inserting into {@code item (id, thread, seq)} through a framework and keeping the
 * key the framework returned for each insert, so a test can check that every key is its own row:
 * the row with that id holds that thread and sequence number. Each thread starts at one barrier; a
 * failed insert is counted, never retried.
 *
 * <p>Thread-safe: each thread fills its own map; results are read after all threads ended.
 */
final class KeyedInserts {
  static final int THREADS = 16;
  static final int PER_THREAD = 25;

  /** One keyed insert, as a framework runs it: returns the generated key. */
  @FunctionalInterface
  interface Insert {
    long insert(int thread, int seq) throws Exception;
  }

  /** What the threads did: the key of every acknowledged insert, and the failures. */
  record Result(Map<Long, List<Integer>> keys, long failed, Exception firstFailure) {}

  private KeyedInserts() {}

  static void createTable(DataSource ds) throws SQLException {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.executeUpdate(
          "CREATE TABLE IF NOT EXISTS item"
              + " (id INTEGER PRIMARY KEY, thread INTEGER NOT NULL, seq INTEGER NOT NULL)");
    }
  }

  static Result run(Insert insert) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    CyclicBarrier start = new CyclicBarrier(THREADS);
    List<Future<Result>> futures = new ArrayList<>();
    try {
      for (int t = 0; t < THREADS; t++) {
        int thread = t;
        futures.add(
            pool.submit(
                () -> {
                  Map<Long, List<Integer>> keys = new HashMap<>();
                  long failed = 0;
                  Exception first = null;
                  start.await(30, TimeUnit.SECONDS);
                  for (int seq = 0; seq < PER_THREAD; seq++) {
                    try {
                      long key = insert.insert(thread, seq);
                      assertThat(keys.put(key, List.of(thread, seq)))
                          .as("key %d returned twice to thread %d", key, thread)
                          .isNull();
                    } catch (Exception e) {
                      failed++;
                      if (first == null) {
                        first = e;
                      }
                    }
                  }
                  return new Result(keys, failed, first);
                }));
      }
      Map<Long, List<Integer>> keys = new HashMap<>();
      long failed = 0;
      Exception first = null;
      for (Future<Result> f : futures) {
        Result r = f.get(120, TimeUnit.SECONDS);
        for (var e : r.keys().entrySet()) {
          assertThat(keys.put(e.getKey(), e.getValue()))
              .as("key %d returned to two threads", e.getKey())
              .isNull();
        }
        failed += r.failed();
        if (first == null) {
          first = r.firstFailure();
        }
      }
      return new Result(keys, failed, first);
    } finally {
      pool.shutdownNow();
    }
  }

  /** Asserts that each returned key is the row of the insert that got it. */
  static void assertEveryKeyIsItsOwnRow(Target target, Result result) throws SQLException {
    Map<Long, List<Integer>> rows = new HashMap<>();
    try (Connection c = DriverManager.getConnection(target.plainUrl());
        Statement s = c.createStatement();
        var rs = s.executeQuery("SELECT id, thread, seq FROM item")) {
      while (rs.next()) {
        rows.put(rs.getLong(1), List.of(rs.getInt(2), rs.getInt(3)));
      }
    }
    assertThat(rows).containsAllEntriesOf(result.keys());
  }
}
