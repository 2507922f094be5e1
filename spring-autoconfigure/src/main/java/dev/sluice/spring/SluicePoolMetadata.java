package dev.sluice.spring;

import dev.sluice.SluiceDataSource;
import org.springframework.boot.jdbc.metadata.AbstractDataSourcePoolMetadata;

/**
 * Boot's view of a {@link SluiceDataSource} as a pool: its reader connections plus the single
 * writer (active, idle, max; min is max, as the reader pool keeps every reader open), and {@code
 * SELECT 1} as the validation query, which Boot's {@code db} health indicator then runs (a read: it
 * never queues behind writes). Reads the data source's live counts on each call; thread-safe.
 */
final class SluicePoolMetadata extends AbstractDataSourcePoolMetadata<SluiceDataSource> {
  static final String VALIDATION_QUERY = "SELECT 1";

  SluicePoolMetadata(SluiceDataSource dataSource) {
    super(dataSource);
  }

  @Override
  public Integer getActive() {
    return getDataSource().getActiveConnections();
  }

  @Override
  public Integer getIdle() {
    return getDataSource().getIdleConnections();
  }

  @Override
  public Integer getMax() {
    return getDataSource().getMaxConnections();
  }

  @Override
  public Integer getMin() {
    return getDataSource().getMaxConnections();
  }

  @Override
  public String getValidationQuery() {
    return VALIDATION_QUERY;
  }

  @Override
  public Boolean getDefaultAutoCommit() {
    return Boolean.TRUE;
  }
}
