package dev.sluice.writer;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A child process for {@link SidecarLockTest}: opens the sidecar of the given database file, takes
 * and gives back the queue once, prints {@code alone=<bool> rooms=<n>} and keeps the sidecar open
 * until its standard input ends or it is killed. Argument: the database file.
 */
public final class SidecarChild {
  private SidecarChild() {}

  @SuppressWarnings("SystemOut")
  public static void main(String[] args) throws Exception {
    try (SidecarLock lock = SidecarLock.open(Path.of(args[0]), "child")) {
      boolean got = lock.lock(TimeUnit.SECONDS.toNanos(30));
      if (got) {
        lock.unlock();
      }
      System.out.println("alone=" + lock.alone() + " rooms=" + lock.roomsTaken());
      System.out.flush();
      while (System.in.read() >= 0) {
        // Keeps the sidecar, and with it this process's presence, until the parent lets go.
      }
    }
  }
}
