package dev.sluice.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfigMXBean;
import com.zaxxer.hikari.HikariDataSource;
import dev.sluice.SluiceDataSource;
import dev.sluice.SluiceDriver;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Proxy;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.annotation.ImportCandidates;
import org.springframework.boot.context.properties.ConfigurationPropertiesBindException;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.jdbc.DataSourceUnwrapper;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.boot.jdbc.autoconfigure.health.DataSourceHealthContributorAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.metrics.DataSourcePoolMetricsAutoConfiguration;
import org.springframework.boot.jdbc.metadata.DataSourcePoolMetadata;
import org.springframework.boot.jdbc.metadata.DataSourcePoolMetadataProvider;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.ImportRuntimeHints;
import org.sqlite.SQLiteDataSource;

/** The auto-configuration in a real context (ApplicationContextRunner), on real database files. */
class SluiceAutoConfigurationTest {
  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  SluiceAutoConfiguration.class, DataSourceAutoConfiguration.class))
          .withBean(MeterRegistry.class, SimpleMeterRegistry::new);

  @TempDir Path dir;

  private String url(String file) {
    return "spring.datasource.url=jdbc:sluice:sqlite:" + dir.resolve(file);
  }

  @Test
  void isRegisteredAsAnAutoConfiguration() {
    assertThat(ImportCandidates.load(AutoConfiguration.class, getClass().getClassLoader()))
        .contains(SluiceAutoConfiguration.class.getName());
  }

  @Test
  void sluiceUrlGivesOneSluiceDataSourceInsteadOfBootsPool() {
    runner
        .withPropertyValues(url("app.db"))
        .run(
            context -> {
              assertThat(context).hasSingleBean(DataSource.class);
              assertThat(context).hasSingleBean(SluiceDataSource.class);
              assertThat(context).doesNotHaveBean(HikariDataSource.class);
              assertThat(context.getBean(DataSource.class)).isInstanceOf(SluiceDataSource.class);
              assertThat(selectOne(context.getBean(DataSource.class))).isEqualTo(1);
            });
  }

  @Test
  void aConnectionInitializerBeanRunsOnEveryPhysicalConnection() {
    runner
        .withPropertyValues(url("app.db"))
        .withBean(
            dev.sluice.SluiceConnectionInitializer.class,
            () ->
                c ->
                    org.sqlite.Function.create(
                        c,
                        "twice",
                        new org.sqlite.Function() {
                          @Override
                          protected void xFunc() throws java.sql.SQLException {
                            result(2 * value_int(0));
                          }
                        }))
        .run(
            context -> {
              DataSource ds = context.getBean(DataSource.class);
              try (java.sql.Connection c = ds.getConnection();
                  java.sql.Statement s = c.createStatement()) {
                // A read runs on a reader, the insert on the writer: both know the function.
                s.execute("CREATE TABLE t (x)");
                assertThat(s.executeUpdate("INSERT INTO t VALUES (twice(21))")).isEqualTo(1);
                try (java.sql.ResultSet r = s.executeQuery("SELECT twice(x) FROM t")) {
                  assertThat(r.next()).isTrue();
                  assertThat(r.getInt(1)).isEqualTo(84);
                }
              }
            });
  }

  @Test
  void dataSourceIsClosedWithTheContext() {
    SluiceDataSource[] seen = new SluiceDataSource[1];
    runner
        .withPropertyValues(url("app.db"))
        .run(
            context -> {
              seen[0] = context.getBean(SluiceDataSource.class);
              assertThat(seen[0].isClosed()).isFalse();
            });
    assertThat(seen[0].isClosed()).isTrue();
  }

  @Test
  void backsOffWhenTheApplicationDefinesADataSource() {
    runner
        .withPropertyValues(url("app.db"))
        .withUserConfiguration(UserDataSourceConfiguration.class)
        .run(
            context -> {
              assertThat(context).hasSingleBean(DataSource.class);
              assertThat(context).doesNotHaveBean(SluiceDataSource.class);
              assertThat(context.getBean(DataSource.class)).isInstanceOf(SQLiteDataSource.class);
            });
  }

  @Test
  void noSluiceDataSourceForAnotherDatabasesUrl() {
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(SluiceAutoConfiguration.class))
        .withPropertyValues("spring.datasource.url=jdbc:h2:mem:orders")
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(context).doesNotHaveBean(DataSource.class);
            });
  }

  @Test
  void noSluiceDataSourceWithoutAUrl() {
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(SluiceAutoConfiguration.class))
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(context).doesNotHaveBean(DataSource.class);
            });
  }

  @Test
  void plainSqliteUrlKeepsBootsPoolUnlessOptedIn() {
    String plain = "spring.datasource.url=jdbc:sqlite:" + dir.resolve("plain.db");
    runner
        .withPropertyValues(plain)
        .run(
            context -> {
              assertThat(context).doesNotHaveBean(SluiceDataSource.class);
              assertThat(context).hasSingleBean(HikariDataSource.class);
            });
    runner
        .withPropertyValues(plain, "sluice.spring.plain-sqlite=true")
        .run(
            context -> {
              assertThat(context).hasSingleBean(SluiceDataSource.class);
              assertThat(context).doesNotHaveBean(HikariDataSource.class);
            });
  }

  @Test
  void propertiesReachTheDataSource() {
    runner
        .withPropertyValues(
            url("app.db"),
            "sluice.name=orders",
            "sluice.readers=3",
            "sluice.writer.acquire-timeout=5s",
            "sluice.pragma.foreign_keys=on",
            "sluice.pragma.cache-size=-2000")
        .run(
            context -> {
              SluiceDataSource ds = context.getBean(SluiceDataSource.class);
              MeterRegistry registry = context.getBean(MeterRegistry.class);
              assertThat(ds.getName()).isEqualTo("orders");
              assertThat(selectOne(ds)).isEqualTo(1);
              assertThat(
                      registry
                          .get("sluice.statements")
                          .tags("datasource", "orders", "route", "read", "outcome", "success")
                          .timer()
                          .count())
                  .isEqualTo(1);
              assertThat(
                      registry
                          .get("hikaricp.connections.max")
                          .tag("pool", "orders-readers")
                          .gauge()
                          .value())
                  .isEqualTo(3);
              assertThat(pragma(ds, "foreign_keys")).isEqualTo("1");
              assertThat(pragma(ds, "cache_size")).isEqualTo("-2000");
            });
  }

  @Test
  void unknownSluicePropertyFailsTheStartup() {
    runner
        .withPropertyValues(url("app.db"), "sluice.readerz=3")
        .run(
            context -> {
              assertThat(context).hasFailed();
              assertThat(causes(context.getStartupFailure()))
                  .hasAtLeastOneElementOfType(ConfigurationPropertiesBindException.class);
              assertThat(context.getStartupFailure()).hasStackTraceContaining("sluice.readerz");
            });
  }

  @Test
  void metricsGoToTheContextsRegistry() {
    new ApplicationContextRunner()
        .withConfiguration(
            AutoConfigurations.of(
                SluiceAutoConfiguration.class,
                DataSourceAutoConfiguration.class,
                MetricsAutoConfiguration.class,
                SimpleMetricsExportAutoConfiguration.class))
        .withPropertyValues(url("metrics.db"), "sluice.name=metered")
        .run(
            context -> {
              DataSource ds = context.getBean(DataSource.class);
              try (Connection c = ds.getConnection();
                  Statement s = c.createStatement()) {
                s.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)");
                s.execute("INSERT INTO t VALUES (1)");
              }
              MeterRegistry registry = context.getBean(MeterRegistry.class);
              assertThat(
                      registry
                          .get("sluice.statements")
                          .tags("datasource", "metered", "route", "write", "outcome", "success")
                          .timer()
                          .count())
                  .isEqualTo(2);
              assertThat(
                      registry
                          .get("sluice.writer.queue")
                          .tag("datasource", "metered")
                          .gauge()
                          .value())
                  .isZero();
            });
  }

  /** Issue 22: Actuator's standard jdbc.connections.* meters were absent for Sluice. */
  @Test
  void bootsPoolMetricsDescribeReadersAndWriterButNeverTakeTheReaderPoolForTheApplications() {
    new ApplicationContextRunner()
        .withConfiguration(
            AutoConfigurations.of(
                SluiceAutoConfiguration.class,
                DataSourceAutoConfiguration.class,
                DataSourcePoolMetricsAutoConfiguration.class,
                MetricsAutoConfiguration.class,
                SimpleMetricsExportAutoConfiguration.class))
        .withPropertyValues(url("app.db"), "sluice.name=pooled", "sluice.readers=3")
        .run(
            context -> {
              // Given the auto-configured data source with three readers and one writer
              DataSource ds = context.getBean(DataSource.class);
              MeterRegistry registry = context.getBean(MeterRegistry.class);

              // When it has served a read
              assertThat(selectOne(ds)).isEqualTo(1);

              // Then Boot's pool meters count readers plus the writer, none in use now
              assertThat(registry.get("jdbc.connections.max").gauge().value()).isEqualTo(4);
              assertThat(registry.get("jdbc.connections.min").gauge().value()).isEqualTo(4);
              assertThat(registry.get("jdbc.connections.active").gauge().value()).isZero();
              assertThat(registry.get("jdbc.connections.idle").gauge().value()).isBetween(1.0, 4.0);
              // And the reader pool is neither unwrapped nor metered as the application's pool
              assertThat(
                      DataSourceUnwrapper.unwrap(
                          ds, HikariConfigMXBean.class, HikariDataSource.class))
                  .isNull();
              // (Other tests' engines opened through the driver report to the global registry,
              // which Boot's registry joins; so look at this data source's pool by its name.)
              assertThat(
                      registry
                          .find("hikaricp.connections.max")
                          .tag("pool", "pooled-readers")
                          .gauge())
                  .isNotNull()
                  .extracting(Gauge::value)
                  .isEqualTo(3.0);
              assertThat(
                      registry.find("hikaricp.connections.max").tag("pool", "dataSource").gauge())
                  .isNull();
            });
  }

  @Test
  void poolMetadataCountsAHeldWriterAsActive() {
    runner
        .withPropertyValues(url("app.db"), "sluice.readers=2")
        .run(
            context -> {
              DataSourcePoolMetadataProvider provider =
                  context.getBean(
                      "sluicePoolDataSourceMetadataProvider", DataSourcePoolMetadataProvider.class);
              SluiceDataSource ds = context.getBean(SluiceDataSource.class);
              DataSourcePoolMetadata metadata = provider.getDataSourcePoolMetadata(ds);
              assertThat(metadata).isNotNull();
              try (Connection c = ds.getConnection();
                  Statement s = c.createStatement()) {
                // Given a transaction that holds the writer
                c.setAutoCommit(false);
                s.execute("CREATE TABLE t (x)");

                // Then one of three connections is active
                assertThat(metadata.getActive()).isEqualTo(1);
                assertThat(metadata.getMax()).isEqualTo(3);
                assertThat(metadata.getUsage()).isEqualTo(1f / 3);
                assertThat(metadata.getValidationQuery()).isEqualTo("SELECT 1");
                assertThat(metadata.getDefaultAutoCommit()).isTrue();
                c.rollback();
              }
              assertThat(metadata.getActive()).isZero();
              // Other data sources are not Sluice's to describe.
              assertThat(provider.getDataSourcePoolMetadata(new SQLiteDataSource())).isNull();
            });
  }

  /** Issue 22: Boot's db health check fell back to Connection.isValid. */
  @Test
  void bootsDbHealthRunsTheValidationQuery() {
    runner
        .withConfiguration(
            AutoConfigurations.of(DataSourceHealthContributorAutoConfiguration.class))
        .withPropertyValues(url("db-health.db"))
        .run(
            context -> {
              HealthIndicator db = context.getBean("dbHealthContributor", HealthIndicator.class);
              Health health = db.health();
              assertThat(health.getStatus()).isEqualTo(Status.UP);
              assertThat(health.getDetails())
                  .containsEntry("database", "SQLite")
                  .containsEntry("validationQuery", "SELECT 1")
                  .containsEntry("result", 1);
            });
  }

  /** Issue 22: spring.datasource.name, username and password were silently ignored. */
  @Test
  void springDataSourceNameNamesTheDataSourceWhenSluiceNameIsUnset() {
    runner
        .withPropertyValues(url("app.db"), "spring.datasource.name=orders")
        .run(
            context -> {
              assertThat(context.getBean(SluiceDataSource.class).getName()).isEqualTo("orders");
              assertThat(context.getBean(JdbcConnectionDetails.class).getDriverClassName())
                  .isEqualTo(SluiceDriver.class.getName());
            });
    runner
        .withPropertyValues(
            url("app.db"), "spring.datasource.name=orders", "sluice.name=sluice-orders")
        .run(
            context ->
                assertThat(context.getBean(SluiceDataSource.class).getName())
                    .isEqualTo("sluice-orders"));
  }

  @Test
  void aPasswordFailsTheStartupSayingSqliteHasNone() {
    runner
        .withPropertyValues(url("app.db"), "spring.datasource.password=secret")
        .run(
            context -> {
              assertThat(context).hasFailed();
              assertThat(context.getStartupFailure())
                  .rootCause()
                  .isInstanceOf(IllegalStateException.class)
                  .hasMessageContaining("SQLite has no passwords")
                  .hasMessageContaining("Remove spring.datasource.password")
                  .hasMessageNotContaining("secret");
            });
  }

  @Test
  @ExtendWith(OutputCaptureExtension.class)
  void settingsSluiceCannotUseAreWarnedAbout(CapturedOutput output) {
    runner
        .withPropertyValues(
            url("app.db"),
            "spring.datasource.username=sa",
            "spring.datasource.driver-class-name=org.sqlite.JDBC",
            "spring.datasource.type=com.zaxxer.hikari.HikariDataSource",
            "spring.datasource.hikari.maximum-pool-size=20")
        .run(
            context -> {
              assertThat(context).hasSingleBean(SluiceDataSource.class);
              assertThat(output)
                  .contains("spring.datasource.username (sa) is ignored")
                  .contains("spring.datasource.driver-class-name (org.sqlite.JDBC) is ignored")
                  .contains("spring.datasource.type (com.zaxxer.hikari.HikariDataSource)")
                  .contains("spring.datasource.hikari.* is ignored")
                  .contains("sluice.readers");
            });
  }

  @Test
  void connectionDetailsOfTheApplicationGiveTheUrl() {
    String other = "jdbc:sluice:sqlite:" + dir.resolve("details.db");
    runner
        .withPropertyValues(url("app.db"))
        .withBean(JdbcConnectionDetails.class, () -> new GivenConnectionDetails(other))
        .run(
            context -> {
              SluiceDataSource ds = context.getBean(SluiceDataSource.class);
              assertThat(pragmaFile(ds)).isEqualTo(dir.resolve("details.db").toString());
            });
  }

  @Test
  void runtimeHintsCoverTheMetadataProxyAndTheDriver() throws SQLException {
    RuntimeHints hints = new RuntimeHints();
    new SluiceRuntimeHints().registerHints(hints, getClass().getClassLoader());
    try (SluiceDataSource ds =
            SluiceDataSource.builder().url("jdbc:sqlite:" + dir.resolve("hints.db")).build();
        Connection c = ds.getConnection()) {
      // The proxy the data source really hands out, whatever interfaces it implements.
      Class<?>[] proxied = c.getMetaData().getClass().getInterfaces();
      assertThat(Proxy.isProxyClass(c.getMetaData().getClass())).isTrue();
      assertThat(RuntimeHintsPredicates.proxies().forInterfaces(proxied)).accepts(hints);
    }
    assertThat(
            RuntimeHintsPredicates.reflection()
                .onMethodInvocation(DatabaseMetaData.class, "getTables"))
        .accepts(hints);
    assertThat(RuntimeHintsPredicates.reflection().onType(SluiceDriver.class)).accepts(hints);
    assertThat(RuntimeHintsPredicates.resource().forResource("META-INF/services/java.sql.Driver"))
        .accepts(hints);
    assertThat(SluiceAutoConfiguration.class.getAnnotation(ImportRuntimeHints.class).value())
        .containsExactly(SluiceRuntimeHints.class);
  }

  /** Issue 22: test slices did not include the auto-configuration. */
  @Test
  void everyBootTestSliceThatSetsUpADataSourceImportsIt() throws IOException {
    for (String slice :
        List.of(
            "org.springframework.boot.jdbc.test.autoconfigure.AutoConfigureJdbc",
            "org.springframework.boot.jdbc.test.autoconfigure.AutoConfigureTestDatabase",
            "org.springframework.boot.jooq.test.autoconfigure.AutoConfigureJooq")) {
      // Read as Boot reads them (ImportCandidates), without needing jOOQ on this class path.
      List<String> imported = new ArrayList<>();
      Enumeration<URL> files =
          getClass().getClassLoader().getResources("META-INF/spring/" + slice + ".imports");
      while (files.hasMoreElements()) {
        try (InputStream in = files.nextElement().openStream()) {
          new String(in.readAllBytes(), StandardCharsets.UTF_8)
              .lines()
              .map(String::strip)
              .filter(line -> !line.isEmpty() && !line.startsWith("#"))
              .forEach(imported::add);
        }
      }
      assertThat(imported).as(slice).contains(SluiceAutoConfiguration.class.getName());
    }
  }

  @Test
  void healthIsUpWithJournalModeWalSizeAndWriterQueue() {
    runner
        .withPropertyValues(url("health.db"), "sluice.name=healthy")
        .run(
            context -> {
              assertThat(context).hasBean("sluiceHealthIndicator");
              Health health =
                  context.getBean("sluiceHealthIndicator", HealthIndicator.class).health();
              assertThat(health.getStatus()).isEqualTo(Status.UP);
              assertThat(health.getDetails())
                  .containsEntry("name", "healthy")
                  .containsEntry("journalMode", "wal")
                  .containsEntry("writerQueue", 0L)
                  .containsKey("walBytes");
            });
  }

  @Test
  void healthIsDownWhileTheWriteBreakerIsOpen() {
    runner
        .withPropertyValues(
            url("breaker.db"),
            "sluice.breaker.failures=1",
            "sluice.retry.attempts=1",
            "sluice.pragma.busy_timeout=5")
        .run(
            context -> {
              SluiceDataSource ds = context.getBean(SluiceDataSource.class);
              try (Connection c = ds.getConnection();
                  Statement s = c.createStatement()) {
                s.execute("CREATE TABLE t (x)");
              }
              // Another process holds the write lock: the one write gives up and opens it.
              try (Connection other =
                      java.sql.DriverManager.getConnection(
                          "jdbc:sqlite:" + dir.resolve("breaker.db"));
                  Statement os = other.createStatement()) {
                os.execute("BEGIN IMMEDIATE");
                try (Connection c = ds.getConnection();
                    Statement s = c.createStatement()) {
                  assertThatThrownBy(() -> s.executeUpdate("INSERT INTO t VALUES (1)"))
                      .isInstanceOf(java.sql.SQLException.class);
                }
                Health health =
                    context.getBean("sluiceHealthIndicator", HealthIndicator.class).health();
                assertThat(health.getStatus()).isEqualTo(Status.DOWN);
                assertThat(health.getDetails()).containsKey("writeBreaker");
                os.execute("ROLLBACK");
              }
            });
  }

  @Test
  void healthIsDownOnceTheDataSourceIsClosed() {
    runner
        .withPropertyValues(url("health.db"))
        .run(
            context -> {
              context.getBean(SluiceDataSource.class).close();
              Health health =
                  context.getBean("sluiceHealthIndicator", HealthIndicator.class).health();
              assertThat(health.getStatus()).isEqualTo(Status.DOWN);
            });
  }

  @Test
  void noHealthIndicatorWithoutActuatorsHealthClasses() {
    runner
        .withClassLoader(new FilteredClassLoader("org.springframework.boot.health"))
        .withPropertyValues(url("app.db"))
        .run(
            context -> {
              assertThat(context).hasSingleBean(SluiceDataSource.class);
              assertThat(context).doesNotHaveBean("sluiceHealthIndicator");
            });
  }

  @Test
  void healthIndicatorCanBeSwitchedOff() {
    runner
        .withPropertyValues(url("app.db"), "management.health.sluice.enabled=false")
        .run(context -> assertThat(context).doesNotHaveBean("sluiceHealthIndicator"));
  }

  private static List<Throwable> causes(Throwable failure) {
    List<Throwable> chain = new ArrayList<>();
    for (Throwable t = failure; t != null && !chain.contains(t); t = t.getCause()) {
      chain.add(t);
    }
    return chain;
  }

  private static int selectOne(DataSource ds) throws SQLException {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT 1")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  private static String pragmaFile(DataSource ds) throws SQLException {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery("SELECT file FROM pragma_database_list WHERE name = 'main'")) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static String pragma(DataSource ds, String name) throws SQLException {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("PRAGMA " + name)) {
      rs.next();
      return rs.getString(1);
    }
  }

  /** Connection details as a service connection or the application would give them. */
  record GivenConnectionDetails(String getJdbcUrl) implements JdbcConnectionDetails {
    @Override
    public String getUsername() {
      return null;
    }

    @Override
    public String getPassword() {
      return null;
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class UserDataSourceConfiguration {
    @Bean
    SQLiteDataSource userDataSource() {
      SQLiteDataSource ds = new SQLiteDataSource();
      ds.setUrl("jdbc:sqlite::memory:");
      return ds;
    }
  }
}
