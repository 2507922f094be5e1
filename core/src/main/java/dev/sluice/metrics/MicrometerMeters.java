package dev.sluice.metrics;

import static dev.sluice.metrics.MeterNames.BUSY;
import static dev.sluice.metrics.MeterNames.COMMIT;
import static dev.sluice.metrics.MeterNames.DATASOURCE;
import static dev.sluice.metrics.MeterNames.ERROR;
import static dev.sluice.metrics.MeterNames.LOCKED;
import static dev.sluice.metrics.MeterNames.MODE;
import static dev.sluice.metrics.MeterNames.OUTCOME;
import static dev.sluice.metrics.MeterNames.READ;
import static dev.sluice.metrics.MeterNames.REASON;
import static dev.sluice.metrics.MeterNames.ROLLBACK;
import static dev.sluice.metrics.MeterNames.ROUTE;
import static dev.sluice.metrics.MeterNames.SUCCESS;
import static dev.sluice.metrics.MeterNames.WRITE;

import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.LongTaskTimer;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * {@link Meters} backed by a Micrometer registry. Every meter, one per tag combination, is
 * registered in the constructor and kept in a final field, so recording is a branch on the
 * arguments plus the meter's own update: no lookup, no tags, no allocation here. Thread-safe, as
 * Micrometer's meters are.
 */
final class MicrometerMeters implements Meters {
  private final MeterRegistry registry;
  private final String datasource;
  private final Clock clock;

  // The gauges' target. Micrometer references it only weakly; this field keeps it alive exactly as
  // long as the engine keeps this instance.
  private final Gauges gauges;

  private final List<Meter> meters;

  private final Timer readSuccess;
  private final Timer readError;
  private final Timer writeSuccess;
  private final Timer writeError;
  private final Counter readBusy;
  private final Counter readLocked;
  private final Counter writeBusy;
  private final Counter writeLocked;
  private final Counter readExhausted;
  private final Counter writeExhausted;
  private final Timer writerWait;
  private final Timer writerHold;
  private final Timer readCommit;
  private final Timer readRollback;
  private final Timer writeCommit;
  private final Timer writeRollback;
  private final Counter misroutes;
  private final DistributionSummary groupSize;
  private final LongTaskTimer checkpointPause;

  MicrometerMeters(MeterRegistry registry, String datasource, Gauges gauges) {
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(datasource, "datasourceName");
    Objects.requireNonNull(gauges, "gauges");
    if (datasource.isBlank()) {
      throw new IllegalArgumentException("datasourceName must not be blank");
    }
    refuseSecondEngine(registry, datasource);
    this.registry = registry;
    this.datasource = datasource;
    this.clock = registry.config().clock();
    this.gauges = gauges;

    Registration r = new Registration(registry, datasource);
    try {
      readSuccess = r.timer(MeterNames.STATEMENTS, ROUTE, READ, OUTCOME, SUCCESS);
      readError = r.timer(MeterNames.STATEMENTS, ROUTE, READ, OUTCOME, ERROR);
      writeSuccess = r.timer(MeterNames.STATEMENTS, ROUTE, WRITE, OUTCOME, SUCCESS);
      writeError = r.timer(MeterNames.STATEMENTS, ROUTE, WRITE, OUTCOME, ERROR);
      readBusy = r.counter(MeterNames.RETRIES, ROUTE, READ, REASON, BUSY);
      readLocked = r.counter(MeterNames.RETRIES, ROUTE, READ, REASON, LOCKED);
      writeBusy = r.counter(MeterNames.RETRIES, ROUTE, WRITE, REASON, BUSY);
      writeLocked = r.counter(MeterNames.RETRIES, ROUTE, WRITE, REASON, LOCKED);
      readExhausted = r.counter(MeterNames.RETRIES_EXHAUSTED, ROUTE, READ);
      writeExhausted = r.counter(MeterNames.RETRIES_EXHAUSTED, ROUTE, WRITE);
      writerWait = r.timer(MeterNames.WRITER_WAIT);
      writerHold = r.timer(MeterNames.WRITER_HOLD);
      readCommit = r.timer(MeterNames.TRANSACTIONS, MODE, READ, OUTCOME, COMMIT);
      readRollback = r.timer(MeterNames.TRANSACTIONS, MODE, READ, OUTCOME, ROLLBACK);
      writeCommit = r.timer(MeterNames.TRANSACTIONS, MODE, WRITE, OUTCOME, COMMIT);
      writeRollback = r.timer(MeterNames.TRANSACTIONS, MODE, WRITE, OUTCOME, ROLLBACK);
      misroutes = r.counter(MeterNames.MISROUTES);
      groupSize = r.summary(MeterNames.WRITER_GROUP_SIZE);
      checkpointPause = r.longTaskTimer(MeterNames.CHECKPOINT_PAUSE);
      r.gauge(MeterNames.WRITER_QUEUE, gauges, g -> g.writerQueue().getAsInt());
      r.gauge(MeterNames.WAL_SIZE, gauges, g -> g.walBytes().getAsLong());
      r.gauge(MeterNames.BREAKER_STATE, gauges, g -> g.breakerState().getAsInt());
    } catch (RuntimeException e) {
      r.registered.forEach(registry::remove);
      throw e;
    }
    this.meters = List.copyOf(r.registered);
  }

