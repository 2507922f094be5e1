package dev.sluice.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The stress program's WAL scenario (issue 20): one writer inserts continuously (a connection per
 * insert, 100-byte rows) while 4 readers each open an auto-commit {@code SELECT id, payload FROM
 * events} over a 20,000-row table, step through 1,000 rows, keep the result set open 200 ms, close
 * it and open the next at once, staggered so that some snapshot is nearly always open ({@code
 * --wal-heavy}: 8 readers, 1 s holds). Run against HikariCP + sqlite-jdbc (WAL, SQLite's own
 * auto-checkpoint), Sluice without its write pause ({@code sluice.checkpoint.writerYield=0}) and
 * Sluice with its defaults, each on its own file, in one run. Reports the largest WAL file seen
 * (sampled every millisecond), reads and writes done and failed, the reads' latency (open plus
 * 1,000 rows; the hold excluded) and the writes'; plain sqlite-jdbc with a rollback journal has no
 * WAL and is left out.
 *
 * <p>Not thread-safe: one run at a time, from {@link Stress}'s {@code --wal}.
 */
final class WalScenario {
  private static final int TABLE_ROWS = 20_000;
  private static final int STEP = 1_000;
  private static final double MIB = 1 << 20;

  private WalScenario() {}

  /** One target's figures. */
  record Result(
      String target,
      double maxWalMib,
      long writes,
      long writeFailures,
      long reads,
      long readFailures,
      double readP50Ms,
      double readP99Ms,
      double writeP99Ms,
      double writeMaxMs,
      double readMaxMs,
      String firstError) {}

  /** Runs the scenario for {@code seconds} per target in {@code dir}; returns the table's rows. */
  static List<Result> run(Path dir, double seconds, int readers, long holdMillis) throws Exception {
    List<Result> results = new ArrayList<>();
    Path hikari = dir.resolve("wal-b.db");
    prepare(hikari);
    try (Contender.Source s = Contender.HIKARI.open(hikari, "wal-b")) {
      results.add(load("b HikariCP+WAL", s, hikari, seconds, readers, holdMillis));
    }
    String[][] sluice = {
      {"c Sluice, writerYield=0", "sluice.checkpoint.writerYield=0"},
      {"c Sluice (defaults)", "sluice.checkpoint.writerYield=2000"},
    };
    int i = 0;
    for (String[] t : sluice) {
      Path file = dir.resolve("wal-c" + i++ + ".db");
      prepare(file);
      String url = "jdbc:sluice:sqlite:" + file + "?" + t[1];
      // One connection kept open for the run, so that every connection shares one engine.
      try (Connection keep = DriverManager.getConnection(url)) {
        results.add(
            load(t[0], () -> DriverManager.getConnection(url), file, seconds, readers, holdMillis));
      }
    }
    return results;
  }

