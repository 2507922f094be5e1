package dev.sluice.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;

/**
 * Where an engine records its decisions. One instance per engine, created when it opens and closed
 * when it closes; every method below {@link #now()} runs on the statement path, so implementations
 * pick a meter held in a final field and allocate nothing of their own. Exactly two implementations
 * exist (sealed), which keeps call sites at most bimorphic. Implementations are thread-safe.
 */
public sealed interface Meters extends AutoCloseable permits MicrometerMeters, NoopMeters {

  /** The null sink for disabled metrics: every method is empty and it registers nothing. */
  static Meters noop() {
    return NoopMeters.INSTANCE;
  }

  /**
   * Registers every Sluice meter for one engine, each tagged {@code datasource=datasourceName}.
   *
   * @param registry where to register; null means {@link Metrics#globalRegistry}
   * @param datasourceName value of the {@code datasource} tag; unique among open engines that share
   *     a registry
   * @param gauges live values for the gauges, held strongly until {@link #close()}
   * @throws NullPointerException if {@code datasourceName} or {@code gauges} is null
   * @throws IllegalArgumentException if {@code datasourceName} is blank
   * @throws IllegalStateException if the registry already holds Sluice meters for that name, which
   *     means another open engine uses it: the two would share and then remove each other's meters
   */
  static Meters micrometer(MeterRegistry registry, String datasourceName, Gauges gauges) {
    return new MicrometerMeters(
        registry == null ? Metrics.globalRegistry : registry, datasourceName, gauges);
  }

  /** One statement ran on the writer ({@code write}) or a reader, ending in success or error. */
  void statement(boolean write, boolean success, long nanos);

  /** One attempt is retried after SQLITE_LOCKED ({@code locked}) or SQLITE_BUSY. */
  void retry(boolean write, boolean locked);

  /** A statement failed after its last allowed retry. */
  void retriesExhausted(boolean write);

  /** Time a caller waited for the writer before getting it. */
  void writerWait(long nanos);

  /** Time the writer was held by one owner, from acquisition to release. */
  void writerHold(long nanos);

  /** A transaction on the writer ({@code write}) or a reader ended by commit or rollback. */
  void transaction(boolean write, boolean committed, long nanos);

  /** A write reached a reader and was re-run on the writer. */
  void misroute();

  /** One group commit acknowledged this many statements. */
  void groupSize(int statements);

  /**
   * Writes are held back from now on so that a checkpoint can reset the WAL (not on the statement
   * path: once per pause).
   *
   * @return ends the pause when run
   */
  Runnable checkpointPause();

  /**
   * Monotonic time in nanoseconds, for the durations passed to this instance: the registry's {@link
   * io.micrometer.core.instrument.Clock} (so tests can use a {@code MockClock}), or {@link
   * System#nanoTime()} for the null sink.
   */
  long now();

  /**
   * Removes every meter this instance registered. Idempotent; calls made afterwards are accepted
   * and go nowhere visible.
   */
  @Override
  void close();
}
