package dev.sluice.metrics;

import java.util.Objects;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * The live values an engine exposes as gauges. The {@link Meters} instance built from this record
 * holds it strongly, so the suppliers stay reachable for as long as the engine holds its meters
 * (Micrometer itself holds gauge targets only weakly). Immutable; the suppliers are called from the
 * registry's publishing threads, so they must be thread-safe and must not block.
 *
 * @param writerQueue number of threads waiting for the writer
 * @param walBytes current size of the WAL file in bytes
 * @param breakerState {@link MeterNames#BREAKER_CLOSED}, {@link MeterNames#BREAKER_OPEN} or {@link
 *     MeterNames#BREAKER_HALF_OPEN}
 */
public record Gauges(IntSupplier writerQueue, LongSupplier walBytes, IntSupplier breakerState) {

  /**
   * @throws NullPointerException if a supplier is null
   */
  public Gauges {
    Objects.requireNonNull(writerQueue, "writerQueue");
    Objects.requireNonNull(walBytes, "walBytes");
    Objects.requireNonNull(breakerState, "breakerState");
  }
}
