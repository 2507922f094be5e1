package dev.sluice.driver;

import dev.sluice.routing.Router;
import dev.sluice.writer.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An engine's background work, on one daemon thread ({@code sluice-<name>-housekeeping}): the WAL
 * checkpointer and the writer's hold warnings. Readers that keep snapshots open starve SQLite's
 * passive auto-checkpoint and the WAL grows without bound; past the limit the checkpointer takes
 * the writer (in queue order, like any write) and runs a TRUNCATE checkpoint.
 *
 * <p>Thread-safe: started once by the engine, stopped once at close.
 */
final class Housekeeping {
  private static final Logger LOG = LoggerFactory.getLogger(Housekeeping.class);

  private final Settings settings;
  private final String name;
  private final Writer writer;
  private final ScheduledExecutorService executor;
  private volatile boolean stopped;

  /**
   * The longest a checkpoint holds new reads back, and waits for the writer while it does: long
   * enough for the reads in flight to end, short against any read's own timeout.
   */
  static final long READ_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

  private volatile Router router;

  Housekeeping(Settings settings, String name, Writer writer) {
    this.settings = settings;
    this.name = name;
    this.writer = writer;
    this.executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "sluice-" + name + "-housekeeping");
              t.setDaemon(true);
              return t;
            });
  }

  /** Schedules the checkpointer (unless checkpoints are external) and the hold warnings. */
  void start(Router router) {
    this.router = router;
    // The tasks catch their own failures (a failure would cancel later runs); stop() ends them,
    // so their futures are not kept.
    if (!settings.singleConnection() && !settings.externalCheckpoints()) {
      Future<?> unused =
          executor.scheduleWithFixedDelay(
              this::checkpointIfLarge,
              settings.checkpointIntervalMillis(),
              settings.checkpointIntervalMillis(),
              TimeUnit.MILLISECONDS);
    }
    long holdWarning = settings.writerHoldWarningMillis();
    if (holdWarning > 0) {
      long period = Math.max(50, holdWarning / 4);
      Future<?> unused =
          executor.scheduleWithFixedDelay(
              writer::warnIfHeldTooLong, period, period, TimeUnit.MILLISECONDS);
    }
  }

  void stop() {
    stopped = true;
    executor.shutdownNow();
  }

  /**
   * Past the WAL limit, a TRUNCATE checkpoint through the writer queue; readers still on old
   * snapshots make it stop short, and it runs again at the next interval.
   */
  private void checkpointIfLarge() {
    if (walBytes() < settings.walLimitBytes() || stopped) {
      return;
    }
    Object checkpointer = this;
    Router r = router;
    // Readers on old snapshots make a TRUNCATE stop short, and back-to-back readers always hold
    // one: new reads wait a bounded moment while those in flight end (design.md, Lifecycle).
    boolean paused = r != null && r.pauseReads(READ_PAUSE_NANOS);
    try {
      Connection c =
          writer.acquire(checkpointer, paused ? READ_PAUSE_NANOS : writer.acquireTimeoutNanos());
      try (Statement s = c.createStatement()) {
        s.execute("PRAGMA main.wal_checkpoint(TRUNCATE)");
      } finally {
        writer.release(checkpointer, false);
      }
    } catch (SQLException | RuntimeException e) {
      LOG.debug("Background checkpoint of {} skipped", name, e);
    } finally {
      if (paused) {
        r.resumeReads();
      }
    }
  }

  /** The size of the database's WAL file, 0 when there is none (the WAL size gauge). */
  long walBytes() {
    Path f = settings.file();
    if (f == null) {
      return 0;
    }
    try {
      Path wal = f.resolveSibling(f.getFileName() + "-wal");
      return Files.exists(wal) ? Files.size(wal) : 0;
    } catch (java.io.IOException e) {
      return 0;
    }
  }
}
