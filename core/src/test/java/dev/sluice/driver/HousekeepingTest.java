package dev.sluice.driver;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checkpointer run step by step (issue 20): the read barrier covers read-only transactions and
 * gives way to a snapshot held past its bound; in external mode the writer's yield ends when a
 * replicator restarts the log, and gives up when none does.
 */
class HousekeepingTest {
  @TempDir Path dir;

  private final ExecutorService pool = Executors.newSingleThreadExecutor();

  @AfterEach
  void stop() {
    pool.shutdownNow();
  }

  /** An engine whose own schedule never runs in a test (the interval is an hour). */
  private Engine engine(String options) throws Exception {
    Path file = dir.resolve("h.db");
    String url =
        "jdbc:sluice:sqlite:"
            + file
            + "?sluice.readers=2&sluice.checkpoint.walLimit=1&sluice.checkpoint.interval=3600000&"
            + options;
    Engine e = Engine.open(Settings.parse(url, new Properties()), new SimpleMeterRegistry());
    try (Connection c = e.connect();
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
      for (int i = 0; i < 50; i++) {
        s.execute("INSERT INTO t (v) VALUES ('row')");
      }
    }
    return e;
  }

  private Path wal() {
    return dir.resolve("h.db-wal");
  }

  @Test
  void aReadOnlyTransactionHeldPastThePauseMakesTheCheckpointGiveWayThenItResets()
      throws Exception {
    // Given a read-only transaction holding its snapshot and a WAL past the limit
    try (Engine e = engine("sluice.checkpoint.readPause=50");
        Connection snapshot = e.connect();
        Connection other = e.connect()) {
      snapshot.setReadOnly(true);
      snapshot.setAutoCommit(false);
      try (Statement s = snapshot.createStatement();
          ResultSet r = s.executeQuery("SELECT count(*) FROM t")) {
        assertThat(r.next()).isTrue();
      }

      // When the checkpointer runs
      boolean resetWhileHeld = e.housekeeping().checkpointIfLarge();

      // Then it gave way: the log is still there, and reads go on
      assertThat(resetWhileHeld).isFalse();
      assertThat(Files.size(wal())).isPositive();
      try (Statement s = other.createStatement();
          ResultSet r = s.executeQuery("SELECT count(*) FROM t")) {
        assertThat(r.next()).isTrue();
        assertThat(r.getLong(1)).isEqualTo(50);
      }

      // And once the transaction ends, the next run truncates the log
      snapshot.commit();
      assertThat(e.housekeeping().checkpointIfLarge()).isTrue();
      assertThat(Files.size(wal())).isZero();
    }
  }

  @Test
  void theWriterYieldEndsWhenTheReplicatorRestartsTheLog() throws Exception {
    // Given external checkpoints, a WAL past the limit, and a replicator's own connection
    try (Engine e = engine("sluice.checkpoint.mode=external&sluice.checkpoint.writerYield=30000");
        Connection replicator = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("h.db"));
        Statement r = replicator.createStatement()) {
      long salts = WalFile.salts(wal());

      // When the writer yields while the replicator checkpoints and writes (as Litestream does)
      Future<Boolean> yielded = pool.submit(() -> e.housekeeping().yieldIfLarge());
      while (!yielded.isDone()) {
        r.execute("PRAGMA wal_checkpoint(RESTART)");
        r.execute("INSERT INTO t (v) VALUES ('replicator')");
      }

      // Then the yield saw the restart, Sluice never checkpointed, and writes go on
      assertThat(yielded.get(30, TimeUnit.SECONDS)).isTrue();
      assertThat(WalFile.salts(wal())).isNotEqualTo(salts);
      try (Connection c = e.connect();
          Statement s = c.createStatement()) {
        assertThat(s.executeUpdate("INSERT INTO t (v) VALUES ('after')")).isEqualTo(1);
      }
    }
  }

  @Test
  void aYieldNoReplicatorUsesEndsAtItsBoundAndTheLogIsUntouched() throws Exception {
    // Given external checkpoints, a WAL past the limit and no replicator
    try (Engine e = engine("sluice.checkpoint.mode=external&sluice.checkpoint.writerYield=50")) {
      long live = WalFile.liveBytes(wal());
      long salts = WalFile.salts(wal());

      // When the writer yields
      boolean restarted = e.housekeeping().yieldIfLarge();

      // Then nothing restarted the log and Sluice did not checkpoint it
      assertThat(restarted).isFalse();
      assertThat(WalFile.salts(wal())).isEqualTo(salts);
      assertThat(WalFile.liveBytes(wal())).isEqualTo(live);
    }
  }
}
