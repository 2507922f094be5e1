package dev.sluice.writer;

import dev.sluice.error.Errors;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one physical connection that performs every write of an engine, handed to one holder at a
 * time.
 *
 * <p>Waiters are served first-come first-served: a fair {@link Semaphore}, never taken with the
 * untimed {@code tryAcquire()} (it barges past the queue). A wait with the writer's acquire timeout
 * parks without a timer, its deadline kept by {@link WaitTimeouts} (a timer per wait is what costs
 * virtual threads most); a shorter one waits in the timed {@code tryAcquire}. The holder is a
 * logical connection, not a thread, because a logical connection may move between threads; the
 * thread that acquired is remembered too, so that the same thread asking again through another
 * logical connection gets an immediate error instead of waiting for itself forever. No {@code
 * synchronized} around blocking work, so virtual threads do not pin.
 *
 * <p>Thread-safe. The physical connection is only touched by the current holder.
 */
public final class Writer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Writer.class);

  /** Opens a physical writer connection with every pragma applied and verified. */
  @FunctionalInterface
  public interface Opener {
    Connection open() throws SQLException;
  }

  /**
   * A holder that may give the writer back when its own thread asks for it through another holder
   * (design.md "A transaction that has only read"): a transaction that has not written yet moves to
   * a reader in the snapshot it had, where a wait would deadlock and plain SQLite lets the other
   * connection write.
   */
  public interface Yielding {
    /**
     * Called on the holder's thread, which drives the holder; gives the writer back ({@link
     * #release}) and returns true, or keeps it and returns false.
     */
    boolean yieldWriter();
  }

  private final Semaphore permit = new Semaphore(1, true);

  /** Ends the waits in {@link #permit}'s queue that pass their deadline (they have no timer). */
  private final WaitTimeouts timeouts;

  private final Opener opener;
  private final long acquireTimeoutNanos;
  private final long holdWarningNanos;
  private final String name;

  /** Orders this engine's writer against the writers of other engines on the same file. */
  private final SidecarLock sidecar;

  /** Told at the end of every hold, so data_version can tell whose a commit was. */
  private final CommitWatch watch;

  // Whether the current hold has the sidecar's lock. Written by the holder under the permit.
  private volatile boolean sidecarHeld;

  // Written by the holder while it has the permit, read by anyone (diagnostics, re-entry check).
  private volatile Object owner;
  private volatile Thread ownerThread;
  private volatile long acquiredAtNanos;
  private volatile Throwable acquiredAt;
  private volatile boolean warned;
  // Written by the housekeeping thread only.
  private final java.util.concurrent.atomic.AtomicInteger warnings =
      new java.util.concurrent.atomic.AtomicInteger();
  private volatile Throwable lastWarning;

  // Guarded by the permit.
  private Connection connection;

  /** The statements kept compiled on {@link #connection}. Guarded by the permit. */
  private WriterStatements statements;

  /**
   * SQLite's auto-checkpoint, in pages, that the engine's housekeeping wants the writer connection
   * to run with; -1 leaves it as the connection was opened (see {@link #autoCheckpoint}).
   */
  private volatile int autoCheckpointWanted = -1;

  /** See {@link #autoCheckpointOwn}. */
  private volatile int autoCheckpointOwn = -1;

  /**
   * The auto-checkpoint last set on {@link #connection}; -1 while it runs as opened. Guarded by the
   * permit.
   */
  private int autoCheckpointSet = -1;

  private final int statementCapacity;
  private volatile boolean closed;

  public Writer(String name, Opener opener, long acquireTimeoutNanos, long holdWarningNanos) {
    this(
        name,
        opener,
        acquireTimeoutNanos,
        holdWarningNanos,
        SidecarLock.DISABLED,
        CommitWatch.DISABLED,
        DEFAULT_STATEMENTS);
  }

  /** How many statements a writer keeps compiled unless told otherwise. */
  public static final int DEFAULT_STATEMENTS = 64;

  /**
   * A writer that also queues with the writers of other processes on the same file through {@code
   * sidecar}, which it closes at {@link #close}, and tells {@code watch} when each hold ends.
   *
   * @param statementCapacity how many statements to keep compiled on the connection (see {@link
   *     WriterStatements}); 0 keeps none
   */
  public Writer(
      String name,
      Opener opener,
      long acquireTimeoutNanos,
      long holdWarningNanos,
      SidecarLock sidecar,
      CommitWatch watch,
      int statementCapacity) {
    this.statementCapacity = statementCapacity;
    this.timeouts = new WaitTimeouts(name);
    this.sidecar = sidecar;
    this.watch = watch;
    this.name = name;
    this.opener = opener;
    this.acquireTimeoutNanos = acquireTimeoutNanos;
    this.holdWarningNanos = holdWarningNanos;
  }

  /** Opens the physical connection now, so that open-time errors surface at engine start. */
  public void start() throws SQLException {
    Object self = this;
    // Outside the processes' queue: an open meets SQLite's lock and retry as before, instead of
    // waiting a whole acquire timeout behind another process's long transaction.
    acquire(self, acquireTimeoutNanos, Hold.CALL, false);
    release(self, false);
  }

  /**
   * Waits for the writer, in queue order, at most the acquire timeout.
   *
   * @param holder the logical connection that will hold the writer
   * @param hold whether the hold may outlive the caller's call (then its stack is captured now)
   * @return the physical connection, valid until {@link #release}
   * @throws SQLException 25001 when this thread already holds the writer through another holder,
   *     08001 (transient) on timeout, 08003 when closed
   */
  public Connection acquire(Object holder, Hold hold) throws SQLException {
    return acquire(holder, acquireTimeoutNanos, hold);
  }

  /**
   * Waits for the writer, in queue order, at most {@code timeoutNanos}. A thread whose interrupt
   * flag is set still gets a free writer: only an actual wait is interrupted.
   */
  public Connection acquire(Object holder, long timeoutNanos, Hold hold) throws SQLException {
    return acquire(holder, timeoutNanos, hold, true);
  }

  /**
   * Waits for this engine's writer at most {@code timeoutNanos}, without joining the queue of other
   * processes' writers: for work that needs this engine's writer idle but not SQLite's write lock
   * (the housekeeping's light checkpoint), which must neither wait for another process nor make it
   * wait.
   */
  public Connection acquireInProcess(Object holder, long timeoutNanos) throws SQLException {
    return acquire(holder, timeoutNanos, Hold.CALL, false);
  }

  private Connection acquire(Object holder, long timeoutNanos, Hold hold, boolean queue)
      throws SQLException {
    Thread me = Thread.currentThread();
    if (ownerThread == me && owner != holder && owner != null && !ownerYields()) {
      throw Errors.writerReentry(me.getName());
    }
    if (closed) {
      throw Errors.closed("Sluice engine \"" + name + "\"");
    }
    // Only a hold that can outlive this call pays for a stack (design.md, Observability), and it
    // is taken before the wait: a walk of the caller's stack costs microseconds that every write
    // queued behind this one would otherwise wait too.
    Throwable where =
        holdWarningNanos > 0 && hold == Hold.LASTING ? new Throwable("Writer acquired here") : null;
    long start = System.nanoTime();
    boolean got;
    try {
      if (Thread.interrupted()) {
        try {
          // Timed, so that it keeps queue order; the flag is cleared, so it cannot throw.
          got = permit.tryAcquire(0, TimeUnit.NANOSECONDS);
        } finally {
          me.interrupt();
        }
        if (!got) {
          throw Errors.interrupted("the writer", new InterruptedException());
        }
      } else if (permit.tryAcquire(0, TimeUnit.NANOSECONDS)) {
        got = true;
      } else if (timeoutNanos == acquireTimeoutNanos) {
        got = awaitUntimed(start + timeoutNanos);
      } else {
        got = permit.tryAcquire(timeoutNanos, TimeUnit.NANOSECONDS);
      }
    } catch (InterruptedException e) {
      throw Errors.interrupted("the writer", e);
    }
    if (!got) {
      throw timeout(System.nanoTime() - start);
    }
    boolean queued = false;
    try {
      if (closed) {
        throw Errors.closed("Sluice engine \"" + name + "\"");
      }
      // Other processes' turn comes after this engine's own queue: a thread waits here only when
      // it is first in line in its process.
      queued = queue && sidecar.lock(timeoutNanos - (System.nanoTime() - start));
      if (closed) {
        throw Errors.closed("Sluice engine \"" + name + "\"");
      }
      if (connection == null || connection.isClosed()) {
        statements = null;
        connection = opener.open();
        statements = new WriterStatements(connection, statementCapacity);
        autoCheckpointSet = -1;
      }
      int wanted = autoCheckpointWanted;
      if (wanted > 0 && wanted != autoCheckpointSet) {
        setAutoCheckpoint(wanted);
      }
    } catch (SQLException | RuntimeException e) {
      if (queued) {
        sidecar.unlock();
      }
      permit.release();
      throw e;
    }
    sidecarHeld = queued;
    owner = holder;
    ownerThread = me;
    warned = false;
    acquiredAt = where;
    acquiredAtNanos = System.nanoTime();
    return connection;
  }

  /**
   * Waits in the queue for the writer without a timer; {@link #timeouts} ends the wait by an
   * interrupt at {@code deadline}.
   *
   * @return whether the writer was obtained; false when the deadline passed
   * @throws InterruptedException when the caller's thread was interrupted
   */
  private boolean awaitUntimed(long deadline) throws InterruptedException {
    WaitTimeouts.Wait w = timeouts.register(deadline, true);
    try {
      permit.acquire();
    } catch (InterruptedException e) {
      if (timeouts.leave(w)) {
        return false;
      }
      throw e;
    }
    // Obtained: an expiry that raced with it is undone (its interrupt cleared).
    boolean unused = timeouts.leave(w);
    return true;
  }

  /** The deadlines of the waits for the writer that wait without a timer (group commit's too). */
  WaitTimeouts timeouts() {
    return timeouts;
  }

  /**
   * Gives the writer back. A broken connection is closed and replaced at the next acquire.
   *
   * @return how long it was held, in nanoseconds
   */
  public long release(Object holder, boolean broken) {
    return release(holder, holder, broken);
  }

  /**
   * Gives the writer back; the changes committed in the hold were {@code changesOwner}'s (the group
   * commit's writes can be one connection's).
   */
  public long release(Object holder, Object changesOwner, boolean broken) {
    if (owner != holder) {
      throw new IllegalStateException("Writer released by a connection that does not hold it");
    }
    long held = System.nanoTime() - acquiredAtNanos;
    if (broken) {
      closeQuietly();
    } else {
      watch.afterHold(changesOwner);
    }
    owner = null;
    ownerThread = null;
    acquiredAt = null;
    holdsEnded.incrementAndGet();
    if (sidecarHeld) {
      sidecarHeld = false;
      sidecar.unlock();
    }
    permit.release();
    return held;
  }

  /**
   * Sets SQLite's auto-checkpoint on the writer connection from its next hold on: how long a log
   * may grow before SQLite copies it inside a COMMIT. The engine's housekeeping raises it while its
   * light checkpoints restart the log on a free writer, and puts the connection's own value back
   * when the writer stays busy (design.md, Light checkpoints). Thread-safe.
   *
   * @param pages the auto-checkpoint in pages, at least 1
   * @param own the connections' own auto-checkpoint, in pages
   */
  public void autoCheckpoint(int pages, int own) {
    autoCheckpointOwn = own;
    autoCheckpointWanted = pages;
  }

  /**
   * The connections' own auto-checkpoint, which {@code PRAGMA wal_autocheckpoint} answers through
   * Sluice whatever the writer runs with; -1 until the housekeeping first sets the writer's.
   */
  public int autoCheckpointOwn() {
    return autoCheckpointOwn;
  }

  /**
   * Runs {@code PRAGMA wal_autocheckpoint} on the held connection. A failure leaves the value as it
   * was: SQLite's checkpoint then simply comes at the connection's own value.
   */
  private void setAutoCheckpoint(int pages) {
    autoCheckpointSet = pages;
    try (Statement s = connection.createStatement()) {
      s.execute("PRAGMA wal_autocheckpoint=" + pages);
    } catch (SQLException e) {
      LOG.debug("Setting the writer's auto-checkpoint of {} to {} pages failed", name, pages, e);
    }
  }

  /** Closes and forgets the physical connection; the next acquire opens a fresh one. */
  private void closeQuietly() {
    Connection c = connection;
    connection = null;
    // The statements stay: a holder that outlived close() fails on them as on the closed
    // connection; closing the connection finalizes them, and the next open replaces them.
    if (c != null) {
      try {
        c.close();
      } catch (SQLException e) {
        LOG.debug("Closing a broken writer connection failed", e);
      }
    }
  }

  /**
   * The statements kept compiled on the writer connection the caller holds; valid until it gives
   * the writer back.
   */
  public WriterStatements statements() {
    return statements;
  }

  /** Holds ended so far: whatever was committed, it was committed before one of them ended. */
  private final AtomicLong holdsEnded = new AtomicLong();

  /**
   * How many holds of the writer have ended. A reader's snapshot taken when this was {@code n} is
   * still the newest state while it is {@code n} and the asker holds the writer (a conservative
   * test: a hold that committed nothing counts too).
   */
  public long holdsEnded() {
    return holdsEnded.get();
  }

  /** How many holds were reported as held too long (for tests). */
  int warnings() {
    return warnings.get();
  }

  /** The stack the last hold warning showed (for tests). */
  Throwable lastWarning() {
    return lastWarning;
  }

  /**
   * Records that {@code holder} keeps the writer beyond the call that took it as a {@link
   * Hold#CALL} (a transaction begun in SQL, a pin, a result set left open): captures the stack now,
   * while the caller's thread is still in that call. Does nothing when warnings are off or the
   * stack was captured already.
   */
  public void lasting(Object holder) {
    if (holdWarningNanos > 0 && acquiredAt == null && owner == holder) {
      acquiredAt = new Throwable("Writer acquired here");
    }
  }

  /**
   * Where the current hold comes from, for the hold warning and the timeout error: the stack
   * captured when a lasting hold began, else the holder thread's stack now (a hold within a call:
   * that thread is still in it). Null when nobody holds the writer or hold warnings are off.
   */
  public Throwable holderStack() {
    Throwable where = acquiredAt;
    Thread t = ownerThread;
    if (where != null || t == null || holdWarningNanos <= 0) {
      return where;
    }
    return stackNow(t);
  }

  private static Throwable stackNow(Thread t) {
    Throwable now = new Throwable("Writer held by a running statement; the holder's stack now");
    now.setStackTrace(t.getStackTrace());
    return now;
  }

  /**
   * Records that the holder now uses the writer on this thread. A logical connection may move
   * between threads while it holds the writer (a coroutine resumed on another carrier, reactive
   * code): the re-entry check (25001) then looks at the thread that drives it now, not the one that
   * took it, so another connection asking on the first thread waits its turn instead of failing.
   */
  public void touch(Object holder) {
    if (owner == holder) {
      Thread me = Thread.currentThread();
      if (ownerThread != me) {
        ownerThread = me;
      }
    }
  }

  /** The commit watch behind {@code PRAGMA data_version}. */
  public CommitWatch watch() {
    return watch;
  }

  /** Whether anyone holds the writer now. */
  public boolean isHeld() {
    return owner != null;
  }

  /**
   * Fails when this thread holds the writer already: a write it hands to another thread (the group
   * commit) would wait for itself.
   *
   * @throws SQLException 25001, as {@link #acquire} does on re-entry
   */
  public void checkNotHeldByThisThread() throws SQLException {
    Thread me = Thread.currentThread();
    if (ownerThread == me && !ownerYields()) {
      throw Errors.writerReentry(me.getName());
    }
  }

  /**
   * Asks the holder, driven by this thread, to give the writer back; whether it did. Only this
   * thread can change the holder's state now, so nothing races the answer.
   */
  private boolean ownerYields() {
    return owner instanceof Yielding y && y.yieldWriter();
  }

  /** Whether {@code holder} currently holds the writer. */
  public boolean isHeldBy(Object holder) {
    return owner == holder;
  }

  public long acquireTimeoutNanos() {
    return acquireTimeoutNanos;
  }

  /** The error of a wait for the writer that lasted {@code waitedNanos} in vain. */
  public SQLException timeout(long waitedNanos) {
    Thread holderThread = ownerThread;
    return Errors.writerTimeout(
        TimeUnit.NANOSECONDS.toMillis(waitedNanos),
        permit.getQueueLength(),
        holderThread == null
            ? 0
            : TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - acquiredAtNanos),
        holderThread == null ? "none" : holderThread.getName(),
        holderStack());
  }

  /** Threads waiting for the writer. */
  public int queueLength() {
    return permit.getQueueLength();
  }

  /**
   * Logs once per hold when the writer has been held longer than the hold warning, with the stack
   * of where a lasting hold was acquired, or the holder thread's stack now for a hold within a
   * call. Called periodically by the engine's housekeeping thread.
   */
  public void warnIfHeldTooLong() {
    Thread t = ownerThread;
    if (holdWarningNanos <= 0 || t == null || warned) {
      return;
    }
    long held = System.nanoTime() - acquiredAtNanos;
    if (held > holdWarningNanos && ownerThread == t) {
      Throwable captured = acquiredAt;
      Throwable where = captured != null ? captured : stackNow(t);
      warned = true;
      warnings.incrementAndGet();
      lastWarning = where;
      LOG.warn(
          "Writer of \"{}\" held for {} ms by thread \"{}\" ({} waiting). Keep write transactions"
              + " short. {}",
          name,
          TimeUnit.NANOSECONDS.toMillis(held),
          t.getName(),
          permit.getQueueLength(),
          captured != null
              ? "Acquired here:"
              : "Held by a running statement; the holder's stack now:",
          where);
    }
  }

  /**
   * Stops new work, waits at most {@code timeoutNanos} for the current holder, runs {@code
   * lastWork} on the physical connection (checkpoint, optimize), then closes it.
   */
  public void close(long timeoutNanos, LastWork lastWork) throws SQLException {
    closed = true;
    boolean got = false;
    try {
      got = permit.tryAcquire(timeoutNanos, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (!got) {
      LOG.warn(
          "Closing \"{}\" while the writer is still held by \"{}\"; its transaction is rolled back.",
          name,
          ownerThread == null ? "none" : ownerThread.getName());
    }
    try {
      Connection c = connection;
      if (c != null && !c.isClosed() && got) {
        // The last checkpoint and optimize run with no statement of Sluice's left on the writer.
        statements.clear();
        lastWork.run(c);
      }
    } finally {
      closeQuietly();
      timeouts.close();
      sidecar.close();
      watch.close();
      // Wake every waiter: each finds the writer closed and fails with 08003 at once.
      permit.release(got ? 1 + Short.MAX_VALUE : Short.MAX_VALUE);
    }
  }

  @Override
  public void close() throws SQLException {
    close(0, c -> {});
  }

  /** Work done on the writer connection just before it closes. */
  @FunctionalInterface
  public interface LastWork {
    void run(Connection c) throws SQLException;
  }
}
