package dev.sluice.writer;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * Ends the waits for the writer that pass their deadline, so that the waits themselves can be
 * untimed (issue 22).
 *
 * <p>Why: a timed park of a virtual thread schedules a timer in the JDK's scheduler and cancels it
 * when the wait ends, and each of the two wakes the scheduler's own platform thread. With thousands
 * of virtual threads queueing for the one writer, that was 13 % of the process's CPU time (2,000
 * virtual threads, mixed work); 2 virtual threads taking turns at read-then-write transactions ran
 * 22,000 a second timed, 29,000 untimed, on 2 cores. Every wait for the writer with the writer's
 * acquire timeout has the same length, and they begin in queue order, so their deadlines come in
 * the order they were registered: one platform thread sleeps until the first of them, the only one
 * that can be due, and the waits cost no timer at all.
 *
 * <p>A wait is ended in one of two ways. One that parks in a loop of its own (a group-commit
 * caller) is unparked and finds {@link Wait#expired()}. One inside a {@link
 * java.util.concurrent.Semaphore}'s untimed acquire can only be ended by an interrupt: the watcher
 * interrupts its thread, and {@link #leave} clears that interrupt again, so a caller never sees an
 * interrupt it did not make. A caller's own interrupt that comes in the same instant as the
 * deadline is reported as the timeout.
 *
 * <p>Only waits with the writer's acquire timeout come here: a shorter one (a statement's query
 * timeout) could be due before those ahead of it, and keeps its timed wait.
 *
 * <p>Thread-safe. The watcher thread starts at the first wait and ends at {@link #close}.
 */
final class WaitTimeouts {

  /** One wait, from {@link #register} to {@link #leave}. */
  static final class Wait {
    final Thread thread;
    final long deadline;
    final boolean interrupts;

    // Guarded by this: the watcher ends a wait only while it has not finished.
    private boolean finished;
    private volatile boolean expired;

    Wait(Thread thread, long deadline, boolean interrupts) {
      this.thread = thread;
      this.deadline = deadline;
      this.interrupts = interrupts;
    }

    /** Whether the watcher ended the wait at its deadline. */
    boolean expired() {
      return expired;
    }

    private synchronized void expire() {
      if (!finished) {
        expired = true;
        if (interrupts) {
          thread.interrupt();
        } else {
          LockSupport.unpark(thread);
        }
      }
    }

    private synchronized boolean finish() {
      finished = true;
      return expired;
    }
  }

  private final String name;

  /**
   * Waits in the order they began, so in the order of their deadlines: those ended by an interrupt
   * (in the writer's queue) and those ended by an unpark (group-commit callers) apart, because each
   * kind ends in its own queue order, and a wait that ends looks for itself from the head.
   */
  private final ConcurrentLinkedQueue<Wait> interrupting = new ConcurrentLinkedQueue<>();

  private final ConcurrentLinkedQueue<Wait> unparking = new ConcurrentLinkedQueue<>();

  private volatile Thread watcher;

  /**
   * Set by the watcher before it looks at the queue a last time and parks untimed; a new wait is
   * added first and then reads this, so one of the two always sees the other.
   */
  private volatile boolean sleeping;

  private volatile boolean closed;

  WaitTimeouts(String name) {
    this.name = name;
  }

  /**
   * Registers a wait of the current thread that ends at {@code deadline} ({@link System#nanoTime}).
   *
   * @param interrupts whether the watcher ends it by an interrupt (a wait inside a semaphore)
   *     rather than an unpark (a wait in a loop of the caller's)
   */
  Wait register(long deadline, boolean interrupts) {
    Wait w = new Wait(Thread.currentThread(), deadline, interrupts);
    queue(w).add(w);
    Thread t = watcher;
    if (t == null) {
      start();
    } else if (sleeping) {
      LockSupport.unpark(t);
    }
    return w;
  }

  /**
   * Ends a wait; called by its own thread, whatever ended it. An interrupt the watcher made is
   * cleared here.
   *
   * @return whether the watcher ended it at its deadline
   */
  boolean leave(Wait w) {
    boolean expired = w.finish();
    // Waits of a kind end in about the order they began, so this finds w at or near the head.
    queue(w).remove(w);
    if (expired && w.interrupts) {
      // The watcher interrupted under the wait's lock, before finish() could take it: clear it.
      boolean unused = Thread.interrupted();
    }
    return expired;
  }

  /** How many waits are registered (for tests). */
  int registered() {
    return interrupting.size() + unparking.size();
  }

  /** Stops the watcher; waits still registered end by their owners' own means (close). */
  void close() {
    closed = true;
    Thread t = watcher;
    if (t != null) {
      LockSupport.unpark(t);
    }
  }

  private synchronized void start() {
    if (watcher == null && !closed) {
      Thread t = new Thread(this::watch, "sluice-" + name + "-writer-timeouts");
      t.setDaemon(true);
      watcher = t;
      t.start();
    }
  }

  private ConcurrentLinkedQueue<Wait> queue(Wait w) {
    return w.interrupts ? interrupting : unparking;
  }

  private void watch() {
    while (!closed) {
      Wait a = interrupting.peek();
      Wait b = unparking.peek();
      Wait head = a == null ? b : b == null || a.deadline - b.deadline <= 0 ? a : b;
      if (head == null) {
        sleeping = true;
        if (interrupting.isEmpty() && unparking.isEmpty() && !closed) {
          LockSupport.park(this);
        }
        sleeping = false;
        continue;
      }
      long left = head.deadline - System.nanoTime();
      if (left > 0) {
        // A wait added meanwhile is due no earlier than the first of its kind.
        LockSupport.parkNanos(this, left);
        continue;
      }
      head.expire();
      queue(head).remove(head);
    }
  }
}
