package dev.sluice.examples;

import dev.sluice.SluiceDataSource;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The group commit benchmark (issue targets: 32 threads of auto-commit inserts through Sluice at
 * least 2x one raw connection's sequential auto-commit rate with {@code synchronous=NORMAL}, 10x
 * with {@code synchronous=FULL}; one thread no more than 5 % slower with group commit on than off).
 *
 * <p>For each {@code synchronous} setting, in one run and interleaved over several rounds: one raw
 * sqlite-jdbc connection (WAL, one reused prepared statement, auto-commit) inserting sequentially,
 * and Sluice with group commit on and off, at 1 and 32 threads, each thread with its own logical
 * connection and reused prepared statement. Every run is time-boxed; the rate is inserts per
 * second, the latencies are per {@code executeUpdate}. After each run the row count is checked
 * against the acknowledged inserts. Prints a markdown table of the medians over the rounds.
 *
 * <pre>
 * ./mvnw -q -B -DskipTests -pl examples -am package exec:java \
 *     -Ddemo.main=dev.sluice.examples.GroupCommitBench -Dexec.args="--seconds 2 --rounds 3"
 * </pre>
 */
public final class GroupCommitBench {
  private static final String INSERT = "INSERT INTO t (v) VALUES (?)";

  /** One measured run. */
  private record Result(double rate, long p50, long p99, double groupMean, double groupMax) {}

  private final Path dir;
  private final double seconds;
  private int runs;

  private GroupCommitBench(Path dir, double seconds) {
    this.dir = dir;
    this.seconds = seconds;
  }

