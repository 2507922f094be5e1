package dev.sluice.writer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WriterTest {
  @TempDir Path dir;
  private final AtomicInteger opened = new AtomicInteger();
  private ExecutorService pool;

  @BeforeEach
  void setUp() {
    pool = Executors.newFixedThreadPool(8);
  }

  @AfterEach
  void tearDown() {
    pool.shutdownNow();
  }

  private Writer writer(long timeoutMillis) {
    return new Writer(
        "test",
        () -> {
          opened.incrementAndGet();
          return DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("w.db"));
        },
        TimeUnit.MILLISECONDS.toNanos(timeoutMillis),
        TimeUnit.SECONDS.toNanos(5));
  }

  /** Waits (bounded) until the writer's queue has {@code n} threads. */
  private static void awaitQueue(Writer w, int n) throws TimeoutException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (w.queueLength() < n) {
      if (System.nanoTime() > deadline) {
        throw new TimeoutException("queue never reached " + n);
      }
      Thread.onSpinWait();
    }
  }

  @Test
  void waitersAreServedInArrivalOrder() throws Exception {
    Writer w = writer(10_000);
    Object holder = new Object();
    w.acquire(holder, Hold.LASTING);
    List<Integer> served = new CopyOnWriteArrayList<>();
    List<Future<?>> futures = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      int id = i;
      futures.add(
          pool.submit(
              () -> {
                Object me = new Object();
                w.acquire(me, Hold.LASTING);
                served.add(id);
                w.release(me, false);
                return null;
              }));
      // The next thread is started only once this one is queued: arrival order is 0..6.
      awaitQueue(w, i + 1);
    }
    w.release(holder, false);
    for (Future<?> f : futures) {
      f.get(10, TimeUnit.SECONDS);
    }
    assertThat(served).containsExactly(0, 1, 2, 3, 4, 5, 6);
    w.close();
  }

  @Test
  void timeoutNamesQueueLengthAndHolder() throws Exception {
    Writer w = writer(200);
    Object holder = new Object();
    w.acquire(holder, Hold.LASTING);
    String holderThread = Thread.currentThread().getName();
    Future<?> waiting =
        pool.submit(
            () -> {
              Object other = new Object();
              assertThatThrownBy(() -> w.acquire(other, Hold.LASTING))
                  .isInstanceOf(SQLTransientConnectionException.class)
                  .hasMessageContaining("Writer not available after")
                  .hasMessageContaining("waiting")
                  .hasMessageContaining("by \"" + holderThread + "\"")
                  .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("08001"))
                  // A lasting hold names where it was acquired: in this test's method.
                  .satisfies(
                      e -> {
                        assertThat(e.getCause()).hasMessage("Writer acquired here");
                        assertThat(methods(e.getCause()))
                            .contains("timeoutNamesQueueLengthAndHolder");
                      });
              return null;
            });
    waiting.get(10, TimeUnit.SECONDS);
    w.release(holder, false);
    // Still usable after a timeout.
    Object next = new Object();
    assertThat(w.acquire(next, Hold.LASTING)).isNotNull();
    w.release(next, false);
    w.close();
  }

  /** Issue 22: the wait has no timer; its deadline ends it by an interrupt, which is undone. */
  @Test
  void aWaitThatTimesOutLeavesNoInterruptBehind() throws Exception {
    // Given a held writer with a 100 ms acquire timeout
    Writer w = writer(100);
    Object holder = new Object();
    w.acquire(holder, Hold.LASTING);
    // When another thread waits in vain
    Future<Boolean> interruptedAfter =
        pool.submit(
            () -> {
              long start = System.nanoTime();
              assertThatThrownBy(() -> w.acquire(new Object(), Hold.CALL))
                  .isInstanceOf(SQLTransientConnectionException.class)
                  .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("08001"));
              assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(100_000_000L);
              return Thread.currentThread().isInterrupted();
            });
    // Then it failed with the writer timeout, its thread is not left interrupted, and no wait is
    // left registered
    assertThat(interruptedAfter.get(10, TimeUnit.SECONDS)).isFalse();
    assertThat(w.timeouts().registered()).isZero();
    w.release(holder, false);
    w.close();
  }

  @Test
  void anInterruptDuringAWaitWithoutTimerFailsWith57014AndKeepsTheFlag() throws Exception {
    // Given a held writer and a thread waiting for it (10 s timeout: the wait has no timer)
    Writer w = writer(10_000);
    Object holder = new Object();
    w.acquire(holder, Hold.LASTING);
    java.util.concurrent.atomic.AtomicReference<Object> outcome =
        new java.util.concurrent.atomic.AtomicReference<>();
    Thread waiter =
        new Thread(
            () -> {
              try {
                w.acquire(new Object(), Hold.CALL);
                outcome.set("acquired");
              } catch (SQLException e) {
                outcome.set(
                    e.getSQLState() + " interrupted=" + Thread.currentThread().isInterrupted());
              }
            });
    waiter.start();
    awaitQueue(w, 1);
    // When the caller interrupts it
    waiter.interrupt();
    waiter.join(TimeUnit.SECONDS.toMillis(10));
    // Then it fails with 57014 and its interrupt flag set again; nothing stays registered
    assertThat(outcome.get()).isEqualTo("57014 interrupted=true");
    assertThat(w.timeouts().registered()).isZero();
    assertThat(w.queueLength()).isZero();
    w.release(holder, false);
    w.close();
  }

  @Test
  void sameThreadThroughAnotherHolderFailsAtOnceInsteadOfDeadlocking() throws Exception {
    Writer w = writer(60_000);
    Object outer = new Object();
    w.acquire(outer, Hold.LASTING);
    assertThatThrownBy(() -> w.acquire(new Object(), Hold.LASTING))
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("deadlock")
        .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("25001"));
    assertThat(w.isHeldBy(outer)).isTrue();
    w.release(outer, false);
    w.close();
  }

  @Test
  void brokenConnectionIsReplacedAtNextAcquire() throws Exception {
    Writer w = writer(1_000);
    w.start();
    Object a = new Object();
    Connection first = w.acquire(a, Hold.LASTING);
    w.release(a, true);
    assertThat(first.isClosed()).isTrue();
    Object b = new Object();
    Connection second = w.acquire(b, Hold.LASTING);
    assertThat(second).isNotSameAs(first);
    assertThat(second.isClosed()).isFalse();
    assertThat(opened.get()).isEqualTo(2);
    w.release(b, false);
    w.close();
  }

  /**
   * Issue 22: the housekeeping sets SQLite's auto-checkpoint of the writer connection; it takes
   * effect at the next hold, on a replacement connection too.
   */
  @Test
  void theAutoCheckpointAskedForIsSetAtTheNextHoldAndOnAReplacedConnection() throws Exception {
    // Given a writer whose connection runs with SQLite's default
    Writer w = writer(1_000);
    w.start();
    Object a = new Object();
    assertThat(autoCheckpoint(w.acquire(a, Hold.CALL))).isEqualTo(1000);
    w.release(a, false);

    // When 3,000 pages are asked for
    w.autoCheckpoint(3000, 1000);

    // Then the next hold runs with them, and so does the connection that replaces a broken one
    assertThat(autoCheckpoint(w.acquire(a, Hold.CALL))).isEqualTo(3000);
    w.release(a, true);
    assertThat(autoCheckpoint(w.acquire(a, Hold.CALL))).isEqualTo(3000);
    w.release(a, false);

    // And the connection's own value comes back when asked for
    w.autoCheckpoint(1000, 1000);
    assertThat(autoCheckpoint(w.acquire(a, Hold.CALL))).isEqualTo(1000);
    w.release(a, false);
    assertThat(opened.get()).isEqualTo(2);
    w.close();
  }

  private static long autoCheckpoint(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet r = s.executeQuery("PRAGMA wal_autocheckpoint")) {
      assertThat(r.next()).isTrue();
      return r.getLong(1);
    }
  }

  @Test
  void closedWriterRefusesWithState08003() throws Exception {
    Writer w = writer(1_000);
    w.start();
    w.close();
    assertThatThrownBy(() -> w.acquire(new Object(), Hold.LASTING))
        .isInstanceOf(SQLException.class)
        .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("08003"));
  }

  @Test
  void aHoldKeptTooLongIsReportedOncePerHold() throws Exception {
    Writer w =
        new Writer(
            "test",
            () -> DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("w.db")),
            TimeUnit.SECONDS.toNanos(1),
            1);
    Object holder = new Object();
    w.acquire(holder, Hold.LASTING);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (w.warnings() == 0 && System.nanoTime() < deadline) {
      w.warnIfHeldTooLong();
    }
    w.warnIfHeldTooLong();
    w.warnIfHeldTooLong();
    assertThat(w.warnings()).as("once for this hold").isEqualTo(1);
    // A lasting hold is reported with the stack of where it was acquired: this method.
    assertThat(w.lastWarning()).hasMessage("Writer acquired here");
    assertThat(methods(w.lastWarning())).contains("aHoldKeptTooLongIsReportedOncePerHold");
    w.release(holder, false);
    Object next = new Object();
    w.acquire(next, Hold.LASTING);
    while (w.warnings() == 1 && System.nanoTime() < deadline) {
      w.warnIfHeldTooLong();
    }
    assertThat(w.warnings()).as("once more for the next hold").isEqualTo(2);
    w.release(next, false);
    w.warnIfHeldTooLong();
    assertThat(w.warnings()).as("nothing while nobody holds it").isEqualTo(2);
    w.close();
  }

  private static List<String> methods(Throwable t) {
    List<String> names = new ArrayList<>();
    for (StackTraceElement e : t.getStackTrace()) {
      names.add(e.getMethodName());
    }
    return names;
  }

  /** A writer that queues with the other engines on {@code file} (its sidecar lock). */
  private static Writer queuedWriter(Path file, String name, long acquireTimeoutNanos) {
    return new Writer(
        name,
        () -> DriverManager.getConnection("jdbc:sqlite:" + file),
        acquireTimeoutNanos,
        0,
        SidecarLock.open(file, name),
        CommitWatch.DISABLED,
        0);
  }

  private static Writer writer(Path file, long holdWarningNanos) {
    return new Writer(
        "test",
        () -> DriverManager.getConnection("jdbc:sqlite:" + file),
        TimeUnit.MILLISECONDS.toNanos(200),
        holdWarningNanos);
  }

  /** Holds the writer within this call until {@code done}, as an auto-commit statement does. */
  private static Void holdWithinACall(
      Writer w, Object holder, CountDownLatch held, CountDownLatch done) throws Exception {
    w.acquire(holder, Hold.CALL);
    try {
      held.countDown();
      assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
    } finally {
      w.release(holder, false);
    }
    return null;
  }

  /** Issue 21: a hold within a call captures nothing; a warning shows the holder's stack now. */
  @Test
  void aHoldWithinACallIsReportedWithTheHoldersStackNow() throws Exception {
    // Given a writer with a 1 ns hold warning, held within a call by another thread
    Writer w = writer(dir.resolve("w.db"), 1);
    Object holder = new Object();
    CountDownLatch held = new CountDownLatch(1);
    CountDownLatch done = new CountDownLatch(1);
    Future<Void> holding = pool.submit(() -> holdWithinACall(w, holder, held, done));
    try {
      assertThat(held.await(10, TimeUnit.SECONDS)).isTrue();
      // Then nothing was captured when it was taken
      assertThat(w.holderStack()).hasMessageContaining("the holder's stack now");
      // When the check runs past the warning
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (w.warnings() == 0 && System.nanoTime() < deadline) {
        w.warnIfHeldTooLong();
      }
      // Then it is reported once, with the holder thread's stack now, which has its caller's frame
      assertThat(w.warnings()).isEqualTo(1);
      assertThat(w.lastWarning())
          .hasMessage("Writer held by a running statement; the holder's stack now");
      assertThat(methods(w.lastWarning())).contains("holdWithinACall");
      // And a writer timeout meanwhile names the same place
      assertThatThrownBy(() -> w.acquire(new Object(), Hold.CALL))
          .isInstanceOf(SQLTransientConnectionException.class)
          .satisfies(
              e -> {
                assertThat(e.getCause()).hasMessageContaining("the holder's stack now");
                assertThat(methods(e.getCause())).contains("holdWithinACall");
              });
    } finally {
      done.countDown();
    }
    holding.get(10, TimeUnit.SECONDS);
    assertThat(w.holderStack()).as("nobody holds it").isNull();
    w.close();
  }

  /** Keeps a hold taken within a call past that call, as an open result set does. */
  private static void keepPastThisCall(Writer w, Object holder) {
    w.lasting(holder);
  }

  @Test
  void aHoldWithinACallThatIsKeptShowsWhereItWasKept() throws Exception {
    // Given a hold within a call
    Writer w = writer(dir.resolve("w.db"), TimeUnit.SECONDS.toNanos(5));
    Object holder = new Object();
    w.acquire(holder, Hold.CALL);
    // When another holder says it keeps the writer, nothing changes
    w.lasting(new Object());
    assertThat(w.holderStack()).hasMessageContaining("the holder's stack now");
    // When the holder keeps it past its call
    keepPastThisCall(w, holder);
    // Then the stack of that call is kept, and a second mark does not replace it
    Throwable kept = w.holderStack();
    assertThat(kept).hasMessage("Writer acquired here");
    assertThat(methods(kept)).contains("keepPastThisCall");
    w.lasting(holder);
    assertThat(w.holderStack()).isSameAs(kept);
    w.release(holder, false);
    // And the next hold within a call starts with nothing captured
    Object next = new Object();
    w.acquire(next, Hold.CALL);
    assertThat(w.holderStack()).hasMessageContaining("the holder's stack now");
    w.release(next, false);
    w.close();
  }

  @Test
  void offCapturesNothing() throws Exception {
    // Given hold warnings off
    Writer w = writer(dir.resolve("w.db"), 0);
    Object holder = new Object();
    // When a lasting hold is taken and marked kept, and the check runs
    w.acquire(holder, Hold.LASTING);
    w.lasting(holder);
    w.warnIfHeldTooLong();
    // Then nothing was captured or reported
    assertThat(w.holderStack()).isNull();
    assertThat(w.warnings()).isZero();
    assertThatThrownBy(
            () -> pool.submit(() -> w.acquire(new Object(), Hold.CALL)).get(10, TimeUnit.SECONDS))
        .hasCauseInstanceOf(SQLTransientConnectionException.class)
        .satisfies(e -> assertThat(e.getCause().getCause()).isNull());
    w.release(holder, false);
    w.close();
  }

  /**
   * Issue 22: the housekeeping's light checkpoint needs this engine's writer idle, not SQLite's
   * write lock, so it must not wait in the queue of other processes' writers (here another engine
   * of this JVM on the same file, which shares that queue).
   */
  @Test
  void anInProcessAcquireDoesNotWaitForAnotherEnginesWriter() throws Exception {
    Path file = dir.resolve("w.db");
    long minute = TimeUnit.MINUTES.toNanos(1);
    try (Writer first = queuedWriter(file, "first", minute);
        Writer second = queuedWriter(file, "second", minute)) {
      // Given the other engine's writer held, with its place in the shared queue
      Object other = new Object();
      first.acquire(other, Hold.CALL);
      ExecutorService pool = Executors.newSingleThreadExecutor();
      try {
        // When this engine's free writer is taken in process, with a minute to wait
        Object holder = new Object();
        Future<Connection> got = pool.submit(() -> second.acquireInProcess(holder, minute));

        // Then it is had at once, and given back; the other engine still holds its own
        assertThat(got.get(30, TimeUnit.SECONDS)).isNotNull();
        assertThat(second.isHeldBy(holder)).isTrue();
        second.release(holder, false);
        assertThat(first.isHeldBy(other)).isTrue();
      } finally {
        pool.shutdownNow();
        first.release(other, false);
      }
    }
  }
}