  private static void prepare(Path file) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement s = c.createStatement()) {
      s.execute("PRAGMA journal_mode=WAL");
      s.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, payload TEXT NOT NULL)");
      s.execute(
          "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < "
              + TABLE_ROWS
              + ") INSERT INTO events (payload) SELECT printf('%0100d', i) FROM n");
      s.execute("PRAGMA wal_checkpoint(TRUNCATE)");
    }
  }

  private static Result load(
      String target,
      Contender.Source source,
      Path file,
      double seconds,
      int readerCount,
      long holdMillis)
      throws Exception {
    final int readers = readerCount;
    final long holdNanos = TimeUnit.MILLISECONDS.toNanos(holdMillis);
    Path wal = Path.of(file + "-wal");
    AtomicBoolean done = new AtomicBoolean();
    AtomicLong maxWal = new AtomicLong();
    Tally[] readTallies = new Tally[readers];
    Latencies[] readLatencies = new Latencies[readers];
    Tally writeTally = new Tally(0);
    Latencies writeLatencies = new Latencies();
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(readers + 2);
    List<Future<?>> futures = new ArrayList<>();
    futures.add(
        pool.submit(
            () -> {
              start.await();
              while (!done.get()) {
                maxWal.accumulateAndGet(Files.exists(wal) ? Files.size(wal) : 0, Math::max);
                LockSupport.parkNanos(1_000_000L);
              }
              return null;
            }));
    for (int r = 0; r < readers; r++) {
      Tally tally = new Tally(0);
      Latencies latencies = new Latencies();
      readTallies[r] = tally;
      readLatencies[r] = latencies;
      long offset = holdNanos * r / readers;
      futures.add(
          pool.submit(
              () -> {
                start.await();
                LockSupport.parkNanos(offset);
                while (!done.get()) {
                  long t0 = System.nanoTime();
                  try (Connection c = source.connection();
                      Statement s = c.createStatement();
                      ResultSet rs = s.executeQuery("SELECT id, payload FROM events")) {
                    int n = 0;
                    while (n < STEP && rs.next()) {
                      n++;
                    }
                    latencies.add(System.nanoTime() - t0);
                    tally.ok++;
                    // The application's work with the snapshot held.
                    LockSupport.parkNanos(holdNanos);
                  } catch (SQLException e) {
                    tally.failure(e, System.nanoTime() - t0);
                  }
                }
                return null;
              }));
    }
    futures.add(
        pool.submit(
            () -> {
              start.await();
              String payload = "p".repeat(100);
              while (!done.get()) {
                long t0 = System.nanoTime();
                try (Connection c = source.connection();
                    PreparedStatement ps =
                        c.prepareStatement("INSERT INTO events (payload) VALUES (?)")) {
                  ps.setString(1, payload);
                  ps.executeUpdate();
                  writeTally.ok++;
                } catch (SQLException e) {
                  writeTally.failure(e, System.nanoTime() - t0);
                }
                writeLatencies.add(System.nanoTime() - t0);
              }
              return null;
            }));
    start.countDown();
    LockSupport.parkNanos((long) (seconds * 1e9));
    done.set(true);
    for (Future<?> f : futures) {
      f.get(60, TimeUnit.SECONDS);
    }
    pool.shutdownNow();
    Latencies reads = new Latencies();
    long readFailures = 0;
    long readsOk = 0;
    String firstError = writeTally.errors.isEmpty() ? "" : writeTally.errors.toString();
    for (int r = 0; r < readers; r++) {
      reads.addAll(readLatencies[r]);
      readFailures += readTallies[r].failures;
      readsOk += readTallies[r].ok;
      if (firstError.isEmpty() && !readTallies[r].errors.isEmpty()) {
        firstError = readTallies[r].errors.toString();
      }
    }
    return new Result(
        target,
        maxWal.get() / MIB,
        writeTally.ok,
        writeTally.failures,
        readsOk,
        readFailures,
        reads.percentile(50) / 1e6,
        reads.percentile(99) / 1e6,
        writeLatencies.percentile(99) / 1e6,
        writeLatencies.percentile(100) / 1e6,
        reads.percentile(100) / 1e6,
        firstError);
  }

  /** The markdown table of a run, with ratios against HikariCP + sqlite-jdbc. */
  static List<String> table(List<Result> results, double seconds, int readers, long holdMillis) {
    List<String> lines = new ArrayList<>();
    lines.add(
        String.format(
            Locale.ROOT,
            "WAL scenario: 1 writer (connection per insert) + %d readers holding result sets %d ms"
                + " back to back, %.0f s per target",
            readers,
            holdMillis,
            seconds));
    lines.add("");
    lines.add(
        "| target | max WAL MiB | writes | failed | reads | failed | read p50 ms | read p99 ms |"
            + " read max ms | write p99 ms | write max ms | WAL vs b | read p99 vs b |");
    lines.add(
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    Result base = results.get(0);
    for (Result r : results) {
      lines.add(
          String.format(
              Locale.ROOT,
              "| %s | %.1f | %d | %d | %d | %d | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f |",
              r.target(),
              r.maxWalMib(),
              r.writes(),
              r.writeFailures(),
              r.reads(),
              r.readFailures(),
              r.readP50Ms(),
              r.readP99Ms(),
              r.readMaxMs(),
              r.writeP99Ms(),
              r.writeMaxMs(),
              r.maxWalMib() / Math.max(base.maxWalMib(), 1e-9),
              r.readP99Ms() / Math.max(base.readP99Ms(), 1e-9)));
      if (!r.firstError().isEmpty()) {
        lines.add("  errors of " + r.target() + ": " + r.firstError());
      }
    }
    return lines;
  }
}
