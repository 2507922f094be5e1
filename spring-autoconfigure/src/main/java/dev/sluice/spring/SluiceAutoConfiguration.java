package dev.sluice.spring;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Import;

/**
 * Auto-configuration of a {@link dev.sluice.SluiceDataSource} for a {@code jdbc:sluice:sqlite:}
 * {@code spring.datasource.url} (and, with {@code sluice.spring.plain-sqlite=true}, a plain {@code
 * jdbc:sqlite:} one). It runs before Boot's {@code DataSourceAutoConfiguration}, whose HikariCP
 * pool then backs off; it backs off itself when the application defines a {@link
 * javax.sql.DataSource}. The data source uses the context's {@link
 * io.micrometer.core.instrument.MeterRegistry} when there is one. With Actuator's health support
 * present, a {@code sluice} health indicator reports on it.
 *
 * <p>The data source does not unwrap to its reader pool, so Boot's pool metadata and metrics never
 * take that pool for the application's.
 *
 * @since 0.1
 */
@AutoConfiguration(
    beforeName = "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration")
@EnableConfigurationProperties(SluiceProperties.class)
// In this order: the health configuration's conditions look for the data source bean.
@Import({SluiceDataSourceConfiguration.class, SluiceHealthConfiguration.class})
public final class SluiceAutoConfiguration {

  SluiceAutoConfiguration() {}
}
