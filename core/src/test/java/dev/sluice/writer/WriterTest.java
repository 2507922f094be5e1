package dev.sluice.writer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
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
    w.acquire(holder);
    List<Integer> served = new CopyOnWriteArrayList<>();
    List<Future<?>> futures = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      int id = i;
      futures.add(
          pool.submit(
              () -> {
                Object me = new Object();
                w.acquire(me);
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
    w.acquire(holder);
    String holderThread = Thread.currentThread().getName();
    Future<?> waiting =
        pool.submit(
            () -> {
              Object other = new Object();
              assertThatThrownBy(() -> w.acquire(other))
                  .isInstanceOf(SQLTransientConnectionException.class)
                  .hasMessageContaining("Writer not available after")
                  .hasMessageContaining("waiting")
                  .hasMessageContaining("by \"" + holderThread + "\"")
                  .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("08001"));
              return null;
            });
    waiting.get(10, TimeUnit.SECONDS);
    w.release(holder, false);
    // Still usable after a timeout.
    Object next = new Object();
    assertThat(w.acquire(next)).isNotNull();
    w.release(next, false);
    w.close();
  }

  @Test
  void sameThreadThroughAnotherHolderFailsAtOnceInsteadOfDeadlocking() throws Exception {
    Writer w = writer(60_000);
    Object outer = new Object();
    w.acquire(outer);
    assertThatThrownBy(() -> w.acquire(new Object()))
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
    Connection first = w.acquire(a);
    w.release(a, true);
    assertThat(first.isClosed()).isTrue();
    Object b = new Object();
    Connection second = w.acquire(b);
    assertThat(second).isNotSameAs(first);
    assertThat(second.isClosed()).isFalse();
    assertThat(opened.get()).isEqualTo(2);
    w.release(b, false);
    w.close();
  }

  @Test
  void closedWriterRefusesWithState08003() throws Exception {
    Writer w = writer(1_000);
    w.start();
    w.close();
    assertThatThrownBy(() -> w.acquire(new Object()))
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
    w.acquire(holder);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (w.warnings() == 0 && System.nanoTime() < deadline) {
      w.warnIfHeldTooLong();
    }
    w.warnIfHeldTooLong();
    w.warnIfHeldTooLong();
    assertThat(w.warnings()).as("once for this hold").isEqualTo(1);
    w.release(holder, false);
    Object next = new Object();
    w.acquire(next);
    while (w.warnings() == 1 && System.nanoTime() < deadline) {
      w.warnIfHeldTooLong();
    }
    assertThat(w.warnings()).as("once more for the next hold").isEqualTo(2);
    w.release(next, false);
    w.warnIfHeldTooLong();
    assertThat(w.warnings()).as("nothing while nobody holds it").isEqualTo(2);
    w.close();
  }
}
