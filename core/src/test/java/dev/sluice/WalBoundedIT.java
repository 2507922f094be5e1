package dev.sluice;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The WAL stays bounded while readers keep read transactions open back to back (overlapping, so
 * SQLite's own passive checkpoint never finds a moment to reset the log) and a writer writes
 * continuously. Prints the largest WAL seen with the checkpointer and with checkpoints left
 * external, for the issue note; asserts the bound only where Sluice checkpoints.
 */
class WalBoundedIT {
  private static final int ROWS = 6_000;
  private static final long LIMIT = 1 << 20;

  @RegisterExtension final TestDatabase db = new TestDatabase();

  private long maxWal(String checkpointMode, long limit) throws Exception {
    SluiceDataSource ds =
        db.track(
            db.builder()
                .name("wal-" + checkpointMode + limit + "-" + db.dir().getFileName())
                .option("sluice.checkpoint.mode", checkpointMode)
                .option("sluice.checkpoint.walLimit", Long.toString(limit))
                .option("sluice.checkpoint.interval", "20")
                .build());
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.execute("DROP TABLE IF EXISTS blob");
      s.execute("CREATE TABLE blob (id INTEGER PRIMARY KEY, data BLOB)");
    }
    Path wal = Path.of(db.file() + "-wal");
    AtomicBoolean done = new AtomicBoolean();
    AtomicLong max = new AtomicLong();
    ExecutorService pool = Executors.newFixedThreadPool(3);
    List<Future<?>> readers = new ArrayList<>();
    try {
      for (int r = 0; r < 2; r++) {
        readers.add(
            pool.submit(
                () -> {
                  // Read-only transactions back to back, each spanning several reads.
                  try (Connection c = ds.getConnection();
                      Statement s = c.createStatement()) {
                    c.setReadOnly(true);
                    c.setAutoCommit(false);
                    while (!done.get()) {
                      for (int i = 0; i < 5; i++) {
                        try (ResultSet rs = s.executeQuery("SELECT count(*) FROM blob")) {
                          rs.next();
                        }
                      }
                      c.commit();
                      max.accumulateAndGet(Files.exists(wal) ? Files.size(wal) : 0, Math::max);
                    }
                  }
                  return null;
                }));
      }
      try (Connection c = ds.getConnection();
          PreparedStatement ps = c.prepareStatement("INSERT INTO blob (data) VALUES (?)")) {
        byte[] data = new byte[4096];
        for (int i = 0; i < ROWS; i++) {
          ps.setBytes(1, data);
          ps.executeUpdate();
          if (i % 100 == 0) {
            max.accumulateAndGet(Files.exists(wal) ? Files.size(wal) : 0, Math::max);
          }
        }
      }
    } finally {
      done.set(true);
      for (Future<?> f : readers) {
        f.get(30, TimeUnit.SECONDS);
      }
      pool.shutdownNow();
      ds.close();
    }
    assertThat(db.rawLong("SELECT count(*) FROM blob")).isEqualTo(ROWS);
    return max.get();
  }

  @Test
  void checkpointerKeepsTheWalNearItsLimitUnderSteadyReaders() throws Exception {
    long withCheckpointer = maxWal("auto", LIMIT);
    // SQLite's own passive auto-checkpoint only: Sluice's limit out of reach.
    long sqliteOnly = maxWal("auto", Integer.MAX_VALUE);
    long external = maxWal("external", LIMIT);
    LoggerHolder.log(
        "max WAL bytes, "
            + ROWS
            + " x 4 KiB rows with 2 overlapping readers: checkpointer "
            + withCheckpointer
            + ", SQLite auto-checkpoint only "
            + sqliteOnly
            + ", external (no checkpoints) "
            + external);
    // About 100 MB pass through the log. Without Sluice's checkpointer it keeps all of it; with it,
    // the log resets whenever a TRUNCATE finds a gap, which a loaded 2-core machine delays a bit.
    assertThat(withCheckpointer).isLessThan(32 * LIMIT);
  }

  /**
   * Four readers keep auto-commit result sets open back to back, staggered so that some snapshot is
   * nearly always open (issue 20): a TRUNCATE checkpoint alone never finds a gap. The checkpointer
   * holds new reads back a bounded moment, the reads in flight end, and the log resets.
   */
  private long maxWalUnderOpenResultSets(String checkpointMode) throws Exception {
    SluiceDataSource ds =
        db.track(
            db.builder()
                .name("walrs-" + checkpointMode + "-" + db.dir().getFileName())
                .readers(4)
                .option("sluice.checkpoint.mode", checkpointMode)
                .option("sluice.checkpoint.walLimit", Long.toString(LIMIT))
                .option("sluice.checkpoint.interval", "20")
                .build());
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.execute("DROP TABLE IF EXISTS events");
      s.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, payload TEXT)");
      s.execute(
          "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)"
              + " INSERT INTO events (payload) SELECT printf('%0100d', i) FROM n");
    }
    Path wal = Path.of(db.file() + "-wal");
    AtomicBoolean done = new AtomicBoolean();
    long max = 0;
    ExecutorService pool = Executors.newFixedThreadPool(4);
    List<Future<?>> readers = new ArrayList<>();
    try {
      for (int r = 0; r < 4; r++) {
        int offset = r;
        readers.add(
            pool.submit(
                () -> {
                  // Staggered: each reader starts a little later, then reads back to back.
                  java.util.concurrent.locks.LockSupport.parkNanos(offset * 25_000_000L);
                  try (Connection c = ds.getConnection();
                      Statement s = c.createStatement()) {
                    while (!done.get()) {
                      try (ResultSet rs = s.executeQuery("SELECT id, payload FROM events")) {
                        for (int i = 0; i < 400 && rs.next(); i++) {
                          if (i % 20 == 0) {
                            // The application's work per batch of rows, snapshot held.
                            java.util.concurrent.locks.LockSupport.parkNanos(5_000_000L);
                          }
                        }
                      }
                    }
                  }
                  return null;
                }));
      }
      try (Connection c = ds.getConnection();
          PreparedStatement ps = c.prepareStatement("INSERT INTO events (payload) VALUES (?)")) {
        for (int i = 0; i < 8_000; i++) {
          ps.setString(1, "x".repeat(100));
          ps.executeUpdate();
          if (i % 50 == 0) {
            max = Math.max(max, Files.exists(wal) ? Files.size(wal) : 0);
          }
        }
      }
    } finally {
      done.set(true);
      for (Future<?> f : readers) {
        f.get(30, TimeUnit.SECONDS);
      }
      pool.shutdownNow();
      ds.close();
    }
    assertThat(db.rawLong("SELECT count(*) FROM events")).isEqualTo(10_000);
    return max;
  }

  @Test
  void checkpointerResetsTheWalWhileReadersKeepResultSetsOpenBackToBack() throws Exception {
    long withCheckpointer = maxWalUnderOpenResultSets("auto");
    long external = maxWalUnderOpenResultSets("external");
    LoggerHolder.log(
        "max WAL bytes, 8,000 commits beside 4 readers with open result sets back to back:"
            + " checkpointer "
            + withCheckpointer
            + ", external (no checkpoints) "
            + external);
    // Writes go on while reads pause, so the log still grows between resets; without the pause a
    // TRUNCATE never finds a gap and the log keeps nearly everything (measured: 34.8 of 35.7 MB).
    assertThat(withCheckpointer).isLessThan(20 * LIMIT).isLessThan(external / 2);
  }

  /** Test output without System.out (house rule): through SLF4J. */
  static final class LoggerHolder {
    private static final org.slf4j.Logger LOG =
        org.slf4j.LoggerFactory.getLogger(WalBoundedIT.class);

    static void log(String message) {
      LOG.warn(message);
    }
  }
}
