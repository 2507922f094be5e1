package dev.sluice.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.SluiceDataSource;
import dev.sluice.SluiceDriver;
import dev.sluice.driver.Engines;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.liquibase.autoconfigure.LiquibaseConnectionDetails;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;

/**
 * Issue 22: a migration tool given the data source's {@code jdbc:sluice:} URL opened a second
 * engine, a second writer on the same file. It now migrates through the data source bean.
 */
class SluiceMigrationTest {
  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  SluiceAutoConfiguration.class,
                  DataSourceAutoConfiguration.class,
                  FlywayAutoConfiguration.class))
          .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
          .withPropertyValues("spring.flyway.locations=classpath:sluice-migration");

  @TempDir Path dir;

  private String sluiceUrl(String file) {
    return "jdbc:sluice:sqlite:" + dir.resolve(file);
  }

  @Test
  void flywayGivenTheDataSourcesUrlMigratesThroughTheDataSource() {
    runner
        .withPropertyValues(
            "spring.datasource.url=" + sluiceUrl("app.db"),
            // The same database, even with other parameters.
            "spring.flyway.url=" + sluiceUrl("app.db") + "?foreign_keys=on",
            "spring.flyway.user=ignored")
        .run(
            context -> {
              // Given Flyway configured with the data source's own database
              DataSource dataSource = context.getBean(DataSource.class);

              // Then its migration ran through that data source, the one engine on the file
              assertThat(context.getBean(Flyway.class).getConfiguration().getDataSource())
                  .isSameAs(dataSource);
              assertThat(names(dataSource)).isEqualTo("migrated");
            });
  }

  @Test
  void flywayGivenAnotherSluiceDatabaseOpensItWithSluicesDriver() throws SQLException {
    runner
        .withPropertyValues(
            "spring.datasource.url=" + sluiceUrl("app.db"),
            "spring.flyway.url=" + sluiceUrl("other.db"))
        .run(
            context -> {
              DataSource migration =
                  context.getBean(Flyway.class).getConfiguration().getDataSource();
              assertThat(migration).isInstanceOf(SimpleDriverDataSource.class);
              assertThat(((SimpleDriverDataSource) migration).getDriver())
                  .isInstanceOf(SluiceDriver.class);
              assertThat(context.getBean(SluiceDataSource.class).getName()).isEqualTo("app");
            });
    // The driver's engine on the other file (reporting to the global registry) lives until
    // closed; close it before the file goes.
    assertThat(
            Metrics.globalRegistry.find("sluice.writer.queue").tag("datasource", "other").gauge())
        .isNotNull();
    Engines.close(sluiceUrl("other.db"), new Properties());
    assertThat(
            Metrics.globalRegistry.find("sluice.writer.queue").tag("datasource", "other").gauge())
        .isNull();
    // The other file got the migration, read with plain sqlite-jdbc.
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("other.db"))) {
      assertThat(names(c)).isEqualTo("migrated");
    }
  }

  @Test
  void flywayWithoutItsOwnUrlIsLeftToBoot() {
    runner
        .withPropertyValues("spring.datasource.url=" + sluiceUrl("app.db"))
        .run(
            context -> {
              assertThat(context).doesNotHaveBean("sluiceFlywayConnectionDetails");
              assertThat(context.getBean(Flyway.class).getConfiguration().getDataSource())
                  .isSameAs(context.getBean(DataSource.class));
            });
  }

  @Test
  void liquibaseGivenTheDataSourcesUrlUsesTheDataSource() {
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(SluiceAutoConfiguration.class))
        .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
        .withPropertyValues(
            "spring.datasource.url=" + sluiceUrl("app.db"),
            "spring.liquibase.url=" + sluiceUrl("app.db"))
        .run(
            context -> {
              // No URL, user or password: Boot's Liquibase then takes the DataSource bean.
              LiquibaseConnectionDetails details =
                  context.getBean(LiquibaseConnectionDetails.class);
              assertThat(details.getJdbcUrl()).isNull();
              assertThat(details.getUsername()).isNull();
              assertThat(details.getPassword()).isNull();
              assertThat(details.getDriverClassName()).isNull();
            });
  }

  @Test
  void noMigrationDetailsWithoutTheMigrationModules() {
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(SluiceAutoConfiguration.class))
        .withClassLoader(
            new FilteredClassLoader(
                "org.springframework.boot.flyway", "org.springframework.boot.liquibase"))
        .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
        .withPropertyValues(
            "spring.datasource.url=" + sluiceUrl("app.db"),
            "spring.flyway.url=" + sluiceUrl("app.db"),
            "spring.liquibase.url=" + sluiceUrl("app.db"))
        .run(
            context -> {
              assertThat(context).hasSingleBean(SluiceDataSource.class);
              assertThat(context).doesNotHaveBean("sluiceFlywayConnectionDetails");
              assertThat(context).doesNotHaveBean("sluiceLiquibaseConnectionDetails");
            });
  }

  @Test
  void theDatabaseOfAUrlIsItsPathWithoutParameters() {
    assertThat(MigrationTarget.database("jdbc:sluice:sqlite:/a/app.db?foreign_keys=on"))
        .isEqualTo("/a/app.db");
    assertThat(MigrationTarget.database("JDBC:SQLITE:/a/app.db")).isEqualTo("/a/app.db");
    assertThat(MigrationTarget.database("jdbc:sluice:sqlite:/a/other.db"))
        .isNotEqualTo("/a/app.db");
  }

  private static String names(DataSource ds) throws SQLException {
    try (Connection c = ds.getConnection()) {
      return names(c);
    }
  }

  private static String names(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT group_concat(name) FROM item")) {
      rs.next();
      return rs.getString(1);
    }
  }
}
