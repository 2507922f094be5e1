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
  private long[] values = new long[1024];
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
    if (!sorted) {
      Arrays.sort(values, 0, size);
      sorted = true;
    }
    int rank = (int) Math.ceil(p / 100.0 * size);
    return values[Math.min(size, Math.max(1, rank)) - 1];
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
