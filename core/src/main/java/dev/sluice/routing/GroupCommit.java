package dev.sluice.routing;

import dev.sluice.error.Errors;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Group commit of auto-commit writes (design.md, Group commit). Each write joins a queue of pending
 * jobs and then waits for the writer in the usual first-come first-served order. The thread that
 * gets the writer runs every job still pending, in queue order, inside one {@code BEGIN IMMEDIATE
 * ... COMMIT}, each under its own savepoint, and answers each caller only after the COMMIT; the
 * callers whose jobs it ran find them done when their turn comes and give the writer straight back.
 * An uncontended write finds only itself and runs as a plain auto-commit statement: no added
 * latency, no timer waiting for company.
 *
 * <p>When the group cannot commit as one (a deferred constraint fails the COMMIT, or a statement
 * ended the transaction itself, as {@code OR ROLLBACK} does), it is rolled back and every job not
 * yet answered runs again alone, in order: nothing is lost, nothing counts twice.
 *
 * <p>Thread-safe: the queue is concurrent; a job is touched by its caller until it is queued, by
 * the leader while it holds the writer, and by its caller again after {@link Job#done}.
 */
final class GroupCommit {
  /** Longest park between two looks at the queue: a safety net against a lost wake-up. */
  private static final long MAX_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

  private final ConcurrentLinkedQueue<Job> pending = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean candidate = new AtomicBoolean();
  private final AtomicInteger parked = new AtomicInteger();
  private final Router router;
  private final int maxStatements;
  private final long acquireTimeoutNanos;

  GroupCommit(Router router, int maxStatements, long acquireTimeoutNanos) {
    this.router = router;
    this.maxStatements = maxStatements;
    this.acquireTimeoutNanos = acquireTimeoutNanos;
  }

  /** One auto-commit write and, once done, its outcome. */
  static final class Job {
    final LogicalStatement statement;
    final String sql;
    final boolean insert;
    final Thread thread = Thread.currentThread();
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile boolean done;
    long count;
    long changes;
    long key;
    boolean hasKey;
    SQLException error;
    boolean grouped;

    Job(LogicalStatement statement, String sql, boolean insert) {
      this.statement = statement;
      this.sql = sql;
      this.insert = insert;
    }

    boolean done() {
      return done;
    }

    void finish() {
      done = true;
      finished.countDown();
      LockSupport.unpark(thread);
    }
  }

  /**
   * Runs {@code job}, alone or in a group, and returns once it is committed or has failed.
   *
   * <p>Only one submitting thread at a time (the candidate) waits in the writer's queue; the others
   * park until their job is done or they are woken to become the next candidate. So the writer's
   * first-come first-served order holds against other writers, and the callers of a group learn
   * their outcome from one wake-up each instead of taking the writer in turn.
   */
  void submit(Job job, Object holder) throws SQLException {
    pending.add(job);
    long deadline = System.nanoTime() + acquireTimeoutNanos;
    parked.incrementAndGet();
    try {
      while (!job.done()) {
        if (candidate.compareAndSet(false, true)) {
          parked.decrementAndGet();
          try {
            lead(job, holder);
          } finally {
            parked.incrementAndGet();
          }
          return;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          if (pending.remove(job)) {
            throw router.writer.timeout(acquireTimeoutNanos);
          }
          // A leader took the job at the last moment: its outcome will come.
          awaitQuietly(job);
          return;
        }
        LockSupport.parkNanos(this, Math.min(left, MAX_PARK_NANOS));
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
      parked.decrementAndGet();
    }
  }

  /** As the candidate: waits for the writer, runs what is pending, hands candidacy on. */
  private void lead(Job job, Object holder) throws SQLException {
    Connection w;
    try {
      w = router.acquireWriter(holder);
    } catch (SQLException e) {
      candidate.set(false);
      wakeNext();
      if (pending.remove(job)) {
        throw e;
      }
      awaitQuietly(job);
      return;
    }
    boolean broken = false;
    try {
      List<Job> group = job.done() ? List.of() : drain();
      // Jobs that arrive from now on belong to the next group: let one of them queue behind us.
      candidate.set(false);
      wakeNext();
      if (!group.isEmpty()) {
        broken = run(w, group);
      }
    } finally {
      candidate.set(false);
      router.releaseWriter(holder, broken);
      wakeNext();
    }
  }

  /**
   * Whether no write is pending or waiting: then a write runs on the plain path, without the
   * group's bookkeeping, exactly as with group commit off.
   */
  boolean idle() {
    return !candidate.get()
        && pending.isEmpty()
        && !router.writer.isHeld()
        && router.writer.queueLength() == 0;
  }

  /** Wakes the thread of the oldest pending job, so that it tries to become the candidate. */
  private void wakeNext() {
    Job next = pending.peek();
    if (next != null) {
      LockSupport.unpark(next.thread);
    }
  }

  /** Threads waiting for the writer through the group commit but not in its queue (a gauge). */
  int parked() {
    return Math.max(0, parked.get());
  }

  private static void awaitQuietly(Job job) throws SQLException {
    try {
      job.finished.await();
    } catch (InterruptedException e) {
      throw Errors.interrupted("a group commit", e);
    }
  }

  private List<Job> drain() {
    List<Job> group = new ArrayList<>();
    for (Job j = pending.poll(); j != null; j = pending.poll()) {
      group.add(j);
      if (group.size() >= maxStatements) {
        break;
      }
    }
    return group;
  }

  /**
   * Runs a group on the writer.
   *
   * @return whether the writer connection broke
   */
  private boolean run(Connection w, List<Job> group) {
    if (group.size() == 1) {
      return alone(w, group.get(0));
    }
    router.meters.groupSize(group.size());
    try {
      router.retry.write(() -> LogicalConnection.exec(w, "BEGIN IMMEDIATE"));
    } catch (SQLException e) {
      // Nothing ran: every job fails as it would have alone after its retries.
      for (Job j : group) {
        j.error = e;
        j.finish();
      }
      return Router.isBroken(e);
    }
    boolean committed = false;
    // Callers of a group mostly run the same prepared SQL: prepare it once for the group.
    Map<String, PreparedStatement> prepared = new HashMap<>();
    try {
      boolean intact = true;
      for (Job j : group) {
        intact = inGroup(w, j, prepared);
        if (!intact) {
          break;
        }
      }
      if (intact) {
        closeAll(prepared);
        router.retry.write(() -> LogicalConnection.exec(w, "COMMIT"));
        committed = true;
      }
    } catch (SQLException e) {
      committed = false;
    } finally {
      closeAll(prepared);
    }
    if (committed) {
      for (Job j : group) {
        j.grouped = true;
        j.finish();
      }
      return false;
    }
    // Roll back what is left and answer every job by running it alone, in order.
    try {
      if (LogicalConnection.inTransaction(w)) {
        LogicalConnection.exec(w, "ROLLBACK");
      }
    } catch (SQLException e) {
      for (Job j : group) {
        j.error = e;
        j.finish();
      }
      return Router.isBroken(e);
    }
    boolean broken = false;
    for (Job j : group) {
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
  private boolean inGroup(Connection w, Job j, Map<String, PreparedStatement> prepared)
      throws SQLException {
    try {
      if (j.statement.isPrepared()) {
        PreparedStatement ps = prepared.get(j.sql);
        if (ps == null) {
          ps = w.prepareStatement(j.sql);
          prepared.put(j.sql, ps);
        }
        j.statement.bind(ps);
        j.count = ps.executeUpdate();
        outcome(w, j);
      } else {
        execute(w, j);
      }
    } catch (SQLException e) {
      j.error = e;
      if (!LogicalConnection.inTransaction(w)) {
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
      router.retry.write(
          () -> {
            execute(w, j);
            return null;
          });
    } catch (SQLException e) {
      j.error = e;
      broken = Router.isBroken(e);
    }
    j.finish();
    return broken;
  }

  private void execute(Connection w, Job j) throws SQLException {
    try (Statement s = j.statement.createPhysical(w, j.sql)) {
      j.count = j.statement.physicalUpdate(s, j.sql);
      outcome(w, j);
    }
  }

  /** What the job's statement did, read while its effect is the writer's latest. */
  private void outcome(Connection w, Job j) throws SQLException {
    j.changes = LogicalConnection.physicalChanges(w);
    if (j.insert && j.changes > 0) {
      j.key = router.lastInsertRowid(w);
      j.hasKey = true;
    }
  }

  private static void closeAll(Map<String, PreparedStatement> prepared) {
    for (PreparedStatement ps : prepared.values()) {
      try {
        ps.close();
      } catch (SQLException e) {
        // Closing a finished statement: nothing left to lose.
      }
    }
    prepared.clear();
  }
}
