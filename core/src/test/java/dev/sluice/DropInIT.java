package dev.sluice;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.sluice.DropIn.Outcome;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Drop-in patterns on several threads, run through {@link DropIn} against plain sqlite-jdbc and
 * Sluice. Bounded: at most 16 threads, a fixed number of operations, every future awaited with a
 * timeout, the first failure rethrown so that it becomes the outcome.
 */
class DropInIT {
  private static final int ROWS = 20;

  /**
   * Runs {@code task} on {@code threads} threads after a common start and returns the results in
   * order; the first failure is rethrown as the thread threw it.
   */
  private static <T> List<T> onThreads(int threads, Callable<T> task) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<T>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  return task.call();
                }));
      }
      start.countDown();
      List<T> results = new ArrayList<>();
      Exception first = null;
      for (Future<T> f : futures) {
        try {
          results.add(f.get(60, TimeUnit.SECONDS));
        } catch (ExecutionException e) {
          Exception cause = e.getCause() instanceof Exception c ? c : e;
          first = first == null ? cause : first;
        }
      }
      if (first != null) {
        throw first;
      }
      return results;
    } finally {
      pool.shutdownNow();
      pool.awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  private static void createRows(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)");
      s.execute(
          "WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < "
              + ROWS
              + ") INSERT INTO t (id, v) SELECT i, 'v' || i FROM n");
    }
  }

  @Test
  void lookupPerRowOnSixteenThreadsWithTwoReaders() throws Exception {
    Outcome outcome =
        DropIn.same(
            db -> {
              // Given 20 rows
              try (Connection c = db.connect()) {
                createRows(c);
              }
              // When 16 threads each look up every id of an open result set on their own connection
              List<Integer> found =
                  onThreads(
                      16,
                      () -> {
                        int values = 0;
                        try (Connection c = db.connect();
                            Statement outer = c.createStatement();
                            ResultSet ids = outer.executeQuery("SELECT id FROM t");
                            PreparedStatement inner =
                                c.prepareStatement("SELECT v FROM t WHERE id = ?")) {
                          while (ids.next()) {
                            inner.setInt(1, ids.getInt(1));
                            try (ResultSet v = inner.executeQuery()) {
                              values += v.next() ? 1 : 0;
                            }
                          }
                        }
                        return values;
                      });
              return found;
            });
    // Then every thread found every row
    assertThat(outcome.result()).hasSize(16).containsOnly(String.valueOf(ROWS));
  }

  @Test
  void pooledConnectionsThatRanAnInitPragmaWriteInParallel() throws Exception {
    Outcome outcome =
        DropIn.same(
            db -> {
              // Given a HikariCP pool of 4 whose connections turn foreign keys on
              HikariDataSource pool = db.hikari(4, "PRAGMA foreign_keys=ON");
              try (Connection c = pool.getConnection();
                  Statement s = c.createStatement()) {
                s.execute("CREATE TABLE t (thread INTEGER, step INTEGER)");
              }
              // When 4 threads each write, do other work while holding their connection, write
              // again
              CyclicBarrier otherWork = new CyclicBarrier(4);
              AtomicInteger threads = new AtomicInteger();
              List<Integer> steps =
                  onThreads(
                      4,
                      () -> {
                        int thread = threads.incrementAndGet();
                        try (Connection c = pool.getConnection();
                            PreparedStatement insert =
                                c.prepareStatement("INSERT INTO t VALUES (?, ?)")) {
                          insert.setInt(1, thread);
                          insert.setInt(2, 1);
                          insert.executeUpdate();
                          // Every thread is between its two writes at once: the holds overlap
                          otherWork.await(5, TimeUnit.SECONDS);
                          insert.setInt(2, 2);
                          return insert.executeUpdate();
                        }
                      });
              return steps;
            });
    // Then all four got through the barrier and wrote twice
    assertThat(outcome.result()).containsExactly("1", "1", "1", "1");
    assertThat(outcome.content()).hasSize(8);
  }
}
