package dev.sluice.writer;

import dev.sluice.error.Errors;
import java.io.IOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.FileLockInterruptionException;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writer queue shared by every Sluice engine on one database file, across processes: an OS
 * advisory lock on a sidecar file next to the database ({@code <database>-sluice-lock}), taken when
 * an engine's writer is acquired and released when it is given back, so a process waiting to write
 * sleeps in the kernel until the writer of another process is done instead of polling SQLite's lock
 * (a busy handler that sleeps in steps of milliseconds, then a backoff).
 *
 * <p>Why a sidecar and not the database: SQLite's own locks on the database are POSIX locks of the
 * process, and closing any descriptor of that file drops every one of them; the sidecar is opened
 * once per JVM and never by SQLite. Why two byte ranges: a released fcntl lock is not handed to the
 * waiter that asked first, so a process releasing and asking again at once would take the lock back
 * before the woken waiter runs, for ever. A waiter first takes the door (byte 0), then the room
 * (byte 1), and gives the door back once in the room. For {@link #TURN_NANOS} after coming in
 * through the door a process takes the room again directly whenever it is free (its turn: it writes
 * on while it has the CPU, where handing over after every transaction would cost a switch between
 * processes per transaction on a busy machine); after that it must pass the door, which the next
 * waiter holds, so no process keeps the queue longer than its turn plus one writer hold (one
 * transaction, or one group commit of at most {@code sluice.writer.groupMax} statements) while
 * another waits.
 *
 * <p>A process alone on the file skips the door and the room: a queue nobody else is in costs an OS
 * lock and release per hold for nothing. Each process announces itself for as long as it has the
 * sidecar open by holding an exclusive lock on a slot byte of its own ({@link #SLOTS} of them, from
 * {@link #SLOT_BASE}, taken with {@code tryLock} at open); one that finds no free slot holds a
 * shared lock on the crowd byte instead, and never counts itself alone. "Alone" is a probe: shared
 * test locks on the slot ranges below and above its own slot (Java forbids overlapping locks within
 * one JVM) and an exclusive one on the crowd byte, all given back at once. An acquire trusts the
 * last probe's answer for {@link #REPROBE_NANOS} (10 ms); past that it probes again, under this
 * JVM's turn, costing about as much as one pass through the queue it skips. A newcomer probes at
 * its first acquire and queues from its first write; the process that was alone notices it at its
 * first acquire more than 10 ms after its last probe, and meanwhile meets SQLite's lock, busy
 * handler and retry (correct, only slower). A process that leaves, or is killed, frees its slot
 * with its locks; the others go back to skipping within the same bound. Not event-driven: a lock
 * wakes a waiter when a holder leaves, never when a process arrives, and watching the directory
 * (where the database and its WAL change at every write) costs more than the probe and polls on
 * some platforms. Engines of one JVM share one slot (presence is per process) and still take turns
 * on the JVM's semaphore while alone.
 *
 * <p>The lock is advisory and only orders Sluice engines; SQLite's own lock still guards the data.
 * Whenever the sidecar cannot be used (no permission to create it, a file system without locks), a
 * wait for it outlasts the writer's acquire timeout, or a thread asks for it while it already holds
 * it through another engine in this JVM, the writer goes on without it and meets SQLite's lock,
 * retry and breaker, as processes that do not use Sluice always do. A process killed while holding
 * the lock loses it at once: the OS releases the locks of a dead process.
 *
 * <p>Java's file locks belong to the JVM ({@link OverlappingFileLockException} for a second
 * channel) and POSIX locks to the process, so engines of one JVM on the same file share one {@code
 * Shared} (one channel) and take turns on its fair semaphore before the OS lock. A second engine
 * joins that channel without opening the file again: closing a second descriptor would drop every
 * lock of the process on it, the slot included. An interrupt during a blocking {@link
 * FileChannel#lock} closes the channel, releasing the door; only the thread that has the JVM's turn
 * ever touches the channel, so nothing else is lost, and the next turn reopens it and takes a slot
 * again. The wait is bounded by interrupting the waiting thread at its deadline, from a timer
 * thread.
 *
 * <p>Thread-safe. A holder may release from another thread than the one that acquired (a logical
 * connection can move between threads).
 */
public final class SidecarLock implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SidecarLock.class);

  /** The suffix of the sidecar file's name, after the database file's name. */
  public static final String SUFFIX = "-sluice-lock";

  private static final long DOOR = 0;
  private static final long ROOM = 1;

  /**
   * Held shared by every process that found no free slot: it may be anywhere, so it never counts
   * itself alone, and others testing this byte see it.
   */
  static final long CROWD = 2;

  /** The first presence slot; far from the door and the room. */
  static final long SLOT_BASE = 1L << 20;

  /** How many processes can announce themselves each on a slot of their own. */
  static final int SLOTS = 4096;

  /**
   * How long the answer of a presence probe is trusted: a process that found itself alone skips the
   * OS locks for at most this long after the probe before probing again, and a process that found
   * others keeps queueing as long before it may find itself alone again.
   */
  static final long REPROBE_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

  /**
   * How long a process may keep taking the room again without passing the door, from the moment it
   * last came in through the door: the bound on how long it keeps the queue while another waits.
   */
  static final long TURN_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

  /** The open sidecars of this JVM, by real path. Guarded by {@link #REGISTRY}. */
  private static final Map<Path, Shared> OPEN = new HashMap<>();

  private static final ReentrantLock REGISTRY = new ReentrantLock();

  /** No cross-process queue: every acquire goes straight on (the option off, in-memory files). */
  public static final SidecarLock DISABLED = new SidecarLock(null, "");

  private final Shared shared;
  private final String name;

  private SidecarLock(Shared shared, String name) {
    this.shared = shared;
    this.name = name;
  }

  /**
   * Opens (or joins, within this JVM) the sidecar of {@code database}. Never fails: when the
   * sidecar cannot be created or opened, logs one warning and answers {@link #DISABLED}.
   */
  public static SidecarLock open(Path database, String engineName) {
    return open(database, engineName, REPROBE_NANOS);
  }

  /** As {@link #open(Path, String)}, trusting a presence probe for {@code reprobeNanos}. */
  static SidecarLock open(Path database, String engineName, long reprobeNanos) {
    Path sidecar = database.resolveSibling(database.getFileName() + SUFFIX);
    REGISTRY.lock();
    try {
      // Join this JVM's channel before opening another: closing a second descriptor of the file
      // would drop every lock the process holds on it (its slot, a room held meanwhile).
      Shared s = joinable(sidecar);
      if (s == null) {
        FileChannel channel;
        Path real;
        try {
          channel =
              FileChannel.open(
                  sidecar,
                  StandardOpenOption.CREATE,
                  StandardOpenOption.READ,
                  StandardOpenOption.WRITE);
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
          warnCannotOpen(sidecar, engineName, e);
          return DISABLED;
        }
        try {
          real = sidecar.toRealPath();
        } catch (IOException | SecurityException e) {
          closeQuietly(channel);
          warnCannotOpen(sidecar, engineName, e);
          return DISABLED;
        }
        s = new Shared(real, channel, reprobeNanos);
        s.announce(engineName);
        OPEN.put(real, s);
      }
      s.users++;
      return new SidecarLock(s, engineName);
    } finally {
      REGISTRY.unlock();
    }
  }

  /** The open sidecar of this JVM at {@code sidecar}'s real path, if any. Under the registry. */
  private static Shared joinable(Path sidecar) {
    try {
      return OPEN.get(sidecar.toRealPath());
    } catch (IOException | SecurityException e) {
      // Not there yet (or not reachable): opening it says which.
      return null;
    }
  }

  private static void warnCannotOpen(Path sidecar, String engineName, Exception e) {
    LOG.warn(
        "Cannot open the lock file {} of \"{}\" ({}): Sluice processes writing to this database"
            + " will meet SQLite's own lock and retry instead of queueing. Let the process create"
            + " and write that file, or set sluice.writer.processLock=false to silence this.",
        sidecar,
        engineName,
        e.toString());
  }

  /** Whether this lock queues across processes (false when disabled or degraded). */
  public boolean isActive() {
    return shared != null && !shared.broken;
  }

  /**
   * Takes the queue's turn, waiting at most {@code timeoutNanos}.
   *
   * @return whether the lock is held (then {@link #unlock()} must follow); false when the writer
   *     goes on without it (disabled, degraded, re-entry from another engine, timed out)
   * @throws SQLException 57014 when the waiting thread is interrupted (the flag is set again)
   */
  public boolean lock(long timeoutNanos) throws SQLException {
    Shared s = shared;
    if (s == null || s.broken) {
      return false;
    }
    return s.lock(timeoutNanos, name);
  }

  /**
   * Whether the last presence probe found this process alone on the file (then acquires skip the OS
   * locks). For tests; read by the thread that last had the turn.
   */
  boolean alone() {
    Shared s = shared;
    return s != null && s.alone;
  }

  /** How many times this JVM took the room's OS lock on the file. For tests, as {@link #alone}. */
  long roomsTaken() {
    Shared s = shared;
    return s == null ? 0 : s.roomsTaken;
  }

  /** Gives the turn back; only after a {@link #lock} that answered true. */
  public void unlock() {
    shared.unlock();
  }

  /** Leaves the sidecar; the last engine of this JVM on the file closes its channel. */
  @Override
  public void close() {
    Shared s = shared;
    if (s == null) {
      return;
    }
    REGISTRY.lock();
    try {
      if (--s.users == 0) {
        OPEN.remove(s.path);
        s.close();
      }
    } finally {
      REGISTRY.unlock();
    }
  }

  /** The sidecar of one file in this JVM. */
  private static final class Shared {
    final Path path;
    int users; // guarded by REGISTRY

    /** This JVM's turn: at most one thread holds or waits for the OS lock. */
    final Semaphore turn = new Semaphore(1, true);

    volatile Thread turnThread;
    volatile boolean broken;
    volatile boolean warnedTimeout;
    volatile boolean closed;

    /** How long a presence probe's answer is trusted. */
    final long reprobeNanos;

    // Guarded by the turn (and by the registry before the first turn, at open).
    FileChannel channel;
    FileLock room;
    boolean inTurn;
    long turnStartNanos;

    /** This process's presence slot and its index, or null when it has none (then the crowd). */
    FileLock slot;

    long slotIndex;

    /** The shared lock on the crowd byte, when this process found no free slot. */
    FileLock crowd;

    /** What the last presence probe said, when it was made, and whether one is due regardless. */
    boolean alone;

    long probedAtNanos;
    boolean probeDue = true;

    /** How many times the room's OS lock was taken (for tests). */
    long roomsTaken;

    /** Interrupts a thread whose wait for the OS lock passed its deadline. Started lazily. */
    final ScheduledThreadPoolExecutor timer;

    Shared(Path path, FileChannel channel, long reprobeNanos) {
      this.path = path;
      this.channel = channel;
      this.reprobeNanos = reprobeNanos;
      this.timer =
          new ScheduledThreadPoolExecutor(
              1,
              r -> {
                Thread t = new Thread(r, "sluice-lock-timer-" + path.getFileName());
                t.setDaemon(true);
                return t;
              });
      timer.setRemoveOnCancelPolicy(true);
    }

    boolean lock(long timeoutNanos, String engine) throws SQLException {
      Thread me = Thread.currentThread();
      if (turnThread == me) {
        // This thread holds the file's writer through another engine: waiting would be for itself.
        return false;
      }
      long deadline = System.nanoTime() + Math.max(0, timeoutNanos);
      boolean got;
      try {
        if (Thread.interrupted()) {
          try {
            // Timed, so that it keeps queue order; the flag is cleared, so it cannot throw.
            got = turn.tryAcquire(0, TimeUnit.NANOSECONDS);
          } finally {
            me.interrupt();
          }
          if (!got) {
            throw Errors.interrupted(
                "the writer of another engine on the same file", new InterruptedException());
          }
        } else {
          got = turn.tryAcquire(Math.max(0, timeoutNanos), TimeUnit.NANOSECONDS);
        }
      } catch (InterruptedException e) {
        throw Errors.interrupted("the writer of another engine on the same file", e);
      }
      if (!got) {
        timedOut(engine);
        return false;
      }
      turnThread = me;
      boolean held = false;
      try {
        held = take(deadline, engine);
        return held;
      } finally {
        if (!held) {
          turnThread = null;
          turn.release();
        }
      }
    }

    /** Door, then room, then the door back. The caller has the turn. */
    private boolean take(long deadline, String engine) throws SQLException {
      if (closed) {
        return false;
      }
      try {
        if (channel == null || !channel.isOpen()) {
          channel =
              FileChannel.open(
                  path,
                  StandardOpenOption.CREATE,
                  StandardOpenOption.READ,
                  StandardOpenOption.WRITE);
          // The slot went with the old channel: announce this process again, then look around.
          slot = null;
          crowd = null;
          probeDue = true;
        }
        FileChannel ch = channel;
        long now = System.nanoTime();
        if (probeDue || now - probedAtNanos >= reprobeNanos) {
          if (slot == null && crowd == null) {
            announce(ch);
          }
          alone = probeAlone(ch);
          probedAtNanos = now;
          probeDue = false;
        }
        if (alone) {
          // Nobody else on the file: the queue would have no one in it. The next hold after other
          // processes were seen passes the door.
          inTurn = false;
          return true;
        }
        if (inTurn && System.nanoTime() - turnStartNanos < TURN_NANOS) {
          // Within its turn a process takes the room straight away when it is free, so that it
          // writes on while it has the CPU instead of handing over after every transaction.
          FileLock r = ch.tryLock(ROOM, 1, false);
          if (r != null) {
            room = r;
            roomsTaken++;
            return true;
          }
        }
        inTurn = false;
        FileLock door = ch.tryLock(DOOR, 1, false);
        if (door == null) {
          door = await(ch, DOOR, deadline, engine);
          if (door == null) {
            return false;
          }
        }
        try {
          FileLock r = ch.tryLock(ROOM, 1, false);
          if (r == null) {
            r = await(ch, ROOM, deadline, engine);
            if (r == null) {
              return false;
            }
          }
          room = r;
          roomsTaken++;
          inTurn = true;
          turnStartNanos = System.nanoTime();
          return true;
        } finally {
          releaseQuietly(door);
        }
      } catch (IOException | OverlappingFileLockException | UnsupportedOperationException e) {
        if (e instanceof FileLockInterruptionException || e instanceof ClosedChannelException) {
          // Closed by an interrupt the caller did not ask for (handled in await), or by another
          // turn's interrupt: reopened at the next turn.
          channel = null;
          return false;
        }
        cannotLock(engine, e);
        return false;
      }
    }

    /**
     * Announces this process at open, before any turn: a warning and no queue when the sidecar
     * cannot be locked.
     */
    void announce(String engine) {
      try {
        announce(channel);
      } catch (IOException | OverlappingFileLockException | UnsupportedOperationException e) {
        cannotLock(engine, e);
      }
    }

    /** The sidecar cannot be locked: no queue from now on, said once per cause. */
    private void cannotLock(String engine, Exception e) {
      broken = true;
      LOG.warn(
          "The lock file {} of \"{}\" cannot be locked ({}): Sluice processes writing to this"
              + " database now meet SQLite's own lock and retry instead of queueing.",
          path,
          engine,
          e.toString());
    }

    /**
     * Takes the first free slot, held for as long as the channel is open so that other processes
     * see this one; when every slot is taken, a shared lock on the crowd byte instead (this process
     * then never counts itself alone). When even that is refused for a moment (another process
     * testing the crowd byte), the next probe tries again.
     */
    private void announce(FileChannel ch) throws IOException {
      for (int i = 0; i < SLOTS; i++) {
        FileLock l = ch.tryLock(SLOT_BASE + i, 1, false);
        if (l != null) {
          slot = l;
          slotIndex = i;
          return;
        }
      }
      crowd = ch.tryLock(CROWD, 1, true);
    }

    /**
     * Whether no other process has the sidecar open: every other slot free (shared test locks, so
     * that processes probing at once do not see each other's probes) and nobody in the crowd (an
     * exclusive test lock, refused while any process holds it shared). The test locks are given
     * back at once.
     */
    private boolean probeAlone(FileChannel ch) throws IOException {
      if (slot == null) {
        return false;
      }
      long mine = SLOT_BASE + slotIndex;
      return free(ch, SLOT_BASE, mine - SLOT_BASE, true)
          && free(ch, mine + 1, SLOT_BASE + SLOTS - mine - 1, true)
          && free(ch, CROWD, 1, false);
    }

    private static boolean free(FileChannel ch, long position, long size, boolean shared)
        throws IOException {
      if (size == 0) {
        // A zero size would lock to the end of the file and beyond.
        return true;
      }
      FileLock l = ch.tryLock(position, size, shared);
      if (l == null) {
        return false;
      }
      l.release();
      return true;
    }

    /**
     * Waits for one byte of the sidecar until {@code deadline}; null on timeout. An interrupt from
     * elsewhere fails with 57014.
     */
    private FileLock await(FileChannel ch, long position, long deadline, String engine)
        throws IOException, SQLException {
      Thread me = Thread.currentThread();
      if (me.isInterrupted()) {
        throw Errors.interrupted("the writer of another process", new InterruptedException());
      }
      long remaining = deadline - System.nanoTime();
      if (remaining <= 0) {
        timedOut(engine);
        return null;
      }
      Alarm alarm = new Alarm(me);
      ScheduledFuture<?> f;
      try {
        f = timer.schedule(alarm::ring, remaining, TimeUnit.NANOSECONDS);
      } catch (RejectedExecutionException e) {
        // The last engine of this JVM left the file meanwhile.
        return null;
      }
      try {
        FileLock lock = ch.lock(position, 1, false);
        if (alarm.silence()) {
          // Rang after the lock was granted: only the flag was set, and it was ours.
          Thread.interrupted();
        }
        return lock;
      } catch (FileLockInterruptionException | ClosedByInterruptException e) {
        channel = null;
        if (alarm.silence()) {
          Thread.interrupted();
          timedOut(engine);
          return null;
        }
        InterruptedException cause = new InterruptedException();
        cause.initCause(e);
        throw Errors.interrupted("the writer of another process", cause);
      } catch (ClosedChannelException e) {
        // Closed by the last engine of this JVM leaving the file (a close racing this wait).
        channel = null;
        if (alarm.silence()) {
          Thread.interrupted();
        }
        return null;
      } finally {
        f.cancel(false);
      }
    }

    private void timedOut(String engine) {
      if (!warnedTimeout) {
        warnedTimeout = true;
        LOG.warn(
            "\"{}\" waited its whole writer acquire timeout for another process's writer on {};"
                + " it goes on without the queue and meets SQLite's lock and retry. A process"
                + " keeps its writer (a long transaction, a connection with temp tables) too long.",
            engine,
            path);
      } else {
        LOG.debug("\"{}\" goes on without the queue of {} after its timeout", engine, path);
      }
    }

    void unlock() {
      FileLock r = room;
      room = null;
      try {
        if (r != null && r.isValid()) {
          r.release();
        }
      } catch (IOException e) {
        // The channel is gone, and the OS released the lock with it.
        LOG.debug("Releasing the lock of {} failed", path, e);
      } finally {
        turnThread = null;
        turn.release();
      }
    }

    void close() {
      closed = true;
      timer.shutdownNow();
      closeQuietly(channel);
    }
  }

  /** Interrupts the waiting thread once, unless silenced first; the two never cross. */
  private static final class Alarm {
    private final ReentrantLock lock = new ReentrantLock();
    private final Thread thread;
    private boolean done;
    private boolean rang;

    Alarm(Thread thread) {
      this.thread = thread;
    }

    void ring() {
      lock.lock();
      try {
        if (!done) {
          rang = true;
          thread.interrupt();
        }
      } finally {
        lock.unlock();
      }
    }

    /**
     * Stops the alarm; whether it rang (the interrupt flag it set is then the caller's to clear).
     */
    boolean silence() {
      lock.lock();
      try {
        done = true;
        return rang;
      } finally {
        lock.unlock();
      }
    }
  }

  private static void releaseQuietly(FileLock lock) {
    try {
      if (lock.isValid()) {
        lock.release();
      }
    } catch (IOException e) {
      // Its channel is closed, and the OS released the lock with it.
      LOG.debug("Releasing a lock of a lock file failed", e);
    }
  }

  private static void closeQuietly(FileChannel c) {
    if (c != null) {
      try {
        c.close();
      } catch (IOException e) {
        LOG.debug("Closing a lock file failed", e);
      }
    }
  }
}