  private static void refuseSecondEngine(MeterRegistry registry, String datasource) {
    for (MeterNames.Row row : MeterNames.ROWS) {
      if (!registry.find(row.name()).tag(DATASOURCE, datasource).meters().isEmpty()) {
        throw new IllegalStateException(
            "Sluice meters for datasource \""
                + datasource
                + "\" are already registered in this MeterRegistry (found "
                + row.name()
                + "): another open Sluice engine uses that name. Close it first or give each"
                + " engine its own name.");
      }
    }
  }

  @Override
  public void statement(boolean write, boolean success, long nanos) {
    Timer timer =
        write ? (success ? writeSuccess : writeError) : (success ? readSuccess : readError);
    timer.record(nanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void retry(boolean write, boolean locked) {
    (write ? (locked ? writeLocked : writeBusy) : (locked ? readLocked : readBusy)).increment();
  }

  @Override
  public void retriesExhausted(boolean write) {
    (write ? writeExhausted : readExhausted).increment();
  }

  @Override
  public void writerWait(long nanos) {
    writerWait.record(nanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void writerHold(long nanos) {
    writerHold.record(nanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void transaction(boolean write, boolean committed, long nanos) {
    Timer timer =
        write ? (committed ? writeCommit : writeRollback) : (committed ? readCommit : readRollback);
    timer.record(nanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void misroute() {
    misroutes.increment();
  }

  @Override
  public void groupSize(int statements) {
    groupSize.record(statements);
  }

  @Override
  public Runnable checkpointPause() {
    LongTaskTimer.Sample pause = checkpointPause.start();
    return () -> pause.stop();
  }

  @Override
  public long now() {
    return clock.monotonicTime();
  }

  @Override
  public void close() {
    for (Meter meter : meters) {
      registry.remove(meter);
    }
  }

  /** The meters this instance registered, for tests. */
  List<Meter> meters() {
    return meters;
  }

  /** The gauges' target, for tests. */
  Gauges gauges() {
    return gauges;
  }

  @Override
  public String toString() {
    return "Meters(datasource=" + datasource + ", " + meters.size() + " meters)";
  }

  /** Registers meters with the common tag and remembers them. Used only by the constructor. */
  private static final class Registration {
    final MeterRegistry registry;
    final Tags common;
    final List<Meter> registered = new ArrayList<>();

    Registration(MeterRegistry registry, String datasource) {
      this.registry = registry;
      this.common = Tags.of(DATASOURCE, datasource);
    }

    Timer timer(String name, String... tags) {
      return remember(
          Timer.builder(name)
              .description(MeterNames.row(name).meaning())
              .tags(common.and(tags))
              .register(registry));
    }

    Counter counter(String name, String... tags) {
      return remember(
          Counter.builder(name)
              .description(MeterNames.row(name).meaning())
              .tags(common.and(tags))
              .register(registry));
    }

    LongTaskTimer longTaskTimer(String name) {
      return remember(
          LongTaskTimer.builder(name)
              .description(MeterNames.row(name).meaning())
              .tags(common)
              .register(registry));
    }

    DistributionSummary summary(String name) {
      MeterNames.Row row = MeterNames.row(name);
      return remember(
          DistributionSummary.builder(name)
              .description(row.meaning())
              .baseUnit(row.baseUnit())
              .tags(common)
              .register(registry));
    }

    void gauge(String name, Gauges target, ToDoubleFunction<Gauges> value) {
      MeterNames.Row row = MeterNames.row(name);
      remember(
          Gauge.builder(name, target, value)
              .description(row.meaning())
              .baseUnit(row.baseUnit())
              .tags(common)
              .register(registry));
    }

    private <M extends Meter> M remember(M meter) {
      registered.add(meter);
      return meter;
    }
  }
}
