package dev.sluice.metrics;

import static dev.sluice.metrics.MeterNames.DATASOURCE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.LongTaskTimer;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.MockClock;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.ref.Reference;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class MicrometerMetersTest {
  private final MockClock clock = new MockClock();
  private final MeterRegistry registry = new SimpleMeterRegistry(SimpleConfig.DEFAULT, clock);
  private final AtomicInteger queue = new AtomicInteger();
  private final AtomicLong wal = new AtomicLong();
  private final AtomicInteger breaker = new AtomicInteger();

  private Meters open(String name) {
    return Meters.micrometer(registry, name, new Gauges(queue::get, wal::get, breaker::get));
  }

  private static List<Tags> combinations(MeterNames.Row row) {
    List<Tags> out = new ArrayList<>(List.of(Tags.empty()));
    for (MeterNames.TagValues tag : row.tags()) {
      List<Tags> next = new ArrayList<>();
      for (Tags prefix : out) {
        for (String value : tag.values()) {
          next.add(prefix.and(tag.key(), value));
        }
      }
      out = next;
    }
    return out;
  }

  private List<Meter> sluiceMeters() {
    return registry.getMeters().stream()
        .filter(m -> m.getId().getName().startsWith("sluice."))
        .toList();
  }

  private Timer timer(String ds, String name, String... tags) {
    return registry.get(name).tag(DATASOURCE, ds).tags(tags).timer();
  }

  private Counter counter(String ds, String name, String... tags) {
    return registry.get(name).tag(DATASOURCE, ds).tags(tags).counter();
  }

  @Test
  void everyMeterInTheTableIsRegisteredOnceWithItsTypeTagsAndUnit() {
    // When
    try (Meters meters = open("app")) {
      // Then
      int expected = 0;
      for (MeterNames.Row row : MeterNames.ROWS) {
        List<Tags> combinations = combinations(row);
        expected += combinations.size();
        assertThat(registry.find(row.name()).tag(DATASOURCE, "app").meters())
            .as(row.name())
            .hasSize(combinations.size());
        for (Tags tags : combinations) {
          Meter meter = registry.get(row.name()).tag(DATASOURCE, "app").tags(tags).meter();
          assertThat(meter.getId().getType()).as(row.name() + tags).isEqualTo(row.type());
          assertThat(meter.getId().getBaseUnit())
              .as(row.name())
              .isEqualTo(
                  row.type() == Meter.Type.TIMER || row.type() == Meter.Type.LONG_TASK_TIMER
                      ? "seconds"
                      : row.baseUnit());
          assertThat(meter.getId().getDescription()).isEqualTo(row.meaning());
          assertThat(meter.getId().getTags()).as(row.name()).hasSize(row.tags().size() + 1);
        }
      }
      assertThat(expected).isEqualTo(22);
      assertThat(sluiceMeters()).hasSize(expected);
      assertThat(((MicrometerMeters) meters).meters()).hasSize(expected);
      assertThat(sluiceMeters())
          .allSatisfy(m -> assertThat(m.getId().getTag(DATASOURCE)).isEqualTo("app"));
    }
  }

  @Test
  void statementsAreTimedUnderTheirRouteAndOutcome() {
    // Given
    try (Meters meters = open("app")) {
      // When
      for (int i = 0; i < 3; i++) {
        meters.statement(false, true, 1_000);
      }
      meters.statement(true, false, 20_000);
      meters.statement(true, false, 30_000);

      // Then
      Timer readSuccess =
          timer("app", MeterNames.STATEMENTS, "route", "read", "outcome", "success");
      Timer writeError = timer("app", MeterNames.STATEMENTS, "route", "write", "outcome", "error");
      assertThat(readSuccess.count()).isEqualTo(3);
      assertThat(readSuccess.totalTime(TimeUnit.NANOSECONDS)).isEqualTo(3_000);
      assertThat(writeError.count()).isEqualTo(2);
      assertThat(writeError.totalTime(TimeUnit.NANOSECONDS)).isEqualTo(50_000);
      assertThat(writeError.max(TimeUnit.NANOSECONDS)).isEqualTo(30_000);
      assertThat(timer("app", MeterNames.STATEMENTS, "route", "read", "outcome", "error").count())
          .isZero();
      assertThat(
              timer("app", MeterNames.STATEMENTS, "route", "write", "outcome", "success").count())
          .isZero();
    }
  }

  @Test
  void retriesAreCountedByRouteAndReasonAndExhaustionByRoute() {
    // Given
    try (Meters meters = open("app")) {
      // When
      meters.retry(false, false);
      meters.retry(false, true);
      meters.retry(false, true);
      meters.retry(true, false);
      meters.retry(true, false);
      meters.retry(true, false);
      meters.retry(true, true);
      meters.retry(true, true);
      meters.retry(true, true);
      meters.retry(true, true);
      meters.retriesExhausted(true);
      meters.retriesExhausted(true);
      meters.retriesExhausted(false);

      // Then
      assertThat(counter("app", MeterNames.RETRIES, "route", "read", "reason", "busy").count())
          .isEqualTo(1);
      assertThat(counter("app", MeterNames.RETRIES, "route", "read", "reason", "locked").count())
          .isEqualTo(2);
      assertThat(counter("app", MeterNames.RETRIES, "route", "write", "reason", "busy").count())
          .isEqualTo(3);
      assertThat(counter("app", MeterNames.RETRIES, "route", "write", "reason", "locked").count())
          .isEqualTo(4);
      assertThat(counter("app", MeterNames.RETRIES_EXHAUSTED, "route", "write").count())
          .isEqualTo(2);
      assertThat(counter("app", MeterNames.RETRIES_EXHAUSTED, "route", "read").count())
          .isEqualTo(1);
    }
  }

  @Test
  void writerTimersRecordTheGivenNanos() {
    // Given
    try (Meters meters = open("app")) {
      // When
      meters.writerWait(1_500_000);
      meters.writerWait(500_000);
      meters.writerHold(7_000_000_000L);

      // Then
      Timer wait = timer("app", MeterNames.WRITER_WAIT);
      assertThat(wait.count()).isEqualTo(2);
      assertThat(wait.totalTime(TimeUnit.NANOSECONDS)).isEqualTo(2_000_000);
      assertThat(wait.max(TimeUnit.NANOSECONDS)).isEqualTo(1_500_000);
      Timer hold = timer("app", MeterNames.WRITER_HOLD);
      assertThat(hold.count()).isEqualTo(1);
      assertThat(hold.totalTime(TimeUnit.SECONDS)).isEqualTo(7);
    }
  }

  @Test
  void transactionsAreTimedUnderTheirModeAndOutcome() {
    // Given
    try (Meters meters = open("app")) {
      // When
      meters.transaction(true, true, 100);
      meters.transaction(true, true, 200);
      meters.transaction(true, false, 400);
      meters.transaction(false, true, 800);

      // Then
      Timer writeCommit =
          timer("app", MeterNames.TRANSACTIONS, "mode", "write", "outcome", "commit");
      assertThat(writeCommit.count()).isEqualTo(2);
      assertThat(writeCommit.totalTime(TimeUnit.NANOSECONDS)).isEqualTo(300);
      Timer writeRollback =
          timer("app", MeterNames.TRANSACTIONS, "mode", "write", "outcome", "rollback");
      assertThat(writeRollback.totalTime(TimeUnit.NANOSECONDS)).isEqualTo(400);
      Timer readCommit = timer("app", MeterNames.TRANSACTIONS, "mode", "read", "outcome", "commit");
      assertThat(readCommit.totalTime(TimeUnit.NANOSECONDS)).isEqualTo(800);
      assertThat(
              timer("app", MeterNames.TRANSACTIONS, "mode", "read", "outcome", "rollback").count())
          .isZero();
    }
  }

  @Test
  void misroutesAreCountedAndGroupSizesSummarised() {
    // Given
    try (Meters meters = open("app")) {
      // When
      meters.misroute();
      meters.misroute();
      meters.groupSize(3);
      meters.groupSize(5);
      meters.groupSize(1);

      // Then
      assertThat(counter("app", MeterNames.MISROUTES).count()).isEqualTo(2);
      DistributionSummary groups =
          registry.get(MeterNames.WRITER_GROUP_SIZE).tag(DATASOURCE, "app").summary();
      assertThat(groups.count()).isEqualTo(3);
      assertThat(groups.totalAmount()).isEqualTo(9);
      assertThat(groups.max()).isEqualTo(5);
    }
  }

  @Test
  void aCheckpointPauseIsActiveUntilItsEndRuns() {
    // Given
    try (Meters meters = open("app")) {
      LongTaskTimer pauses =
          registry.get(MeterNames.CHECKPOINT_PAUSE).tag(DATASOURCE, "app").longTaskTimer();

      // When a pause starts
      Runnable end = meters.checkpointPause();

      // Then it is active until its end runs
      assertThat(pauses.activeTasks()).isEqualTo(1);
      end.run();
      assertThat(pauses.activeTasks()).isZero();
    }
  }

  @Test
  void gaugesReadTheirSuppliersLive() {
    // Given
    try (Meters meters = open("app")) {
      Gauge queueGauge = registry.get(MeterNames.WRITER_QUEUE).tag(DATASOURCE, "app").gauge();
      Gauge walGauge = registry.get(MeterNames.WAL_SIZE).tag(DATASOURCE, "app").gauge();
      Gauge breakerGauge = registry.get(MeterNames.BREAKER_STATE).tag(DATASOURCE, "app").gauge();
      assertThat(queueGauge.value()).isZero();

      // When
      queue.set(4);
      wal.set(5_000_000_000L);
      breaker.set(MeterNames.BREAKER_HALF_OPEN);

      // Then
      assertThat(queueGauge.value()).isEqualTo(4);
      assertThat(walGauge.value()).isEqualTo(5_000_000_000d);
      assertThat(breakerGauge.value()).isEqualTo(2);

      // When
      queue.set(1);

      // Then
      assertThat(queueGauge.value()).isEqualTo(1);
    }
  }

  @Test
  void gaugesSurviveGarbageCollectionWhileTheMetersAreReferenced() {
    // Given: only the Meters instance references the Gauges record and its suppliers
    Meters meters = openWithUnreferencedGauges();

    // When
    for (int i = 0; i < 3; i++) {
      System.gc();
    }

    // Then
    assertThat(registry.get(MeterNames.WRITER_QUEUE).tag(DATASOURCE, "app").gauge().value())
        .isEqualTo(7);
    try {
      assertThat(registry.get(MeterNames.WAL_SIZE).tag(DATASOURCE, "app").gauge().value())
          .isEqualTo(4096);
      assertThat(registry.get(MeterNames.BREAKER_STATE).tag(DATASOURCE, "app").gauge().value())
          .isEqualTo(1);
    } finally {
      Reference.reachabilityFence(meters);
    }
    meters.close();
  }

  private Meters openWithUnreferencedGauges() {
    return Meters.micrometer(registry, "app", new Gauges(() -> 7, () -> 4096L, () -> 1));
  }

  @Test
  void nowComesFromTheRegistryClock() {
    // Given
    try (Meters meters = open("app")) {
      long start = meters.now();

      // When
      clock.add(250, TimeUnit.MILLISECONDS);

      // Then
      assertThat(meters.now() - start).isEqualTo(250_000_000L);
    }
  }

  @Test
  void closeRemovesEveryMeterAndLeavesOtherDatasourcesAlone() {
    // Given
    Meters first = open("first");
    Meters second = open("second");
    first.statement(true, true, 10);
    second.statement(true, true, 10);
    second.statement(true, true, 10);
    assertThat(sluiceMeters()).hasSize(44);
    assertThat(
            timer("first", MeterNames.STATEMENTS, "route", "write", "outcome", "success").count())
        .isEqualTo(1);

    // When
    first.close();

    // Then
    assertThat(sluiceMeters())
        .hasSize(22)
        .allSatisfy(m -> assertThat(m.getId().getTag(DATASOURCE)).isEqualTo("second"));
    second.misroute();
    assertThat(
            timer("second", MeterNames.STATEMENTS, "route", "write", "outcome", "success").count())
        .isEqualTo(2);
    assertThat(counter("second", MeterNames.MISROUTES).count()).isEqualTo(1);

    // When
    second.close();
    second.close();

    // Then
    assertThat(sluiceMeters()).isEmpty();
  }

  @Test
  void aSecondOpenEngineWithTheSameNameIsRefusedUntilTheFirstCloses() {
    // Given
    Meters first = open("app");

    // When, Then
    assertThatThrownBy(() -> open("app"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("\"app\"")
        .hasMessageContaining("another open Sluice engine");
    assertThat(sluiceMeters()).hasSize(22);

    // When
    first.close();

    // Then
    try (Meters again = open("app")) {
      again.misroute();
      assertThat(counter("app", MeterNames.MISROUTES).count()).isEqualTo(1);
    }
  }

  @Test
  void aNullRegistryMeansTheGlobalRegistry() {
    // Given
    String name = "global-" + UUID.randomUUID();

    // When
    Meters meters = Meters.micrometer(null, name, new Gauges(() -> 0, () -> 0L, () -> 0));
    try {
      meters.misroute();

      // Then
      assertThat(Metrics.globalRegistry.find(MeterNames.MISROUTES).tag(DATASOURCE, name).meters())
          .hasSize(1);
    } finally {
      meters.close();
    }
    assertThat(Metrics.globalRegistry.find(MeterNames.MISROUTES).tag(DATASOURCE, name).meters())
        .isEmpty();
  }

  @Test
  void aBlankNameOrMissingSupplierIsRefused() {
    assertThatThrownBy(() -> open(" "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("datasourceName");
    assertThatThrownBy(() -> new Gauges(queue::get, null, breaker::get))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("walBytes");
    assertThat(sluiceMeters()).isEmpty();
  }

  @Test
  void recordingAllocatesNothingPerCall() {
    // Given
    try (Meters meters = open("app")) {
      // When
      long bytes = Allocation.of(() -> Allocation.record(meters, 100_000));

      // Then
      assertThat(bytes).isLessThan(Allocation.TOLERANCE);
      assertThat(timer("app", MeterNames.WRITER_WAIT).count()).isEqualTo(200_000);
    }
  }
}
