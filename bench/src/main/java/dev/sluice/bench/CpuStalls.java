package dev.sluice.bench;

import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Measures how long this machine stops a running thread: N platform threads each spin for the given
 * time, reading the clock, and report the longest gap between two readings and how many gaps
 * reached 20 and 50 ms. Nothing else runs, so any long gap is the machine's (the host preempting a
 * virtual CPU, a CPU quota's throttling), not the JVM's or the database's. Run it with as many
 * threads as cores before reading a benchmark's tail latencies: a gap that stops the one thread
 * committing the writes stops every write for as long, whatever the library.
 *
 * <pre>
 * java -cp bench/target/classes dev.sluice.bench.CpuStalls 2 10
 * </pre>
 *
 * <p>Arguments: threads (default: the number of cores) and seconds (default 10). Not part of the
 * tests. Thread-safe: each spinning thread keeps its own counts, printed after it is joined.
 */
public final class CpuStalls {
  private static final long STALL_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
  private static final long LONG_STALL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

  private CpuStalls() {}

  public static void main(String[] args) throws InterruptedException {
    int threads = args.length > 0 ? Integer.parseInt(args[0]) : cores();
    long seconds = args.length > 1 ? Long.parseLong(args[1]) : 10;
    long[][] counts = new long[threads][];
    Thread[] spinners = new Thread[threads];
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    for (int i = 0; i < threads; i++) {
      int me = i;
      spinners[i] = new Thread(() -> counts[me] = spin(end), "spinner-" + i);
      spinners[i].start();
    }
    System.out.printf(
        Locale.ROOT, "%d spinning threads, %d cores, %d s%n", threads, cores(), seconds);
    for (int i = 0; i < threads; i++) {
      spinners[i].join();
      System.out.printf(
          Locale.ROOT,
          "thread %d: longest gap %.1f ms, gaps >= 20 ms: %d, >= 50 ms: %d%n",
          i,
          counts[i][0] / 1e6,
          counts[i][1],
          counts[i][2]);
    }
  }

  /** Spins until {@code end}: the longest gap in ns, gaps of 20 ms or more, of 50 ms or more. */
  private static long[] spin(long end) {
    long longest = 0;
    long stalls = 0;
    long longStalls = 0;
    long previous = System.nanoTime();
    while (previous - end < 0) {
      long now = System.nanoTime();
      long gap = now - previous;
      previous = now;
      longest = Math.max(longest, gap);
      if (gap >= STALL_NANOS) {
        stalls++;
      }
      if (gap >= LONG_STALL_NANOS) {
        longStalls++;
      }
    }
    return new long[] {longest, stalls, longStalls};
  }

  private static int cores() {
    return Runtime.getRuntime().availableProcessors();
  }
}
