package dev.sluice.spring;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.ImportRuntimeHints;

/**
 * Auto-configuration of a {@link dev.sluice.SluiceDataSource} for a {@code jdbc:sluice:sqlite:}
 * {@code spring.datasource.url} (and, with {@code sluice.spring.plain-sqlite=true}, a plain {@code
 * jdbc:sqlite:} one). It runs before Boot's {@code DataSourceAutoConfiguration}, whose HikariCP
 * pool then backs off; it backs off itself when the application defines a {@link
 * javax.sql.DataSource}. The URL, user and password come through Boot's {@code
 * JdbcConnectionDetails}, like Boot's own pools. The data source uses the context's {@link
 * io.micrometer.core.instrument.MeterRegistry} when there is one, and describes its connections to
 * Boot's pool metadata ({@code jdbc.connections.*} meters, the {@code db} health check). With
 * Actuator's health support present, a {@code sluice} health indicator reports on it. Flyway and
 * Liquibase given the data source's database by URL migrate through the data source itself.
 *
 * <p>Boot's test slices that set up a data source ({@code @DataJpaTest}, {@code @JdbcTest},
 * {@code @DataJdbcTest}, {@code @JooqTest}) import it too; it runs after Boot's test database
 * auto-configuration, so {@code @AutoConfigureTestDatabase} still replaces it unless told {@code
 * replace = NONE}.
 *
 * <p>The data source does not unwrap to its reader pool, so Boot's pool metadata and metrics never
 * take that pool for the application's.
 *
 * @since 0.1
 */
@AutoConfiguration(
    beforeName = "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
    // In AUTO_CONFIGURED mode Boot's test database is defined there, and this one backs off.
    afterName = "org.springframework.boot.jdbc.test.autoconfigure.TestDatabaseAutoConfiguration")
@EnableConfigurationProperties(SluiceProperties.class)
// In this order: the health configuration's conditions look for the data source bean.
@Import({
  SluiceDataSourceConfiguration.class,
  SluicePoolMetadataConfiguration.class,
  SluiceMigrationConfiguration.class,
  SluiceHealthConfiguration.class
})
@ImportRuntimeHints(SluiceRuntimeHints.class)
public final class SluiceAutoConfiguration {

  SluiceAutoConfiguration() {}
}