  public static void main(String[] args) throws Exception {
    double seconds = 2;
    int rounds = 3;
    String[] syncs = {"NORMAL", "FULL"};
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--seconds" -> seconds = Double.parseDouble(args[++i]);
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--sync" -> syncs = new String[] {args[++i]};
        default ->
            throw new IllegalArgumentException(
                "Unknown argument "
                    + args[i]
                    + " (use --seconds <s>, --rounds <n>, --sync NORMAL|FULL)");
      }
    }
    Path dir = Files.createTempDirectory("sluice-group-bench");
    GroupCommitBench bench = new GroupCommitBench(dir, seconds);
    StringBuilder table = new StringBuilder();
    table.append(
        "| synchronous | target | threads | inserts/s | vs raw | p50 us | p99 us | group mean |"
            + " group max |\n");
    table.append("|---|---|---|---|---|---|---|---|---|\n");
    for (String sync : syncs) {
      bench.measure(sync, rounds, table);
    }
    System.out.print(table);
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path f : files) {
        Files.deleteIfExists(f);
      }
    }
    Files.deleteIfExists(dir);
  }

  private void measure(String sync, int rounds, StringBuilder table) throws Exception {
    // Warm-up: the JIT, the native library, the file system.
    raw(sync, seconds / 2);
    sluice(sync, true, 32, seconds / 2);
    sluice(sync, false, 32, seconds / 2);
    List<Result> raw = new ArrayList<>();
    List<Result> on1 = new ArrayList<>();
    List<Result> off1 = new ArrayList<>();
    List<Result> on32 = new ArrayList<>();
    List<Result> off32 = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      System.err.printf(Locale.ROOT, "synchronous=%s round %d/%d%n", sync, r + 1, rounds);
      raw.add(raw(sync, seconds));
      // Alternate which goes first, against drift.
      if (r % 2 == 0) {
        on1.add(sluice(sync, true, 1, seconds));
        off1.add(sluice(sync, false, 1, seconds));
      } else {
        off1.add(sluice(sync, false, 1, seconds));
        on1.add(sluice(sync, true, 1, seconds));
      }
      on32.add(sluice(sync, true, 32, seconds));
      off32.add(sluice(sync, false, 32, seconds));
    }
    double base = median(raw).rate();
    row(table, sync, "raw sqlite-jdbc, 1 connection", 1, median(raw), base);
    row(table, sync, "Sluice, group commit off", 1, median(off1), base);
    row(table, sync, "Sluice, group commit on", 1, median(on1), base);
    row(table, sync, "Sluice, group commit off", 32, median(off32), base);
    row(table, sync, "Sluice, group commit on", 32, median(on32), base);
    System.err.printf(
        Locale.ROOT,
        "synchronous=%s: 32 threads on = %.2fx raw (rounds: %s); 1 thread on/off = %.3f (rounds:"
            + " on %s, off %s x raw)%n",
        sync,
        median(on32).rate() / base,
        rates(on32, base),
        median(on1).rate() / median(off1).rate(),
        rates(on1, base),
        rates(off1, base));
  }

  private static void row(
      StringBuilder table, String sync, String target, int threads, Result r, double base) {
    table.append(
        String.format(
            Locale.ROOT,
            "| %s | %s | %d | %,.0f | %.2fx | %.1f | %.1f | %s | %s |%n",
            sync,
            target,
            threads,
            r.rate(),
            r.rate() / base,
            r.p50() / 1e3,
            r.p99() / 1e3,
            Double.isNaN(r.groupMean()) ? "-" : String.format(Locale.ROOT, "%.1f", r.groupMean()),
            Double.isNaN(r.groupMax()) ? "-" : String.format(Locale.ROOT, "%.0f", r.groupMax())));
  }

  private static String rates(List<Result> results, double base) {
    StringBuilder b = new StringBuilder();
    for (Result r : results) {
      b.append(b.length() == 0 ? "" : ", ")
          .append(String.format(Locale.ROOT, "%.2f", r.rate() / base));
    }
    return b.toString();
  }

  /** The result with the median rate. */
  private static Result median(List<Result> results) {
    Result[] sorted = results.toArray(new Result[0]);
    Arrays.sort(sorted, (a, b) -> Double.compare(a.rate(), b.rate()));
    return sorted[sorted.length / 2];
  }

  private Path newFile() {
    runs++;
    return dir.resolve("bench-" + runs + ".db");
  }

  private static void createTable(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)");
    }
  }

  /** One raw sqlite-jdbc connection inserting sequentially in auto-commit. */
  private Result raw(String sync, double secs) throws SQLException {
    Latencies lat = new Latencies();
    long done = 0;
    Path file = newFile();
    long elapsed;
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
      try (Statement s = c.createStatement()) {
        s.execute("PRAGMA journal_mode=WAL");
        s.execute("PRAGMA synchronous=" + sync);
      }
      createTable(c);
      try (PreparedStatement ps = c.prepareStatement(INSERT)) {
        long start = System.nanoTime();
        long end = start + (long) (secs * 1e9);
        long now = start;
        while (now < end) {
          ps.setString(1, "raw-" + done);
          ps.executeUpdate();
          long after = System.nanoTime();
          lat.add(after - now);
          now = after;
          done++;
        }
        elapsed = now - start;
      }
      check(c, done);
    }
    return new Result(
        done / (elapsed / 1e9), lat.percentile(50), lat.percentile(99), Double.NaN, Double.NaN);
  }

  /** Sluice, {@code threads} threads inserting, each with its own connection and statement. */
  private Result sluice(String sync, boolean group, int threads, double secs) throws Exception {
    Path file = newFile();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    AtomicLong done = new AtomicLong();
    Latencies all = new Latencies();
    long elapsed;
    double groupMean;
    double groupMax;
    try (SluiceDataSource ds =
        SluiceDataSource.builder()
            .url("jdbc:sqlite:" + file)
            .name("group-bench-" + runs)
            .pragma("synchronous", sync)
            .option("sluice.writer.groupCommit", Boolean.toString(group))
            .meterRegistry(registry)
            .build()) {
      try (Connection c = ds.getConnection()) {
        createTable(c);
      }
      CountDownLatch ready = new CountDownLatch(threads);
      CountDownLatch go = new CountDownLatch(1);
      Latencies[] lats = new Latencies[threads];
      Thread[] workers = new Thread[threads];
      long[] window = new long[2];
      List<Throwable> failures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        Latencies lat = new Latencies();
        lats[t] = lat;
        int id = t;
        workers[t] =
            new Thread(
                () -> {
                  try (Connection c = ds.getConnection();
                      PreparedStatement ps = c.prepareStatement(INSERT)) {
                    ready.countDown();
                    go.await();
                    long end = window[1];
                    long now = System.nanoTime();
                    int i = 0;
                    while (now < end) {
                      ps.setString(1, "t" + id + "-" + i++);
                      if (ps.executeUpdate() != 1) {
                        throw new IllegalStateException("update count not 1");
                      }
                      long after = System.nanoTime();
                      lat.add(after - now);
                      now = after;
                      done.incrementAndGet();
                    }
                  } catch (Exception | Error e) {
                    synchronized (failures) {
                      failures.add(e);
                    }
                  }
                },
                "group-bench-" + t);
        workers[t].start();
      }
      if (!ready.await(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("workers did not start");
      }
      window[0] = System.nanoTime();
      window[1] = window[0] + (long) (secs * 1e9);
      go.countDown();
      for (Thread w : workers) {
        w.join(TimeUnit.SECONDS.toMillis(60) + (long) (secs * 1000));
        if (w.isAlive()) {
          throw new IllegalStateException(w.getName() + " did not finish");
        }
      }
      elapsed = System.nanoTime() - window[0];
      if (!failures.isEmpty()) {
        throw new IllegalStateException("a worker failed", failures.get(0));
      }
      for (Latencies l : lats) {
        all.addAll(l);
      }
      try (Connection c = ds.getConnection()) {
        check(c, done.get());
      }
      // Read before close, which removes the data source's meters.
      DistributionSummary groups = registry.find("sluice.writer.group.size").summary();
      boolean grouped = groups != null && groups.count() > 0;
      groupMean = grouped ? groups.mean() : Double.NaN;
      groupMax = grouped ? groups.max() : Double.NaN;
    }
    return new Result(
        done.get() / (elapsed / 1e9), all.percentile(50), all.percentile(99), groupMean, groupMax);
  }

  private static void check(Connection c, long acknowledged) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT count(*), count(DISTINCT id) FROM t")) {
      r.next();
      if (r.getLong(1) != acknowledged || r.getLong(2) != acknowledged) {
        throw new IllegalStateException(
            "rows "
                + r.getLong(1)
                + " (distinct "
                + r.getLong(2)
                + ") != acknowledged "
                + acknowledged);
      }
    }
  }
}
