package dev.sluice.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Metrics;
import org.junit.jupiter.api.Test;

class NoopMetersTest {

  @Test
  void noopIsOneSharedInstanceThatIsNotBackedByARegistry() {
    assertThat(Meters.noop()).isSameAs(Meters.noop()).isInstanceOf(NoopMeters.class);
  }

  @Test
  void noopRegistersNothingInTheGlobalRegistry() {
    // Given
    int before = Metrics.globalRegistry.getMeters().size();

    // When
    Allocation.record(Meters.noop(), 10);
    Meters.noop().close();

    // Then
    assertThat(Metrics.globalRegistry.getMeters()).hasSize(before);
  }

  @Test
  void noopAllocatesNothingPerCall() {
    // When
    long bytes = Allocation.of(() -> Allocation.record(Meters.noop(), 100_000));

    // Then
    assertThat(bytes).isLessThan(Allocation.TOLERANCE);
  }

  @Test
  void noopTimeIsSystemNanoTime() {
    // Given
    long before = System.nanoTime();

    // When
    long now = Meters.noop().now();

    // Then
    assertThat(now).isBetween(before, System.nanoTime());
  }
}
