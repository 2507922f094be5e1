package dev.sluice;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A child process for {@link MultiProcessIT}: {@code threads} threads each insert {@code count}
 * rows through the given URL, then one line {@code ok=<n> failed=<m> p50=.. p95=.. p99=..} (ms)
 * goes to standard output. Arguments: url, process id, threads, count, and optionally the table
 * ({@code item} by default).
 */
public final class InsertChild {
  private InsertChild() {}

  @SuppressWarnings("SystemOut")
  public static void main(String[] args) throws Exception {
    String url = args[0];
    int process = Integer.parseInt(args[1]);
    int threads = Integer.parseInt(args[2]);
    int count = Integer.parseInt(args[3]);
    String table = args.length > 4 ? args[4] : "item";
    AtomicInteger ok = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    long[] latencies = new long[threads * count];
    AtomicInteger slot = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<?>> futures = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      futures.add(
          pool.submit(
              () -> {
                for (int i = 0; i < count; i++) {
                  long start = System.nanoTime();
                  try (Connection c = DriverManager.getConnection(url);
                      PreparedStatement ps =
                          c.prepareStatement(
                              "INSERT INTO "
                                  + table
                                  + " (process, thread, seq) VALUES (?, ?, ?)")) {
                    ps.setInt(1, process);
                    ps.setInt(2, thread);
                    ps.setInt(3, i);
                    ps.executeUpdate();
                    ok.incrementAndGet();
                  } catch (SQLException e) {
                    failed.incrementAndGet();
                    System.err.println("insert failed: " + e);
                  }
                  latencies[slot.getAndIncrement()] = System.nanoTime() - start;
                }
                return null;
              }));
    }
    for (Future<?> f : futures) {
      f.get(5, TimeUnit.MINUTES);
    }
    pool.shutdown();
    java.util.Arrays.sort(latencies);
    System.out.println(
        "ok="
            + ok.get()
            + " failed="
            + failed.get()
            + " p50="
            + millis(latencies, 0.50)
            + " p95="
            + millis(latencies, 0.95)
            + " p99="
            + millis(latencies, 0.99));
  }

  private static String millis(long[] sorted, double q) {
    long v = sorted[Math.min(sorted.length - 1, (int) (sorted.length * q))];
    return String.format(java.util.Locale.ROOT, "%.2f", v / 1e6);
  }
}
