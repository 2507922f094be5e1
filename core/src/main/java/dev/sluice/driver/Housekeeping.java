package dev.sluice.driver;

import dev.sluice.routing.Router;
import dev.sluice.writer.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An engine's background work, on one daemon thread ({@code sluice-<name>-housekeeping}): the WAL
 * checkpointer and the hold warnings of the writer and the readers. Readers that keep snapshots
 * open starve SQLite's passive auto-checkpoint and the WAL grows without bound; past the limit the
 * checkpointer holds new reads back a bounded moment ({@code sluice.checkpoint.readPause}) while
 * the snapshots in flight end, takes the writer (in queue order, like any write) and runs a
 * TRUNCATE checkpoint. In mode {@code external} it never checkpoints: past the limit it keeps
 * Sluice's writer idle a bounded moment ({@code sluice.checkpoint.writerYield}) so that the
 * replicator's own checkpoint can take SQLite's write lock and restart the log.
 *
 * <p>Thread-safe: started once by the engine, stopped once at close; the checkpointer's own state
 * is touched by the housekeeping thread alone.
 */
final class Housekeeping {
  private static final Logger LOG = LoggerFactory.getLogger(Housekeeping.class);

  /** Checkpoints in a row that gave way before the first warning, then between warnings. */
  private static final int GIVE_WAY_WARNING = 50;

  private static final int GIVE_WAY_REPEAT = 600;

  /**
   * How long the writer stays idle after the log restarted: the replicator (Litestream) follows its
   * checkpoint with a short write transaction of its own that switches its shadow log, and that
   * transaction must not meet a writer that grabbed the lock again.
   */
  private static final long AFTER_RESTART_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  /** How often a yielding writer looks at the log's header. */
  private static final long YIELD_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

  /** After a yield in which no replicator restarted the log, how many yields' time to wait. */
  private static final int FRUITLESS_YIELD_BACKOFF = 10;

  private final Settings settings;
  private final String name;
  private final Writer writer;
  private final ScheduledExecutorService executor;
  private final long readPauseNanos;
  private final long writerYieldNanos;
  private volatile boolean stopped;

  /** Checkpoints in a row that stopped short of resetting the log (housekeeping thread only). */
  private int gaveWay;

  /** No writer yield before this {@link System#nanoTime} (housekeeping thread only). */
  private long noYieldBefore = System.nanoTime();

  private volatile Router router;

