package dev.sluice;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Process crash: a child JVM ({@link CrashChild}) writes through Sluice from several threads and
 * reports every acknowledged commit; the test kills it with SIGKILL after a random number of acks
 * (seeded), {@value #ROUNDS} rounds on one file. After each round a plain sqlite-jdbc connection
 * must find an intact file holding every acknowledged row and unit, no partial unit and no
 * duplicate. Each round is bounded by {@value #ROUND_SECONDS} s.
 */
class CrashIT {
  private static final Logger LOG = LoggerFactory.getLogger(CrashIT.class);
  private static final int ROUNDS = 8;
  private static final int THREADS = 4;
  private static final long SEED = Long.getLong("sluice.crash.seed", 20240817L);
  private static final int ROUND_SECONDS = 15;
  private static final String EOF = "\u0000eof";

  @RegisterExtension final TestDatabase db = new TestDatabase();

  @Test
  void acknowledgedCommitsSurviveSigkillAndNoUnitIsPartial() throws Exception {
    db.rawExec(
        "PRAGMA journal_mode=WAL",
        "CREATE TABLE item (id INTEGER PRIMARY KEY, unit TEXT NOT NULL, seq INT NOT NULL)");
    String url = "jdbc:sluice:sqlite:" + db.file() + "?sluice.readers=1";
    Random random = new Random(SEED);
    Set<String> acknowledged = new HashSet<>();
    for (int round = 0; round < ROUNDS; round++) {
      int killAfter = 20 + random.nextInt(400);
      Process child = start(url, round, random.nextLong());
      List<String> lines = new ArrayList<>();
      try {
        BlockingQueue<String> queue = readLines(child);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(ROUND_SECONDS);
        int acks = 0;
        while (acks < killAfter) {
          String line = queue.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
          assertThat(line)
              .as("ack %d of %d in round %d in time", acks, killAfter, round)
              .isNotNull();
          assertThat(line).as("child ended before the kill").isNotEqualTo(EOF);
          lines.add(line);
          acks++;
        }
        child.destroyForcibly();
        // Lines the child flushed before it died are acknowledged commits too.
        for (String line = queue.poll(ROUND_SECONDS, TimeUnit.SECONDS);
            line != null && !line.equals(EOF);
            line = queue.poll(ROUND_SECONDS, TimeUnit.SECONDS)) {
          lines.add(line);
        }
        assertThat(child.waitFor(ROUND_SECONDS, TimeUnit.SECONDS)).as("child died").isTrue();
      } finally {
        child.destroyForcibly();
      }
      List<String> failures = new ArrayList<>();
      for (String line : lines) {
        if (line.startsWith("F ")) {
          failures.add(line);
        } else {
          acknowledged.add(line.substring(2));
        }
      }
      assertThat(failures).as("writes that failed before the kill").isEmpty();
      long rows = check(acknowledged);
      LOG.info(
          "Crash round {}: killed after {} acks ({} read in all); {} units acknowledged so far,"
              + " {} rows checked",
          round,
          killAfter,
          lines.size(),
          acknowledged.size(),
          rows);
    }
  }

  private Process start(String url, int round, long seed) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return new ProcessBuilder(
            java,
            "-cp",
            System.getProperty("java.class.path"),
            "-XX:TieredStopAtLevel=1",
            "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
            CrashChild.class.getName(),
            url,
            Integer.toString(round),
            Integer.toString(THREADS),
            Long.toString(seed))
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
  }

  /** The child's standard output, line by line, then {@link #EOF}. */
  private static BlockingQueue<String> readLines(Process child) {
    BlockingQueue<String> queue = new LinkedBlockingQueue<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(
                      new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                  queue.add(line);
                }
              } catch (IOException e) {
                // The pipe broke because the child was killed: what was read is all there is.
              } finally {
                queue.add(EOF);
              }
            },
            "crash-child-stdout");
    reader.setDaemon(true);
    reader.start();
    return queue;
  }

  /**
   * Checks the file with plain sqlite-jdbc (which also recovers the WAL left by the killed child).
   *
   * @return the number of rows in the table
   */
  private long check(Set<String> acknowledged) throws SQLException {
    Map<String, long[]> units = new HashMap<>();
    long rows;
    try (Connection c = DriverManager.getConnection(db.sqliteUrl());
        Statement s = c.createStatement()) {
      try (ResultSet r = s.executeQuery("PRAGMA integrity_check")) {
        assertThat(r.next()).isTrue();
        assertThat(r.getString(1)).isEqualTo("ok");
      }
      try (ResultSet r =
          s.executeQuery("SELECT unit, count(*), count(DISTINCT seq) FROM item GROUP BY unit")) {
        while (r.next()) {
          units.put(r.getString(1), new long[] {r.getLong(2), r.getLong(3)});
        }
      }
      try (ResultSet r = s.executeQuery("SELECT count(*) FROM item")) {
        r.next();
        rows = r.getLong(1);
      }
    }
    for (String unit : acknowledged) {
      assertThat(units).as("acknowledged unit %s is present", unit).containsKey(unit);
    }
    units.forEach(
        (unit, counts) -> {
          long expected = unit.startsWith("t") ? CrashChild.UNIT_ROWS : 1;
          assertThat(counts[0])
              .as("rows of unit %s (none partial, no duplicate)", unit)
              .isEqualTo(expected);
          assertThat(counts[1]).as("distinct rows of unit %s", unit).isEqualTo(expected);
        });
    return rows;
  }
}
