package dev.sluice.spring;

import dev.sluice.SluiceDriver;
import org.springframework.boot.jdbc.autoconfigure.DataSourceProperties;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;

/**
 * {@code spring.datasource.url}, {@code username} and {@code password} as Boot's {@link
 * JdbcConnectionDetails}, with Sluice's driver class: Boot's own adapter is defined only beside its
 * pools, which back off for Sluice, and Boot cannot name a driver for a {@code jdbc:sluice:} URL.
 * Reads the bound properties on each call; thread-safe once they are bound.
 */
final class SluiceJdbcConnectionDetails implements JdbcConnectionDetails {
  private final DataSourceProperties properties;

  SluiceJdbcConnectionDetails(DataSourceProperties properties) {
    this.properties = properties;
  }

  @Override
  public String getJdbcUrl() {
    String url = properties.getUrl();
    if (url == null || url.isBlank()) {
      throw new IllegalStateException("spring.datasource.url is not set");
    }
    return url;
  }

  @Override
  public String getUsername() {
    return properties.getUsername();
  }

  @Override
  public String getPassword() {
    return properties.getPassword();
  }

  @Override
  public String getDriverClassName() {
    return SluiceDriver.class.getName();
  }

  @Override
  public String getXaDataSourceClassName() {
    return null;
  }
}
