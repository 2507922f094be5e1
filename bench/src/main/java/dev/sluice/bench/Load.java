package dev.sluice.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs one workload: a fixed number of threads, each doing a fixed number of attempts, all released
 * together by a latch. Bounded twice: no thread starts an attempt after the time cap, and every
 * thread is joined with a timeout (a thread that does not answer by then counts as hung). Every
 * attempt is timed whatever its outcome, and no failure escapes.
 *
 * <p>Thread-safe: each run has its own threads and tallies.
 */
final class Load {
  private Load() {}

  /** One attempt: from getting the connection to closing it. */
  @FunctionalInterface
  interface Op {
    void run(int thread, int seq) throws Exception;
  }

  /** Thrown by a read that got an answer, but the wrong one. */
  static final class WrongResult extends Exception {
    WrongResult(String message) {
      super(message);
    }
  }

  /** What a run produced; {@code hung} threads did not finish within the join timeout. */
  record Run(List<Tally> tallies, double seconds, int hung) {}

  /**
   * @param threads worker threads
   * @param opsPerThread attempts per thread, at most
   * @param capNanos no attempt starts later than this after the start
   * @param graceNanos how long after the cap a thread may take to finish its last attempt
   */
  static Run run(String name, int threads, int opsPerThread, long capNanos, long graceNanos, Op op)
      throws InterruptedException {
    List<Tally> tallies = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      tallies.add(new Tally(t));
    }
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool =
        Executors.newFixedThreadPool(
            threads,
            r -> {
              Thread thread = new Thread(r, "stress-" + name);
              // A hung worker must not keep the JVM (or Maven's exec:java) alive.
              thread.setDaemon(true);
              return thread;
            });
    List<Future<?>> futures = new ArrayList<>();
    for (Tally tally : tallies) {
      futures.add(
          pool.submit(
              () -> {
                start.await();
                work(tally, opsPerThread, capNanos, op);
                return null;
              }));
    }
    long began = System.nanoTime();
    start.countDown();
    long joinBy = began + capNanos + graceNanos;
    int hung = 0;
    for (Future<?> f : futures) {
      try {
        f.get(Math.max(1, joinBy - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        hung++;
        f.cancel(true);
      } catch (ExecutionException e) {
        // work() catches every failure of an attempt; this is a bug of the harness itself.
        throw new IllegalStateException("worker failed outside an attempt", e.getCause());
      }
    }
    pool.shutdownNow();
    long end = System.nanoTime();
    if (hung == 0) {
      end = began;
      for (Tally t : tallies) {
        end = Math.max(end, began + t.elapsedNanos);
      }
    }
    return new Run(tallies, (end - began) / 1e9, hung);
  }

  /** The loop of one worker; also used by a child process for its single worker. */
  static void work(Tally tally, int opsPerThread, long capNanos, Op op) {
    long began = System.nanoTime();
    for (int seq = 0; seq < opsPerThread; seq++) {
      if (System.nanoTime() - began > capNanos) {
        tally.capped = true;
        break;
      }
      long t0 = System.nanoTime();
      try {
        op.run(tally.worker, seq);
        tally.success(seq, System.nanoTime() - t0);
      } catch (WrongResult e) {
        tally.wrongResult(e, System.nanoTime() - t0);
      } catch (Exception e) {
        tally.failure(e, System.nanoTime() - t0);
      }
      if (Thread.currentThread().isInterrupted()) {
        break;
      }
    }
    tally.elapsedNanos = System.nanoTime() - began;
  }
}
