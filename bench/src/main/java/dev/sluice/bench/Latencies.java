package dev.sluice.bench;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Every latency of a workload, in nanoseconds, kept exactly (a growing {@code long[]}, sorted when
 * a percentile is asked for); a few hundred thousand values at most per workload.
 *
 * <p>Not thread-safe: one per worker, merged after the workers are joined.
 */
final class Latencies {
  // Small at first: VirtualThreads keeps three per thread for 2,000 threads, and 1,024 values each
  // kept 48 MB live from the start, which lengthened the GC pauses inside measured rounds.
  private long[] values = new long[64];
  private int size;
  private boolean sorted = true;

  void add(long nanos) {
    if (size == values.length) {
      values = Arrays.copyOf(values, size * 2);
    }
    values[size++] = nanos;
    sorted = false;
  }

  void addAll(Latencies other) {
    if (size + other.size > values.length) {
      values = Arrays.copyOf(values, Math.max(size + other.size, values.length * 2));
    }
    System.arraycopy(other.values, 0, values, size, other.size);
    size += other.size;
    sorted = false;
  }

  int size() {
    return size;
  }

  /** The nearest-rank percentile ({@code 0 < p <= 100}), 0 when empty. */
  long percentile(double p) {
    if (size == 0) {
      return 0;
    }
    return atRank((int) Math.ceil(p / 100.0 * size));
  }

  /** The {@code rank}-th smallest value (1-based, clamped to the values there are). */
  private long atRank(int rank) {
    if (!sorted) {
      Arrays.sort(values, 0, size);
      sorted = true;
    }
    return values[Math.min(size, Math.max(1, rank)) - 1];
  }

  /**
   * The nearest-rank percentile of these latencies and {@code failures} operations that failed,
   * each failure counted as slower than any success (never served); -1 when the rank falls on a
   * failure, 0 when there is nothing at all.
   */
  long percentileCountingFailures(double p, long failures) {
    long all = size + failures;
    if (all == 0) {
      return 0;
    }
    long rank = Math.max(1, (long) Math.ceil(p / 100.0 * all));
    if (rank > size) {
      return -1;
    }
    return atRank((int) rank);
  }

  byte[] toBytes() {
    ByteBuffer b = ByteBuffer.allocate(Long.BYTES * size);
    b.asLongBuffer().put(values, 0, size);
    return b.array();
  }

  static Latencies fromBytes(byte[] bytes) {
    Latencies l = new Latencies();
    long[] read = new long[bytes.length / Long.BYTES];
    ByteBuffer.wrap(bytes).asLongBuffer().get(read);
    for (long v : read) {
      l.add(v);
    }
    return l;
  }
}
