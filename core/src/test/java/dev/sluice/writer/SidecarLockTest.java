package dev.sluice.writer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
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
 * Presence: a process alone on the file takes no OS lock per acquire, and queues again once a
 * second process (a child JVM, {@link SidecarChild}) has the sidecar open, until that one is
 * killed. Writers queueing across processes: {@code ProcessQueueIT}.
 */
class SidecarLockTest {
  @TempDir Path dir;
  private ExecutorService pool;
  private final List<Process> children = new ArrayList<>();

  @BeforeEach
  void setUp() {
    pool = Executors.newFixedThreadPool(2);
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    pool.shutdownNow();
    for (Process p : children) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
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

  @Test
  void aLoneProcessTakesNoOsLockPerAcquire() throws Exception {
    // Given two engines of this process on one file, and no other process
    Path db = dir.resolve("f.db");
    try (SidecarLock first = SidecarLock.open(db, "first");
        SidecarLock second = SidecarLock.open(db, "second")) {
      // When they take and give back the queue many times
      for (int i = 0; i < 100; i++) {
        assertThat(lockAndUnlock(first)).isTrue();
        assertThat(lockAndUnlock(second)).isTrue();
      }
      // Then the process found itself alone and never took the room's OS lock
      assertThat(first.alone()).isTrue();
      assertThat(first.roomsTaken()).isZero();
      // And the two engines still exclude each other (this JVM's turn)
      assertThat(first.lock(TimeUnit.SECONDS.toNanos(5))).isTrue();
      try {
        Future<Boolean> meanwhile = pool.submit(() -> second.lock(0));
        assertThat(meanwhile.get(10, TimeUnit.SECONDS)).isFalse();
      } finally {
        first.unlock();
      }
    }
  }

  @Test
  void aSecondProcessIsSeenWithinTheReprobeBoundAndSeesTheFirstAtOnce() throws Exception {
    // Given a process alone on its file, queueing without OS locks
    Path db = dir.resolve("g.db");
    try (SidecarLock lock = SidecarLock.open(db, "first")) {
      assertThat(lockAndUnlock(lock)).isTrue();
      assertThat(lock.alone()).isTrue();
      // When a second process opens the sidecar and writes once
      Process child = child(db);
      // Then the newcomer saw this process at its first acquire and took the room
      assertThat(firstLine(child)).isEqualTo("alone=false rooms=1");
      // And this process, acquiring on until its last probe's answer is older than the bound,
      long announced = System.nanoTime();
      while (System.nanoTime() - announced <= SidecarLock.REPROBE_NANOS) {
        assertThat(lockAndUnlock(lock)).isTrue();
      }
      // sees the newcomer at its next acquire and takes the room's OS lock again
      long rooms = lock.roomsTaken();
      assertThat(lockAndUnlock(lock)).isTrue();
      assertThat(lock.alone()).isFalse();
      assertThat(lock.roomsTaken()).isEqualTo(rooms + 1);
    }
  }

  @Test
  void aKilledSecondProcessIsForgotten() throws Exception {
    // Given a process that probes at every acquire, and a second process on the file
    Path db = dir.resolve("h.db");
    try (SidecarLock lock = SidecarLock.open(db, "first", 0)) {
      Process child = child(db);
      assertThat(firstLine(child)).isEqualTo("alone=false rooms=1");
      assertThat(lockAndUnlock(lock)).isTrue();
      assertThat(lock.alone()).isFalse();
      long rooms = lock.roomsTaken();
      assertThat(rooms).isPositive();
      // When the second process is killed with SIGKILL
      child.destroyForcibly();
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
      // Then its slot is free (the OS released its locks) and this process is alone again
      assertThat(lockAndUnlock(lock)).isTrue();
      assertThat(lock.alone()).isTrue();
      assertThat(lockAndUnlock(lock)).isTrue();
      assertThat(lock.roomsTaken()).isEqualTo(rooms);
    }
  }

  @Test
  void aProcessThatFindsNoFreeSlotIsInTheCrowdAndNeverAlone() throws Exception {
    // Given every presence slot of a file taken (by a plain channel of this JVM)
    Path db = dir.resolve("i.db");
    Path sidecar = dir.resolve("i.db" + SidecarLock.SUFFIX);
    try (FileChannel ch =
            FileChannel.open(
                sidecar,
                StandardOpenOption.CREATE,
                StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        FileLock slots = ch.lock(SidecarLock.SLOT_BASE, SidecarLock.SLOTS, false)) {
      assertThat(slots.isValid()).isTrue();
      // When another process opens the sidecar
      Process child = child(db);
      // Then it does not count itself alone and queues
      assertThat(firstLine(child)).isEqualTo("alone=false rooms=1");
      // And others see it on the crowd byte
      FileLock crowd = ch.tryLock(SidecarLock.CROWD, 1, false);
      assertThat(crowd).isNull();
      // Until it is gone
      child.destroyForcibly();
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
      try (FileLock free = ch.tryLock(SidecarLock.CROWD, 1, false)) {
        assertThat(free).isNotNull();
      }
    }
  }

  private Process child(Path db) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
    command.add(SidecarChild.class.getName());
    command.add(db.toString());
    Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    children.add(p);
    return p;
  }

  /** The child's first line of output, waited for at most a minute. */
  private String firstLine(Process p) throws Exception {
    BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    return pool.submit(r::readLine).get(60, TimeUnit.SECONDS);
  }

  private static boolean lockAndUnlock(SidecarLock lock) throws Exception {
    boolean got = lock.lock(TimeUnit.SECONDS.toNanos(5));
    if (got) {
      lock.unlock();
    }
    return got;
  }
}
