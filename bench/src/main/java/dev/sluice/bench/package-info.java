/** JMH benchmarks of Sluice against sqlite-jdbc and HikariCP; run by hand, never by the tests. */
package dev.sluice.bench;
