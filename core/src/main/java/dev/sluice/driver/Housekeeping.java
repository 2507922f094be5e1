package dev.sluice.driver;

import dev.sluice.jdbc.Physical;
import dev.sluice.metrics.Meters;
import dev.sluice.routing.Router;
import dev.sluice.writer.Hold;
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
 * open starve SQLite's passive auto-checkpoint and the WAL grows without bound. Past the limit the
 * writer pauses: the housekeeping thread takes it through the queue and keeps it, at most {@code
 * sluice.checkpoint.writerYield}, until the log restarts. With writes paused the log stops growing;
 * once the snapshots that began before the pause end, the log is fully copied into the database and
 * new snapshots read the database file alone (SQLite's read lock 0), so they never stand in the way
 * of the restart, and once those that began before that moment end too, the restart goes through.
 * Reads never wait for any of this. In mode {@code auto} Sluice's own TRUNCATE checkpoint restarts
 * the log; in mode {@code external} Sluice never checkpoints and the pause lets the replicator's
 * checkpoint take SQLite's write lock.
 *
 * <p>Thread-safe: started once by the engine, stopped once at close; the checkpointer's own state
 * is touched by the housekeeping thread alone.
 */
final class Housekeeping {
  private static final Logger LOG = LoggerFactory.getLogger(Housekeeping.class);

  /** Pauses in a row that gave way before the first warning, then between warnings. */
  private static final int GIVE_WAY_WARNING = 3;

  private static final int GIVE_WAY_REPEAT = 100;

  /**
   * How long the writer stays idle after the log restarted: the replicator (Litestream) follows its
   * checkpoint with a short write transaction of its own that switches its shadow log, and that
   * transaction must not meet a writer that grabbed the lock again.
   */
  private static final long AFTER_RESTART_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  /** How often a pausing writer looks at the log's header or tries its checkpoint again. */
  private static final long PAUSE_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

  /**
   * After a pause that did not see the log restart, how many pauses' time writes flow before the
   * next one: once in auto mode (writes get at least half the time while a snapshot outlasts every
   * pause), ten times in external mode (a stopped replicator should cost little).
   */
  private static final int AUTO_GIVE_WAY_BACKOFF = 1;

  private static final int EXTERNAL_GIVE_WAY_BACKOFF = 10;

  /**
   * The live log past which a light checkpoint copies it while the writer has time: about 250 pages
   * of 4 KiB, a quarter of SQLite's auto-checkpoint, so that the writer's own auto-checkpoint
   * (inside a COMMIT, every queued write waiting) rarely comes due at light load.
   */
  private static final long LIGHT_BYTES = 1L << 20;

  /**
   * How many times per checkpoint interval the light checkpoint looks (each look reads the log's
   * headers only when a write ended since the last): every 20 ms by default, while at 10,000 frames
   * a second (5,000 small inserts) the log gains 1,000 pages in 100 ms.
   */
  private static final long LIGHT_LOOKS_PER_INTERVAL = 5;

  /**
   * How far ahead the light checkpoint's finishing pass looks at the log's growth (two looks and a
   * copy): a log that would reach SQLite's auto-checkpoint within it is restarted now, before
   * SQLite's own checkpoint comes due inside a COMMIT (see {@link #heldPassFrom}).
   */
  private static final long LIGHT_HORIZON_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

  /**
   * How many times the connections' own auto-checkpoint the writer runs with while light
   * checkpoints restart the log on a free writer. Each restart stalls the writes queued behind it
   * (a copy and two syncs, and the sync of the new log's header in the next COMMIT); SQLite's
   * checkpoint inside a COMMIT is then only the backstop. Never past three quarters of {@code
   * sluice.checkpoint.walLimit}, where the background checkpointer would pause writes.
   */
  private static final int RAISED_AUTO_CHECKPOINT = 3;

  /**
   * Looks in a row that find the writer busy before the writer gets its own auto-checkpoint back: a
   * saturated writer leaves no room for a light checkpoint, and copying inside its COMMITs at the
   * own value costs its queue less than a log three times as long (100 ms at the default interval;
   * at 20 % busy, as at 10,000 operations a second, five in a row come about once a minute).
   */
  private static final int SATURATED_LOOKS = 5;

  /** How long the light checkpoint's finishing pass waits for a free writer before it gives up. */
  private static final long LIGHT_WRITER_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

  private final Settings settings;
  private final String name;
  private final Writer writer;
  private final Writer.Opener checkpointConnection;
  private final boolean lightCheckpoints;

  /**
   * Set when the connections run with {@code wal_autocheckpoint=0}, however given (a URL parameter
   * sqlite-jdbc applies, a property, {@code sluice.pragma.*}): a user who turned SQLite's
   * auto-checkpoint off wants no checkpoint but the WAL limit's (housekeeping thread only).
   */
  private boolean autoCheckpointOff;

  private final ScheduledExecutorService executor;
  private final long writerYieldNanos;
  private volatile boolean stopped;
  private volatile Meters meters = Meters.noop();

  /** Pauses in a row that gave way before the log restarted (housekeeping thread only). */
  private int gaveWay;

  /** No pause before this {@link System#nanoTime} (housekeeping thread only). */
  private long noPauseBefore = System.nanoTime();

  /** The light checkpoint's own connection, opened at its first pass (housekeeping thread only). */
  private Connection own;

  /** {@link Writer#holdsEnded} at the light checkpoint's last look (housekeeping thread only). */
  private long lightSeen = -1;

  /**
   * The live log, its header's salts and the time at the light checkpoint's last read of them, and
   * the log's growth in bytes per nanosecond measured between such reads (housekeeping thread
   * only).
   */
  private long lightLive;

  private long lightSalts;
  private long lightAt;
  private double lightRate;
  private boolean lightRead;
  private boolean rateKnown;

  /**
   * The connections' own auto-checkpoint, in pages and in bytes (its pages with their frame
   * headers), read at the light checkpoint's first pass (housekeeping thread only).
   */
  private int ownPages;

  private long ownBytes;

  /**
   * The auto-checkpoint the writer runs with while light checkpoints keep restarting the log, in
   * pages and bytes; equal to the own value when raising it is not possible (housekeeping thread
   * only).
   */
  private int raisedPages;

  private long raisedBytes;

  /** Whether the writer was told to run with the raised value (housekeeping thread only). */
  private boolean raised;

  /** Looks in a row that found the writer busy while raised (housekeeping thread only). */
  private int busyLooks;

  /**
   * @param checkpointConnection opens the connection the light checkpoint copies the log on, apart
   *     from the writer's
   */
  Housekeeping(Settings settings, String name, Writer writer, Writer.Opener checkpointConnection) {
    this.settings = settings;
    this.name = name;
    this.writer = writer;
    this.checkpointConnection = checkpointConnection;
    // In mode auto, on a file with a writer and readers (and only while SQLite's auto-checkpoint
    // is on, found at the first pass).
    this.lightCheckpoints =
        settings.file() != null
            && !settings.singleConnection()
            && !settings.readOnly()
            && !settings.externalCheckpoints();
    // Writes queued behind a pause still wait at most their acquire timeout: a pause never takes
    // more than half of it, so a pause alone cannot make a queued write time out.
    this.writerYieldNanos =
        TimeUnit.MILLISECONDS.toNanos(
            Math.min(
                settings.checkpointWriterYieldMillis(), settings.writerAcquireTimeoutMillis() / 2));
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
  void start(Meters engineMeters, Router router) {
    this.meters = engineMeters;
    // The tasks catch their own failures (a failure would cancel later runs); stop() ends them,
    // so their futures are not kept.
    if (!settings.singleConnection()
        && !settings.readOnly()
        && (!settings.externalCheckpoints() || writerYieldNanos > 0)) {
      Future<?> unused =
          executor.scheduleWithFixedDelay(
              settings.externalCheckpoints() ? this::yieldIfLarge : this::checkpointIfLarge,
              settings.checkpointIntervalMillis(),
              settings.checkpointIntervalMillis(),
              TimeUnit.MILLISECONDS);
    }
    if (lightCheckpoints) {
      long period = Math.max(1, settings.checkpointIntervalMillis() / LIGHT_LOOKS_PER_INTERVAL);
      Future<?> unused =
          executor.scheduleWithFixedDelay(
              this::lightCheckpoint, period, period, TimeUnit.MILLISECONDS);
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
    try {
      // The light checkpoint's connection is the housekeeping thread's: closed once it has ended.
      if (!executor.awaitTermination(STOP_WAIT_SECONDS, TimeUnit.SECONDS)) {
        LOG.debug("The housekeeping of {} did not end within {} s", name, STOP_WAIT_SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    closeOwn();
  }

  private static final long STOP_WAIT_SECONDS = 5;

  /**
   * SQLite's auto-checkpoint runs inside the COMMIT that takes the log past 1,000 pages, on the
   * writer, and every write queued behind it waits for the copy and its two syncs (a pool's other
   * connections write on meanwhile). While the writer has time, this copies the log first, on a
   * connection of its own, so that the writer's auto-checkpoint rarely comes due (design.md,
   * Checkpoints): past {@link #LIGHT_BYTES} of live log, a PASSIVE checkpoint without the writer,
   * then, once the log is near enough SQLite's auto-checkpoint at the rate it grows ({@link
   * #heldPassFrom}) and if the writer is free within a moment, a second PASSIVE pass with the
   * writer held, which copies what was committed during the first. The log is then fully copied and
   * the next write restarts it, and the writer runs with {@link #RAISED_AUTO_CHECKPOINT} times the
   * connections' auto-checkpoint, so that the next restart comes that much later. A busy writer
   * (held, or anyone queued for it) is left to SQLite's own auto-checkpoint: saturated, the copy
   * inside its COMMIT costs the queue less than a second checkpointer on the same cores, and after
   * {@link #SATURATED_LOOKS} busy looks in a row the writer gets the connections' value back.
   */
  void lightCheckpoint() {
    long ended = writer.holdsEnded();
    if (!lightCheckpoints || autoCheckpointOff || ended == lightSeen || stopped) {
      return;
    }
    if (writer.isHeld() || writer.queueLength() > 0) {
      if (raised && ++busyLooks >= SATURATED_LOOKS) {
        writer.autoCheckpoint(ownPages, ownPages);
        raised = false;
      }
      return;
    }
    busyLooks = 0;
    lightSeen = ended;
    Path wal = walPath();
    if (wal == null) {
      return;
    }
    long live = WalFile.liveBytes(wal);
    measureGrowth(live, WalFile.salts(wal), System.nanoTime());
    if (live < LIGHT_BYTES) {
      return;
    }
    try {
      if (own == null) {
        own = checkpointConnection.open();
        long pages = autoCheckpointPages(own);
        if (pages <= 0) {
          autoCheckpointOff = true;
          closeOwn();
          return;
        }
        long frame = pageSize(own) + WalFile.FRAME_HEADER;
        ownPages = (int) Math.min(pages, Integer.MAX_VALUE);
        ownBytes = WalFile.HEADER + pages * frame;
        long most = (settings.walLimitBytes() * 3 / 4 - WalFile.HEADER) / frame;
        raisedPages =
            (int) Math.max(ownPages, Math.min(most, (long) ownPages * RAISED_AUTO_CHECKPOINT));
        raisedBytes = WalFile.HEADER + raisedPages * frame;
      }
      passive(own);
      if (live < heldPassFrom()) {
        return;
      }
      Object holder = lightHolder;
      writer.acquireInProcess(holder, LIGHT_WRITER_WAIT_NANOS);
      try {
        passive(own);
      } finally {
        writer.release(holder, false);
      }
      if (!raised && raisedPages > ownPages) {
        // The log is copied and the next write restarts it: from now on SQLite's own checkpoint
        // is only the backstop, and the next restart comes as late as the raised value allows.
        writer.autoCheckpoint(raisedPages, ownPages);
        raised = true;
      }
    } catch (SQLException | RuntimeException e) {
      LOG.debug("Light checkpoint of {} skipped", name, e);
      if (own != null && Physical.isClosed(own)) {
        closeOwn();
      }
    }
  }

  /**
   * Takes in one reading of the live log for its growth rate: between two readings of the same log
   * (a restart changes the salts), smoothed over the last few.
   */
  void measureGrowth(long live, long salts, long now) {
    if (lightRead && salts == lightSalts && live >= lightLive && now - lightAt > 0) {
      double rate = (double) (live - lightLive) / (now - lightAt);
      lightRate = rateKnown ? (lightRate + rate) / 2 : rate;
      rateKnown = true;
    }
    lightLive = live;
    lightSalts = salts;
    lightAt = now;
    lightRead = true;
  }

  /**
   * The live log from which the light checkpoint's finishing pass holds the writer: as late as the
   * log's growth allows. Each pass stalls every write queued behind it for its copy and two syncs
   * (about 0.6 ms on a disk), and restarting the log at every look past {@link #LIGHT_BYTES} did
   * that every 50-100 ms at a few thousand writes a second. A log that would reach SQLite's
   * auto-checkpoint within {@link #LIGHT_HORIZON_NANOS} at its measured rate is restarted now;
   * never before {@link #LIGHT_BYTES}, and at it while no rate is known yet.
   */
  long heldPassFrom() {
    if (!rateKnown) {
      return LIGHT_BYTES;
    }
    long ahead = (long) (lightRate * LIGHT_HORIZON_NANOS);
    // Where SQLite's auto-checkpoint comes due on the writer now.
    long due = raised ? raisedBytes : ownBytes;
    return Math.max(LIGHT_BYTES, due - ahead);
  }

  /** The writer's holder for the light checkpoint's finishing pass. */
  private final Object lightHolder = new Object();

  private static void passive(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      boolean unused = checkpoint(s, "PASSIVE");
    }
  }

  private static long pageSize(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("PRAGMA page_size")) {
      return rs.next() ? rs.getLong(1) : 4096;
    }
  }

  private static long autoCheckpointPages(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("PRAGMA wal_autocheckpoint")) {
      return rs.next() ? rs.getLong(1) : 0;
    }
  }

  private void closeOwn() {
    Connection c = own;
    own = null;
    if (c != null) {
      try {
        c.close();
      } catch (SQLException e) {
        LOG.debug("Closing the checkpoint connection of {} failed", name, e);
      }
    }
  }

  /**
   * Past the WAL limit, a TRUNCATE checkpoint through the writer queue, tried again and again with
   * writes paused until it resets the log, at most {@code sluice.checkpoint.writerYield}
   * (design.md, Checkpoints). A snapshot held past the bound makes it give way: writes go on, the
   * next interval tries without a pause, and the next pause comes after the bound's time again.
   *
   * @return whether the log was reset
   */
  boolean checkpointIfLarge() {
    if (walBytes() < settings.walLimitBytes() || stopped) {
      gaveWay = 0;
      return false;
    }
    boolean pause = writerYieldNanos > 0 && System.nanoTime() - noPauseBefore >= 0;
    boolean reset = false;
    Object checkpointer = this;
    try {
      Connection c =
          writer.acquire(
              checkpointer, pause ? writerYieldNanos : writer.acquireTimeoutNanos(), Hold.CALL);
      Runnable paused = pause ? meters.checkpointPause() : null;
      try (Statement s = c.createStatement()) {
        long deadline = System.nanoTime() + writerYieldNanos;
        reset = truncate(s);
        while (pause && !reset && !stopped && System.nanoTime() - deadline < 0) {
          LockSupport.parkNanos(PAUSE_POLL_NANOS);
          reset = truncate(s);
        }
      } finally {
        if (paused != null) {
          paused.run();
        }
        writer.release(checkpointer, false);
      }
    } catch (SQLException | RuntimeException e) {
      LOG.debug("Background checkpoint of {} skipped", name, e);
    }
    if (reset) {
      gaveWay = 0;
    } else if (pause) {
      gaveWay++;
      noPauseBefore = System.nanoTime() + AUTO_GIVE_WAY_BACKOFF * writerYieldNanos;
      if (gaveWay == GIVE_WAY_WARNING || gaveWay % GIVE_WAY_REPEAT == 0) {
        LOG.warn(
            "The WAL of \"{}\" is {} bytes, past sluice.checkpoint.walLimit ({}): {} checkpoints in"
                + " a row gave way to read snapshots held longer than writes may pause"
                + " (sluice.checkpoint.writerYield, {} ms). Close result sets and read-only"
                + " transactions sooner (a reader held past sluice.reader.leakDetectionThreshold is"
                + " logged with where it was taken) or raise sluice.checkpoint.writerYield.",
            name,
            walBytes(),
            settings.walLimitBytes(),
            gaveWay,
            settings.checkpointWriterYieldMillis());
      }
    }
    return reset;
  }

  /** The writer's holder for {@link #truncateIfWriterFree}, apart from the checkpointer's own. */
  private final Object idleCheckpoint = new Object();

  /**
   * One TRUNCATE checkpoint if the writer is free within a moment (an idle engine's; a busy writer
   * means someone is at work again, and the checkpointer's own pass comes later).
   */
  void truncateIfWriterFree() {
    Object holder = idleCheckpoint;
    try {
      Connection c = writer.acquire(holder, TimeUnit.MILLISECONDS.toNanos(10), Hold.CALL);
      try (Statement s = c.createStatement()) {
        truncate(s);
      } finally {
        writer.release(holder, false);
      }
    } catch (SQLException | RuntimeException e) {
      LOG.debug("Checkpoint of the idle engine {} skipped", name, e);
    }
  }

  /** One TRUNCATE checkpoint; SQLite's busy handler waits a moment for the read locks. */
  private static boolean truncate(Statement s) throws SQLException {
    return checkpoint(s, "TRUNCATE");
  }

  /**
   * One checkpoint in {@code mode}; whether it was not blocked (for TRUNCATE: the log was reset).
   */
  private static boolean checkpoint(Statement s, String mode) throws SQLException {
    try (ResultSet rs = s.executeQuery("PRAGMA main.wal_checkpoint(" + mode + ")")) {
      // (busy, log frames, checkpointed frames): busy 0 means it was not blocked.
      return rs.next() && rs.getInt(1) == 0;
    }
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
    if (now - noPauseBefore < 0) {
      return false;
    }
    long salts = WalFile.salts(wal);
    Object yielder = this;
    boolean restarted = false;
    try {
      writer.acquire(yielder, writer.acquireTimeoutNanos(), Hold.CALL);
      Runnable paused = meters.checkpointPause();
      try {
        long deadline = System.nanoTime() + writerYieldNanos;
        while (!stopped && System.nanoTime() - deadline < 0) {
          if (WalFile.salts(wal) != salts) {
            restarted = true;
            LockSupport.parkNanos(Math.min(AFTER_RESTART_NANOS, deadline - System.nanoTime()));
            break;
          }
          LockSupport.parkNanos(PAUSE_POLL_NANOS);
        }
      } finally {
        paused.run();
        writer.release(yielder, false);
      }
    } catch (SQLException | RuntimeException e) {
      LOG.debug("Writer yield of {} skipped", name, e);
    }
    if (!restarted) {
      // No replicator checkpointed: do not stall writes again at once.
      noPauseBefore = System.nanoTime() + EXTERNAL_GIVE_WAY_BACKOFF * writerYieldNanos;
      LOG.warn(
          "The WAL of \"{}\" is {} bytes, past sluice.checkpoint.walLimit ({}), and no checkpoint"
              + " restarted it while Sluice's writer yielded for {} ms (sluice.checkpoint.mode="
              + "external): is the replicator (Litestream) running? Next yield in {} ms.",
          name,
          WalFile.liveBytes(wal),
          settings.walLimitBytes(),
          settings.checkpointWriterYieldMillis(),
          EXTERNAL_GIVE_WAY_BACKOFF * settings.checkpointWriterYieldMillis());
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
