/**
 * Measurements of Sluice against sqlite-jdbc and HikariCP, run by hand, never by the tests: the JMH
 * benchmarks ({@code *Bench}), the stress comparison ({@link dev.sluice.bench.Stress}) and the soak
 * ({@link dev.sluice.bench.Soak}).
 */
package dev.sluice.bench;
