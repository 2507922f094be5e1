package dev.sluice.metrics;

import static org.assertj.core.api.Assumptions.assumeThat;

import java.lang.management.ManagementFactory;

/**
 * Measures bytes allocated by the current thread, to check that recording allocates nothing per
 * call. Stateless; each measurement concerns the calling thread only.
 */
final class Allocation {
  /** Far below what a single 16-byte object per call would cost over the runs used in tests. */
  static final long TOLERANCE = 64 * 1024;

  private Allocation() {}

  /** Bytes the current thread allocated while running {@code work}, after one warm-up run. */
  static long of(Runnable work) {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    assumeThat(
            threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled())
        .as("per-thread allocation counting")
        .isTrue();
    work.run();
    long before = threads.getCurrentThreadAllocatedBytes();
    work.run();
    return threads.getCurrentThreadAllocatedBytes() - before;
  }

  /** Calls every recording method of {@code meters} {@code rounds} times, varying the arguments. */
  static void record(Meters meters, int rounds) {
    for (int i = 0; i < rounds; i++) {
      boolean a = (i & 1) == 0;
      boolean b = (i & 2) == 0;
      meters.statement(a, b, i);
      meters.retry(a, b);
      meters.retriesExhausted(a);
      meters.writerWait(i);
      meters.writerHold(i);
      meters.transaction(a, b, i);
      meters.misroute();
      meters.groupSize(i & 7);
      meters.now();
    }
  }
}
