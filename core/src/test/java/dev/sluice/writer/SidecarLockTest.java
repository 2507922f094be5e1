package dev.sluice.writer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sidecar lock inside one JVM: engines on one file share it (Java's file locks belong to the
 * JVM), a thread never waits for itself, and a sidecar that cannot be opened degrades to no queue.
 * Across processes: {@code ProcessQueueIT}.
 */
class SidecarLockTest {
  @TempDir Path dir;
  private ExecutorService pool;

  @BeforeEach
  void setUp() {
    pool = Executors.newFixedThreadPool(2);
  }

  @AfterEach
  void tearDown() {
    pool.shutdownNow();
  }

  @Test
  void twoEnginesOfOneJvmOnOneFileTakeTurnsOnOneSidecar() throws Exception {
    // Given two engines' locks on the same database file
    Path db = dir.resolve("a.db");
    try (SidecarLock first = SidecarLock.open(db, "first");
        SidecarLock second = SidecarLock.open(db, "second")) {
      assertThat(first.isActive()).isTrue();
      assertThat(Files.exists(dir.resolve("a.db" + SidecarLock.SUFFIX))).isTrue();
      // When the first holds it
      assertThat(first.lock(TimeUnit.SECONDS.toNanos(5))).isTrue();
      // Then the second, on another thread, cannot have it meanwhile (no exception from Java's
      // per-JVM file locks), and gets it once the first gives it back
      Future<Boolean> meanwhile = pool.submit(() -> second.lock(0));
      assertThat(meanwhile.get(10, TimeUnit.SECONDS)).isFalse();
      first.unlock();
      Future<Boolean> after = pool.submit(() -> lockAndUnlock(second));
      assertThat(after.get(10, TimeUnit.SECONDS)).isTrue();
      // And the first can take it again
      assertThat(first.lock(TimeUnit.SECONDS.toNanos(5))).isTrue();
      first.unlock();
    }
  }

  @Test
  void aThreadHoldingTheSidecarThroughOneEngineGoesOnWithoutItThroughAnother() throws Exception {
    // Given a thread holding the sidecar through one engine
    Path db = dir.resolve("b.db");
    try (SidecarLock first = SidecarLock.open(db, "first");
        SidecarLock second = SidecarLock.open(db, "second")) {
      assertThat(first.lock(TimeUnit.SECONDS.toNanos(5))).isTrue();
      try {
        // When the same thread asks through the other engine with a long timeout
        boolean got = second.lock(TimeUnit.MINUTES.toNanos(5));
        // Then it is told at once to go on without the queue (it would wait for itself)
        assertThat(got).isFalse();
      } finally {
        first.unlock();
      }
    }
  }

  @Test
  void aSidecarThatCannotBeOpenedDegradesToNoQueue() throws Exception {
    // Given a directory where the sidecar file should be (as good as no permission to create it)
    Path db = dir.resolve("c.db");
    Files.createDirectory(dir.resolve("c.db" + SidecarLock.SUFFIX));
    // When an engine opens its sidecar
    try (SidecarLock lock = SidecarLock.open(db, "c")) {
      // Then it has none, and every acquire goes on at once
      assertThat(lock).isSameAs(SidecarLock.DISABLED);
      assertThat(lock.isActive()).isFalse();
      assertThat(lock.lock(TimeUnit.SECONDS.toNanos(5))).isFalse();
    }
  }

  @Test
  void theLastEngineLeavingClosesTheSidecarAndAnotherOpensItAgain() throws Exception {
    // Given a sidecar opened and closed by one engine
    Path db = dir.resolve("d.db");
    try (SidecarLock first = SidecarLock.open(db, "first")) {
      assertThat(lockAndUnlock(first)).isTrue();
    }
    // When another engine opens it afterwards
    try (SidecarLock again = SidecarLock.open(db, "again")) {
      // Then it works as new
      assertThat(again.isActive()).isTrue();
      assertThat(lockAndUnlock(again)).isTrue();
    }
  }

  @Test
  void anInterruptedThreadStillGetsAFreeSidecar() throws Exception {
    // Given a free sidecar and a thread whose interrupt flag is set
    Path db = dir.resolve("e.db");
    try (SidecarLock lock = SidecarLock.open(db, "e")) {
      Thread.currentThread().interrupt();
      try {
        // When it asks for the lock
        boolean got = lock.lock(TimeUnit.SECONDS.toNanos(5));
        // Then it has it without waiting, and the flag is still set
        assertThat(got).isTrue();
        assertThat(Thread.currentThread().isInterrupted()).isTrue();
        lock.unlock();
      } finally {
        Thread.interrupted();
      }
      // And the channel is still usable afterwards
      assertThat(lockAndUnlock(lock)).isTrue();
    }
  }

  private static boolean lockAndUnlock(SidecarLock lock) throws Exception {
    boolean got = lock.lock(TimeUnit.SECONDS.toNanos(5));
    if (got) {
      lock.unlock();
    }
    return got;
  }
}
