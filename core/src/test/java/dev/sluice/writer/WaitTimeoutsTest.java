package dev.sluice.writer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Issue 22: waits without a timer, ended at their deadline by one watcher thread. */
class WaitTimeoutsTest {
  private final String name = "test-" + System.identityHashCode(this);
  private final WaitTimeouts timeouts = new WaitTimeouts(name);

  @AfterEach
  void tearDown() {
    timeouts.close();
    // A test that failed half-way must not leave its interrupt to the next one.
    boolean unused = Thread.interrupted();
  }

  private static long in(long millis) {
    return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
  }

  /** Parks (bounded) until the watcher has ended {@code w}. */
  private static void parkUntilExpired(WaitTimeouts.Wait w) throws TimeoutException {
    long bound = in(10_000);
    while (!w.expired()) {
      if (System.nanoTime() - bound > 0) {
        throw new TimeoutException("the wait was never ended");
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
    }
  }

  @Test
  void aWaitInALoopOfItsOwnIsUnparkedAtItsDeadlineAndNotBefore() throws Exception {
    // Given a wait due in 50 ms
    long deadline = in(50);
    WaitTimeouts.Wait w = timeouts.register(deadline, false);
    // When its thread parks until it is ended
    parkUntilExpired(w);
    // Then it ended no earlier than its deadline, without an interrupt
    assertThat(System.nanoTime() - deadline).isNotNegative();
    assertThat(timeouts.leave(w)).isTrue();
    assertThat(Thread.currentThread().isInterrupted()).isFalse();
    assertThat(timeouts.registered()).isZero();
  }

  @Test
  void aWaitInASemaphoreIsInterruptedAndLeaveClearsThatInterrupt() throws Exception {
    // Given a wait due in 50 ms, ended by an interrupt
    WaitTimeouts.Wait w = timeouts.register(in(50), true);
    // When its thread blocks in an untimed, interruptible wait
    assertThatThrownBy(() -> new java.util.concurrent.Semaphore(0).tryAcquire(10, TimeUnit.SECONDS))
        .isInstanceOf(InterruptedException.class);
    // Then the deadline ended it, and leaving clears what the watcher did
    assertThat(w.expired()).isTrue();
    Thread.currentThread().interrupt(); // as if the interrupt had come after the wait returned
    assertThat(timeouts.leave(w)).isTrue();
    assertThat(Thread.currentThread().isInterrupted()).isFalse();
  }

  @Test
  void aWaitThatEndsBeforeItsDeadlineIsNeverInterruptedLater() throws Exception {
    // Given a wait that is left before its deadline, and a later one
    WaitTimeouts.Wait early = timeouts.register(in(20), true);
    assertThat(timeouts.leave(early)).isFalse();
    WaitTimeouts.Wait later = timeouts.register(in(60), false);
    // When the watcher has passed both deadlines
    parkUntilExpired(later);
    assertThat(timeouts.leave(later)).isTrue();
    // Then the left wait was not ended, and this thread was never interrupted
    assertThat(early.expired()).isFalse();
    assertThat(Thread.currentThread().isInterrupted()).isFalse();
  }

  @Test
  void waitsOfBothKindsEachEndAtTheirOwnDeadlineAndNoneStaysRegistered() throws Exception {
    // Given 6 waits of both kinds, due 10 ms apart, by their own threads
    List<Thread> threads = new ArrayList<>();
    List<WaitTimeouts.Wait> waits = new java.util.concurrent.CopyOnWriteArrayList<>();
    List<Long> endedAt = new java.util.concurrent.CopyOnWriteArrayList<>();
    long start = in(50);
    for (int i = 0; i < 6; i++) {
      long deadline = start + TimeUnit.MILLISECONDS.toNanos(10L * i);
      boolean interrupts = i % 2 == 0;
      java.util.concurrent.CountDownLatch registered = new java.util.concurrent.CountDownLatch(1);
      Thread t =
          new Thread(
              () -> {
                WaitTimeouts.Wait w = timeouts.register(deadline, interrupts);
                waits.add(w);
                registered.countDown();
                try {
                  parkUntilExpired(w);
                } catch (TimeoutException e) {
                  return;
                }
                endedAt.add(deadline);
                assertThat(System.nanoTime() - deadline).isNotNegative();
                timeouts.leave(w);
              });
      t.start();
      threads.add(t);
      registered.await(10, TimeUnit.SECONDS);
    }
    for (Thread t : threads) {
      t.join(TimeUnit.SECONDS.toMillis(10));
    }
    // Then each ended at or after its deadline, and none is left registered
    assertThat(endedAt).hasSize(6);
    assertThat(waits).allMatch(WaitTimeouts.Wait::expired);
    assertThat(timeouts.registered()).isZero();
  }

  @Test
  void theWatcherStartsWithTheFirstWaitAndEndsAtClose() throws Exception {
    String thread = "sluice-" + name + "-writer-timeouts";
    assertThat(threadsNamed(thread)).isEmpty();
    WaitTimeouts.Wait w = timeouts.register(in(60_000), false);
    assertThat(threadsNamed(thread)).hasSize(1);
    assertThat(timeouts.leave(w)).isFalse();
    timeouts.close();
    for (Thread t : threadsNamed(thread)) {
      t.join(TimeUnit.SECONDS.toMillis(10));
    }
    assertThat(threadsNamed(thread)).isEmpty();
  }

  private static List<Thread> threadsNamed(String name) {
    List<Thread> found = new ArrayList<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().equals(name) && t.isAlive()) {
        found.add(t);
      }
    }
    return found;
  }
}