  Housekeeping(Settings settings, String name, Writer writer) {
    this.settings = settings;
    this.name = name;
    this.writer = writer;
    this.readPauseNanos = TimeUnit.MILLISECONDS.toNanos(settings.checkpointReadPauseMillis());
    this.writerYieldNanos = TimeUnit.MILLISECONDS.toNanos(settings.checkpointWriterYieldMillis());
    this.executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "sluice-" + name + "-housekeeping");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Schedules the checkpointer (or, for external checkpoints, the writer's yield) and the hold
   * warnings.
   */
  void start(Router router) {
    this.router = router;
    // The tasks catch their own failures (a failure would cancel later runs); stop() ends them,
    // so their futures are not kept.
    if (!settings.singleConnection() && (!settings.externalCheckpoints() || writerYieldNanos > 0)) {
      Future<?> unused =
          executor.scheduleWithFixedDelay(
              settings.externalCheckpoints() ? this::yieldIfLarge : this::checkpointIfLarge,
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
    long readerPeriod = router.readerCheckPeriodMillis();
    if (readerPeriod > 0) {
      Future<?> unused =
          executor.scheduleWithFixedDelay(
              router::warnIfReadersHeldTooLong, readerPeriod, readerPeriod, TimeUnit.MILLISECONDS);
    }
  }

  void stop() {
    stopped = true;
    executor.shutdownNow();
  }

  /**
   * Past the WAL limit, a TRUNCATE checkpoint through the writer queue, new reads held back while
   * it waits (design.md, Lifecycle). A snapshot held past the pause makes it give way: reads go on,
   * the TRUNCATE stops short, and the next interval tries again.
   *
   * @return whether the log was reset
   */
  boolean checkpointIfLarge() {
    if (walBytes() < settings.walLimitBytes() || stopped) {
      gaveWay = 0;
      return false;
    }
    Object checkpointer = this;
    Router r = router;
    // Readers on old snapshots make a TRUNCATE stop short, and back-to-back readers always hold
    // one: new reads wait a bounded moment while those in flight end.
    boolean paused = readPauseNanos > 0 && r != null && r.pauseReads(readPauseNanos);
    boolean reset = false;
    try {
      Connection c =
          writer.acquire(checkpointer, paused ? readPauseNanos : writer.acquireTimeoutNanos());
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("PRAGMA main.wal_checkpoint(TRUNCATE)")) {
        // (busy, log frames, checkpointed frames): busy 0 means the log was reset.
        reset = rs.next() && rs.getInt(1) == 0;
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
    if (reset) {
      gaveWay = 0;
    } else {
      gaveWay++;
      if (gaveWay == GIVE_WAY_WARNING || gaveWay % GIVE_WAY_REPEAT == 0) {
        LOG.warn(
            "The WAL of \"{}\" is {} bytes, past sluice.checkpoint.walLimit ({}): {} checkpoints in"
                + " a row gave way to read snapshots held longer than sluice.checkpoint.readPause"
                + " ({} ms). Close result sets and read-only transactions sooner (a reader held"
                + " past sluice.reader.leakDetectionThreshold is logged with where it was taken) or"
                + " raise sluice.checkpoint.readPause.",
            name,
            walBytes(),
            settings.walLimitBytes(),
            gaveWay,
            settings.checkpointReadPauseMillis());
      }
    }
    return reset;
  }

  /**
   * External checkpoints: past the WAL limit (the live log, not the file, which a restarted log
   * keeps), Sluice's writer is taken through the queue and kept idle until the log restarts or the
   * yield's bound passes. SQLite's write lock is then free for the replicator's checkpoint, which a
   * writer committing group after group would otherwise never let in. Sluice itself never
   * checkpoints, so the replicator never loses its place in the log.
   *
   * @return whether the log restarted during the yield
   */
  boolean yieldIfLarge() {
    Path wal = walPath();
    if (wal == null || stopped || WalFile.liveBytes(wal) < settings.walLimitBytes()) {
      return false;
    }
    long now = System.nanoTime();
    if (now - noYieldBefore < 0) {
      return false;
    }
    long salts = WalFile.salts(wal);
    Object yielder = this;
    boolean restarted = false;
    try {
      writer.acquire(yielder, writer.acquireTimeoutNanos());
      try {
        long deadline = System.nanoTime() + writerYieldNanos;
        while (!stopped && System.nanoTime() - deadline < 0) {
          if (WalFile.salts(wal) != salts) {
            restarted = true;
            LockSupport.parkNanos(Math.min(AFTER_RESTART_NANOS, deadline - System.nanoTime()));
            break;
          }
          LockSupport.parkNanos(YIELD_POLL_NANOS);
        }
      } finally {
        writer.release(yielder, false);
      }
    } catch (SQLException | RuntimeException e) {
      LOG.debug("Writer yield of {} skipped", name, e);
    }
    if (!restarted) {
      // No replicator checkpointed: do not stall writes again at once.
      noYieldBefore = System.nanoTime() + FRUITLESS_YIELD_BACKOFF * writerYieldNanos;
      LOG.warn(
          "The WAL of \"{}\" is {} bytes, past sluice.checkpoint.walLimit ({}), and no checkpoint"
              + " restarted it while Sluice's writer yielded for {} ms (sluice.checkpoint.mode="
              + "external): is the replicator (Litestream) running? Next yield in {} ms.",
          name,
          WalFile.liveBytes(wal),
          settings.walLimitBytes(),
          settings.checkpointWriterYieldMillis(),
          FRUITLESS_YIELD_BACKOFF * settings.checkpointWriterYieldMillis());
    }
    return restarted;
  }

  private Path walPath() {
    Path f = settings.file();
    return f == null ? null : f.resolveSibling(f.getFileName() + "-wal");
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
