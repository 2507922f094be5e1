package dev.sluice.spring;

import dev.sluice.SluiceDataSource;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

/**
 * Actuator health of a {@link SluiceDataSource}: UP when {@code SELECT 1} answers, with the journal
 * mode ({@code PRAGMA journal_mode}), and the WAL size and writer queue read from Sluice's own
 * gauges ({@code sluice.wal.size}, {@code sluice.writer.queue}) in the registry the data source
 * reports to. It never takes the writer: a health probe must not queue behind writes, and JDBC
 * offers no way to read the queue or the WAL size without one (a checkpoint would change the WAL).
 *
 * <p>Thread-safe: each check uses its own connection.
 */
final class SluiceHealthIndicator extends AbstractHealthIndicator {
  static final String WAL_SIZE = "sluice.wal.size";
  static final String WRITER_QUEUE = "sluice.writer.queue";

  private final SluiceDataSource dataSource;
  private final MeterRegistry registry;

  SluiceHealthIndicator(SluiceDataSource dataSource, MeterRegistry registry) {
    super("Sluice health check failed");
    this.dataSource = dataSource;
    this.registry = registry;
  }

  @Override
  protected void doHealthCheck(Health.Builder builder) throws Exception {
    builder.withDetail("name", dataSource.getName());
    if (dataSource.isClosed()) {
      builder.down().withDetail("closed", true);
      return;
    }
    boolean answered;
    String journalMode;
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery("SELECT 1")) {
        answered = rs.next() && rs.getInt(1) == 1;
      }
      try (ResultSet rs = s.executeQuery("PRAGMA journal_mode")) {
        journalMode = rs.next() ? rs.getString(1) : "unknown";
      }
    }
    builder.status(answered ? Status.UP : Status.DOWN);
    builder.withDetail("validationQuery", "SELECT 1");
    builder.withDetail("journalMode", journalMode);
    Gauge wal = gauge(WAL_SIZE);
    if (wal != null) {
      builder.withDetail("walBytes", (long) wal.value());
    }
    Gauge queue = gauge(WRITER_QUEUE);
    if (queue != null) {
      builder.withDetail("writerQueue", (long) queue.value());
    }
    Gauge breaker = gauge("sluice.breaker.state");
    if (breaker != null && breaker.value() == 1) {
      // Writes fail fast: another process has kept the database locked (sluice.breaker.*).
      builder
          .status(Status.DOWN)
          .withDetail("writeBreaker", "open: database locked by another process");
    } else if (breaker != null && breaker.value() == 2) {
      builder.withDetail("writeBreaker", "half-open");
    }
  }

  private Gauge gauge(String name) {
    return registry.find(name).tag("datasource", dataSource.getName()).gauge();
  }
}
