package dev.sluice.routing;

import java.sql.Connection;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leak detection for pooled readers ({@code sluice.reader.leakDetectionThreshold}): a reader held
 * longer than the threshold is logged once with the stack of where it was taken, and its return is
 * logged after such a warning. The engine's housekeeping thread looks at the readers in use
 * periodically ({@link #warnIfHeldTooLong}).
 *
 * <p>Why not HikariCP's own leak detection, which Sluice used before: it schedules a task on one
 * {@code ScheduledThreadPoolExecutor} per borrow and cancels it per return, so every read of every
 * thread takes that executor's lock twice and allocates a task and a description of the connection
 * besides the stack; eight readers beside two writers spent a large part of their time parked on
 * that lock (issue 21). Here a borrow costs the stack and one entry in a concurrent map; nothing is
 * shared but the map's bin.
 *
 * <p>Thread-safe: readers are taken and returned on any thread; the check runs on another.
 */
abstract sealed class ReaderHolds {
  /** No leak detection: borrows and returns cost nothing. */
  static final ReaderHolds NONE = new None();

  /** Leak detection past {@code thresholdMillis}, or {@link #NONE} for 0 (off). */
  static ReaderHolds of(String name, long thresholdMillis) {
    return thresholdMillis <= 0 ? NONE : new Tracked(name, thresholdMillis);
  }

  /** A pooled reader was handed to this thread. */
  abstract void taken(Connection reader);

  /** A reader taken through {@link #taken} went back to the pool. */
  abstract void returned(Connection reader);

  /** Logs, once per borrow, each reader held past the threshold. */
  abstract void warnIfHeldTooLong();

  /** How often {@link #warnIfHeldTooLong} should run, in ms; 0 when it need not. */
  abstract long checkPeriodMillis();

  /** Warnings logged so far (tests). */
  abstract int warnings();

  /** Readers taken and not yet returned (tests). */
  abstract int held();

  private static final class None extends ReaderHolds {
    @Override
    void taken(Connection reader) {}

    @Override
    void returned(Connection reader) {}

    @Override
    void warnIfHeldTooLong() {}

    @Override
    long checkPeriodMillis() {
      return 0;
    }

    @Override
    int warnings() {
      return 0;
    }

    @Override
    int held() {
      return 0;
    }
  }

  private static final class Tracked extends ReaderHolds {
    private static final Logger LOG = LoggerFactory.getLogger(ReaderHolds.class);

    private final String name;
    private final long thresholdMillis;
    private final long thresholdNanos;
    // Sized well above the pool, so that two readers rarely share a bin (a bin's lock).
    private final ConcurrentHashMap<Connection, Hold> held = new ConcurrentHashMap<>(256);
    private final AtomicInteger warnings = new AtomicInteger();

    Tracked(String name, long thresholdMillis) {
      this.name = name;
      this.thresholdMillis = thresholdMillis;
      this.thresholdNanos = TimeUnit.MILLISECONDS.toNanos(thresholdMillis);
    }

    @Override
    void taken(Connection reader) {
      held.put(reader, new Hold(Thread.currentThread().getName()));
    }

    @Override
    void returned(Connection reader) {
      Hold h = held.remove(reader);
      if (h != null && h.warned) {
        LOG.info(
            "The reader of \"{}\" reported as held too long was returned after {} ms",
            name,
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - h.since));
      }
    }

    @Override
    void warnIfHeldTooLong() {
      long now = System.nanoTime();
      for (Hold h : held.values()) {
        if (!h.warned && now - h.since > thresholdNanos) {
          h.warned = true;
          warnings.incrementAndGet();
          LOG.warn(
              "A reader of \"{}\" has been held for {} ms by thread \"{}\", longer than"
                  + " sluice.reader.leakDetectionThreshold ({} ms): close result sets, statements"
                  + " and read-only transactions when done. The stack shows where it was taken.",
              name,
              TimeUnit.NANOSECONDS.toMillis(now - h.since),
              h.thread,
              thresholdMillis,
              h.where);
        }
      }
    }

    @Override
    long checkPeriodMillis() {
      // A warning comes at most a quarter of the threshold (and a second) late.
      return Math.max(50, Math.min(1000, thresholdMillis / 4));
    }

    @Override
    int warnings() {
      return warnings.get();
    }

    @Override
    int held() {
      return held.size();
    }
  }

  /** One borrow: when, by which thread, from where. */
  private static final class Hold {
    final long since = System.nanoTime();
    final String thread;
    final Throwable where = new Throwable("Reader taken here");

    /** Set once by the checking thread. */
    volatile boolean warned;

    Hold(String thread) {
      this.thread = thread;
    }
  }
}
