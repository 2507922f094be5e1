package dev.sluice.writer;

import dev.sluice.error.Errors;
import dev.sluice.error.SqliteCodes;
import dev.sluice.jdbc.Physical;
import dev.sluice.metrics.Meters;
import dev.sluice.retry.Retry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit of auto-commit writes (design.md, Group commit). A write that finds the writer busy
 * or other writes waiting joins a queue of pending jobs and parks. One committer thread per engine
 * waits for the writer in its usual first-come first-served order on their behalf, runs every job
 * pending, in queue order, inside one {@code BEGIN IMMEDIATE ... COMMIT} (the jobs that arrive
 * while it runs join, up to the group's bound), and answers each caller only after the COMMIT. A
 * single pending job with nothing behind it runs as a plain auto-commit statement. An uncontended
 * write never comes here: it runs on its caller's thread, with no added latency and no timer
 * waiting for company.
 *
 * <p>The committer, not one of the callers, runs the groups so that the writer never waits for a
 * caller to be woken: while it runs a group, the callers of the previous one wake up and queue
 * their next writes, which form the next group.
 *
 * <p>When the group cannot commit as one (a deferred constraint fails the COMMIT, or a statement
 * ended the transaction itself, as {@code OR ROLLBACK} does), it is rolled back and every job not
 * yet answered runs again alone, in order: nothing is lost, nothing counts twice.
 *
 * <p>Thread-safe: the queue is concurrent; a job is touched by its caller until it is queued, by
 * the committer from then on, and by its caller again after {@link Job#done}.
 */
public final class GroupCommit {
  private static final Logger LOG = LoggerFactory.getLogger(GroupCommit.class);

  /** Longest park of an idle committer; submitters wake it (see {@link #sleeping}). */
  private static final long IDLE_PARK_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final ConcurrentLinkedQueue<Job> pending = new ConcurrentLinkedQueue<>();

  /** Callers with a job in the group commit, pending or running. */
  private final AtomicInteger waiting = new AtomicInteger();

  private final String name;
  private final WriterGate gate;
  private final Writer writer;
  private final Retry retry;
  private final Meters meters;
  private final int maxStatements;
  private final long acquireTimeoutNanos;
  private final WaitTimeouts timeouts;
  private volatile Thread committer;

  /**
   * Set by the idle committer before it looks at the queue a last time and parks; a submitter adds
   * its job first and then reads this, so one of the two always sees the other.
   */
  private volatile boolean sleeping;

  private volatile boolean stopped;

  /** The committer waits in the writer's queue on behalf of parked callers (not counted twice). */
  private volatile boolean committerQueued;

  /**
   * @param maxStatements the most statements one group runs; 1 or less turns group commit off
   */
  public GroupCommit(String name, WriterGate gate, Retry retry, Meters meters, int maxStatements) {
    this.name = name;
    this.gate = gate;
    this.writer = gate.writer();
    this.retry = retry;
    this.meters = meters;
    this.maxStatements = maxStatements;
    this.acquireTimeoutNanos = writer.acquireTimeoutNanos();
    this.timeouts = writer.timeouts();
  }

  /** Binds the values of a prepared statement's execution. */
  @FunctionalInterface
  public interface Binder {
    void bind(PreparedStatement ps) throws SQLException;
  }

  /** One auto-commit write and, once done, its outcome. */
  public static final class Job {
    final String sql;
    final Binder binder;
    final boolean insert;
    final Object owner;
    final WriterSession session;
    final Thread thread = Thread.currentThread();
    private volatile boolean done;
    long count;
    long changes;
    long key;
    boolean hasKey;
    long totalChanges;
    SQLException error;

    /**
     * @param binder binds a prepared statement's values, or null for a plain statement
     * @param insert whether the statement may insert a row (its key is then read)
     * @param owner whose last_insert_rowid() the statement sets (its logical connection)
     * @param session the connection-scoped settings the statement runs with
     */
    public Job(String sql, Binder binder, boolean insert, Object owner, WriterSession session) {
      this.sql = sql;
      this.binder = binder;
      this.insert = insert;
      this.owner = owner;
      this.session = session;
    }

    /** Rows changed by the statement and the triggers it fired ({@code total_changes()} delta). */
    public long totalChanges() {
      return totalChanges;
    }

    public long count() {
      return count;
    }

    public long changes() {
      return changes;
    }

    public long key() {
      return key;
    }

    /** Whether the statement inserted a row: then {@link #key()} is its rowid. */
    public boolean hasKey() {
      return hasKey;
    }

    /** The job's own failure, or null when it committed. */
    public SQLException error() {
      return error;
    }

    boolean done() {
      return done;
    }

    /** Answers the job: its caller is woken. */
    void finish() {
      done = true;
      LockSupport.unpark(thread);
    }
  }

  /**
   * Runs {@code job} in a group, or alone when nothing else is pending, and returns once it is
   * committed or has failed.
   *
   * @throws SQLException 25001 when this thread holds the writer through another connection; on
   *     timeout (08001, as a writer timeout) or interrupt (57014) while the job was still pending:
   *     then it never ran
   */
  public void submit(Job job) throws SQLException {
    writer.checkNotHeldByThisThread();
    // Queued before it is counted: whoever sees the count (the queue gauge) sees the job in order.
    pending.add(job);
    waiting.incrementAndGet();
    try {
      if (committer == null) {
        start();
      }
      if (sleeping) {
        LockSupport.unpark(committer);
      }
      if (stopped && pending.remove(job)) {
        // Closed meanwhile: the committer may have answered its last jobs already.
        throw Errors.closed("Sluice data source \"" + name + "\"");
      }
      if (!job.done()) {
        await(job);
      }
    } finally {
      waiting.decrementAndGet();
    }
  }

  /**
   * Parks until the job is answered or the writer's acquire timeout has passed, without a timer:
   * {@link WaitTimeouts} unparks the caller at its deadline (issue 22: a timer per wait woke the
   * JDK's scheduler thread twice per write of a virtual thread). No wake-up is lost: the committer
   * sets done before it unparks, the watcher sets expired before it does, and a park after an
   * unpark returns at once. Each needless wake-up would cost a virtual thread a mount (waking every
   * 5 ms cost 2,000 virtual threads about a tenth of their throughput).
   */
  private void await(Job job) throws SQLException {
    WaitTimeouts.Wait w = timeouts.register(System.nanoTime() + acquireTimeoutNanos, false);
    try {
      while (!job.done()) {
        if (w.expired()) {
          if (pending.remove(job)) {
            throw writer.timeout(acquireTimeoutNanos);
          }
          // The committer took the job at the last moment: its outcome will come.
          awaitQuietly(job);
          return;
        }
        LockSupport.park(this);
        if (Thread.interrupted()) {
          if (pending.remove(job)) {
            throw Errors.interrupted("a group commit", new InterruptedException());
          }
          awaitQuietly(job);
          Thread.currentThread().interrupt();
          return;
        }
      }
    } finally {
      boolean unused = timeouts.leave(w);
    }
  }

  /** Starts the committer at the first grouped write: once, under this lock. */
  private synchronized void start() {
    if (committer == null) {
      Thread t = new Thread(this::commitLoop, "sluice-" + name + "-group-commit");
      t.setDaemon(true);
      committer = t;
      t.start();
    }
  }

  /**
   * Whether no write is pending or waiting: then a write runs on the plain path, without the
   * group's bookkeeping, exactly as with group commit off.
   */
  public boolean idle() {
    return maxStatements <= 1
        || (waiting.get() == 0 && !writer.isHeld() && writer.queueLength() == 0);
  }

  /**
   * Threads waiting for the writer, for the queue gauge: those in the writer's own queue, without
   * the committer (it waits there for the parked callers), plus the parked callers.
   */
  public int queueLength() {
    int queued = writer.queueLength() - (committerQueued ? 1 : 0);
    return Math.max(0, queued) + waiting.get();
  }

  /**
   * Cancels {@code job} if it is still pending: it fails with 57014 and never runs. A job the
   * committer has taken completes.
   */
  public void cancel(Job job) {
    if (pending.remove(job)) {
      job.error = Errors.cancelledWhileQueued();
      job.finish();
    }
  }

  /** Stops the committer; pending jobs fail as closed. Called once the router refuses work. */
  public void close() {
    stopped = true;
    Thread t = committer;
    if (t != null) {
      LockSupport.unpark(t);
    }
  }

  /** Waits at most {@code nanos} for the committer thread to end. */
  public void awaitStopped(long nanos) throws InterruptedException {
    Thread t = committer;
    if (t != null) {
      TimeUnit.NANOSECONDS.timedJoin(t, nanos);
    }
  }

  /**
   * Waits for the outcome of a job the committer has taken. Not interruptible: the committer is
   * already running it, and its caller learns what became of it (the interrupt status is kept).
   */
  private static void awaitQuietly(Job job) {
    boolean interrupted = false;
    while (!job.done()) {
      LockSupport.park(job);
      interrupted |= Thread.interrupted();
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  // ---- the committer thread ------------------------------------------------------------------

  /** The one owner of every job, else this group commit. */
  private Object soleOwner(List<Job> jobs) {
    Object sole = null;
    for (Job j : jobs) {
      if (sole == null) {
        sole = j.owner;
      } else if (sole != j.owner) {
        return this;
      }
    }
    return sole == null ? this : sole;
  }

  private void commitLoop() {
    List<Job> jobs = new ArrayList<>();
    while (!stopped) {
      if (pending.isEmpty() && carried == null) {
        sleeping = true;
        if (pending.isEmpty() && !stopped) {
          LockSupport.parkNanos(this, IDLE_PARK_NANOS);
        }
        sleeping = false;
        Thread.interrupted();
        continue;
      }
      Connection w;
      try {
        committerQueued = true;
        // Held only while this loop runs the group: the committer's stack shows where it is.
        w = gate.acquire(this, Hold.CALL);
      } catch (SQLException e) {
        if (!stopped && e instanceof SQLTransientConnectionException && !gate.breakerOpen()) {
          // Writer timeout: every caller times out on its own clock; keep waiting for the rest.
          continue;
        }
        failPending(e);
        continue;
      } finally {
        committerQueued = false;
      }
      boolean broken = false;
      try {
        drainInto(jobs);
        broken = run(w, jobs);
      } catch (RuntimeException | Error e) {
        broken = true;
        LOG.error("Group commit of \"{}\" failed unexpectedly", name, e);
        for (Job j : jobs) {
          if (!j.done()) {
            j.error = Errors.groupFailed(e);
            j.finish();
          }
        }
      } finally {
        // A group of one connection's writes is that connection's commit (data_version).
        gate.release(this, soleOwner(jobs), broken);
      }
      // Answered once the writer is free again.
      for (Job j : jobs) {
        if (!j.done()) {
          j.finish();
        }
      }
      jobs.clear();
    }
    failPending(Errors.closed("Sluice data source \"" + name + "\""));
  }

  private void failPending(SQLException e) {
    Job c = carried;
    if (c != null) {
      // Taken from the queue to start the next group: it never ran either.
      carried = null;
      c.error = e;
      c.finish();
    }
    for (Job j = pending.poll(); j != null; j = pending.poll()) {
      j.error = e;
      j.finish();
    }
  }

  /**
   * Moves pending jobs to {@code jobs}, up to the group's bound; returns how many it moved. A group
   * runs with one session (connection-scoped pragmas): the first job of another session ends the
   * group and starts the next one, so queue order is kept.
   */
  private int drainInto(List<Job> jobs) {
    int moved = 0;
    while (jobs.size() < maxStatements) {
      Job j = carried;
      if (j != null) {
        carried = null;
      } else {
        j = pending.poll();
      }
      if (j == null) {
        break;
      }
      if (!jobs.isEmpty() && !jobs.get(0).session.equals(j.session)) {
        carried = j;
        break;
      }
      jobs.add(j);
      moved++;
    }
    return moved;
  }

  /** A job taken from the queue that starts the next group (touched by the committer only). */
  private Job carried;

  /**
   * Runs the jobs of a group on the writer. A job alone, with nothing else pending, runs as a plain
   * auto-commit statement. Otherwise the jobs run in one transaction, and the jobs that arrive
   * while it runs join it, up to the group's bound, before the one COMMIT: the busier the writer,
   * the larger the group, with no timer waiting for company. Committed jobs are left for the caller
   * to answer; the others are answered here.
   *
   * @return whether the writer connection broke
   */
  private boolean run(Connection w, List<Job> jobs) {
    if (jobs.isEmpty()) {
      // Every pending job was cancelled while the committer waited for the writer.
      return false;
    }
    try {
      gate.use(w, jobs.get(0).session);
    } catch (SQLException e) {
      for (Job j : jobs) {
        j.error = e;
        j.finish();
      }
      return true;
    }
    if (jobs.size() == 1 && pending.isEmpty()) {
      return alone(w, jobs.get(0));
    }
    WriterStatements statements = writer.statements();
    try {
      WriterTransaction.begin(retry, statements);
    } catch (SQLException e) {
      // Nothing ran: every job fails as it would have alone after its retries.
      for (Job j : jobs) {
        j.error = e;
        j.finish();
      }
      return SqliteCodes.isConnectionBroken(e);
    }
    boolean committed = false;
    // Callers of a group mostly run the same prepared SQL: take it once for the group.
    Map<String, PreparedStatement> prepared = new HashMap<>();
    try {
      boolean intact = true;
      int next = 0;
      while (intact) {
        while (intact && next < jobs.size()) {
          intact = inGroup(w, statements, jobs.get(next++), prepared);
        }
        if (!intact || drainInto(jobs) == 0) {
          break;
        }
      }
      if (intact) {
        giveAll(statements, prepared);
        WriterTransaction.commit(retry, statements);
        committed = true;
      }
    } catch (SQLException e) {
      committed = false;
    } finally {
      giveAll(statements, prepared);
    }
    meters.groupSize(jobs.size());
    if (committed) {
      return false;
    }
    // Roll back what is left and answer every job by running it alone, in order.
    try {
      if (Physical.inTransaction(w)) {
        WriterTransaction.rollback(statements);
      }
    } catch (SQLException e) {
      for (Job j : jobs) {
        if (!j.done()) {
          j.error = e;
          j.finish();
        }
      }
      return SqliteCodes.isConnectionBroken(e);
    }
    boolean broken = false;
    for (Job j : jobs) {
      if (j.done()) {
        continue;
      }
      j.error = null;
      j.hasKey = false;
      broken |= alone(w, j);
    }
    return broken;
  }

  /**
   * One job inside the group's transaction. No savepoint is needed to keep jobs apart: a failing
   * statement (ABORT, the default conflict resolution) undoes only its own changes and leaves the
   * transaction open, and OR FAIL keeps its partial changes exactly as it would alone; only a
   * statement that ends the transaction (OR ROLLBACK, RAISE(ROLLBACK)) needs the group re-run.
   *
   * @return false when the transaction ended under the group (it must be re-run job by job)
   */
  private boolean inGroup(
      Connection w, WriterStatements statements, Job j, Map<String, PreparedStatement> prepared)
      throws SQLException {
    try {
      if (j.binder != null) {
        PreparedStatement ps = prepared.get(j.sql);
        if (ps == null) {
          ps = statements.take(j.sql);
          prepared.put(j.sql, ps);
        }
        j.binder.bind(ps);
        long before = beforeStatement(w, j);
        j.count = ps.executeUpdate();
        outcome(w, j, before);
      } else {
        execute(w, j);
      }
    } catch (SQLException e) {
      j.error = e;
      // sqlite-jdbc finalizes a statement after most errors: the next job of the same SQL takes
      // one that the cache has checked.
      PreparedStatement failed = j.binder != null ? prepared.remove(j.sql) : null;
      if (failed != null) {
        statements.give(j.sql, failed);
      }
      if (!Physical.inTransaction(w)) {
        // Its own outcome stands, as it would alone; the others run again alone.
        j.finish();
        return false;
      }
    }
    return true;
  }

  /** A job as a plain auto-commit statement, retried on BUSY like any. */
  private boolean alone(Connection w, Job j) {
    boolean broken = false;
    try {
      retry.write(
          () -> {
            execute(w, j);
            return null;
          });
    } catch (SQLException e) {
      j.error = e;
      broken = SqliteCodes.isConnectionBroken(e);
    }
    j.finish();
    return broken;
  }

  private void execute(Connection w, Job j) throws SQLException {
    if (j.binder == null) {
      try (Statement s = w.createStatement()) {
        long before = beforeStatement(w, j);
        j.count = s.executeUpdate(j.sql);
        outcome(w, j, before);
      }
    } else {
      WriterStatements statements = writer.statements();
      PreparedStatement ps = statements.take(j.sql);
      try {
        j.binder.bind(ps);
        long before = beforeStatement(w, j);
        j.count = ps.executeUpdate();
        outcome(w, j, before);
      } finally {
        statements.give(j.sql, ps);
      }
    }
  }

  /** Sets the key sentinel for an insert; returns {@code total_changes()} before the statement. */
  private long beforeStatement(Connection w, Job j) throws SQLException {
    if (j.insert) {
      gate.beforeInsert(w, j.owner);
    }
    return Physical.totalChanges(w);
  }

  /** What the job's statement did, read while its effect is the writer's latest. */
  private void outcome(Connection w, Job j, long totalBefore) throws SQLException {
    j.changes = Physical.changes(w);
    j.totalChanges = Physical.totalChanges(w) - totalBefore;
    j.hasKey = false;
    if (j.insert) {
      long rowid = gate.afterInsert(w, j.owner);
      if (rowid != WriterGate.SENTINEL) {
        j.key = rowid;
        j.hasKey = true;
      }
    }
  }

  private static void giveAll(
      WriterStatements statements, Map<String, PreparedStatement> prepared) {
    for (Map.Entry<String, PreparedStatement> e : prepared.entrySet()) {
      statements.give(e.getKey(), e.getValue());
    }
    prepared.clear();
  }
}
