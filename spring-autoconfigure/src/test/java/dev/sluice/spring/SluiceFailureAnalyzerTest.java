package dev.sluice.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.support.SpringFactoriesLoader;
import org.springframework.core.io.support.SpringFactoriesLoader.ArgumentResolver;
import org.springframework.core.io.support.SpringFactoriesLoader.FailureHandler;
import org.springframework.mock.env.MockEnvironment;

/**
 * Startup failures from Sluice as Boot reports them: every failure analyzer registered on the class
 * path, in Boot's order, and the first analysis that answers.
 */
class SluiceFailureAnalyzerTest {
  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(SluiceAutoConfiguration.class))
          .withBean(MeterRegistry.class, SimpleMeterRegistry::new);

  @TempDir Path dir;

  @Test
  void badPragmaValueIsReportedNamingThePragma() {
    runner
        .withPropertyValues(
            "spring.datasource.url=jdbc:sluice:sqlite:" + dir.resolve("app.db"),
            "sluice.pragma.journal_mode=bogus")
        .run(
            context -> {
              assertThat(context).hasFailed();
              FailureAnalysis analysis = analyze(context.getStartupFailure());
              assertThat(analysis).isNotNull();
              assertThat(analysis.getDescription())
                  .contains("Sluice could not open")
                  .contains("journal_mode")
                  .contains("bogus");
              assertThat(analysis.getAction())
                  .startsWith("Fix the value of sluice.pragma.journal_mode");
              assertThat(analysis.getCause())
                  .isInstanceOf(SQLNonTransientConnectionException.class)
                  .hasFieldOrPropertyWithValue("SQLState", "08001");
            });
  }

  @Test
  void pragmaThatReadsBackDifferentlyIsReportedWithTheWayToRelaxIt() {
    // An in-memory database cannot be put in WAL mode: SQLite answers "memory".
    runner
        .withPropertyValues(
            "spring.datasource.url=jdbc:sluice:sqlite::memory:", "sluice.pragma.journal_mode=wal")
        .run(
            context -> {
              FailureAnalysis analysis = analyze(context.getStartupFailure());
              assertThat(analysis).isNotNull();
              assertThat(analysis.getDescription()).contains("PRAGMA journal_mode is memory");
              assertThat(analysis.getAction())
                  .startsWith("SQLite kept another value for the pragma journal_mode")
                  .contains("sluice.pragma.relax=journal_mode");
            });
  }

  @Test
  void missingDirectoryIsReportedWithWhatToDo() {
    Path missing = dir.resolve("missing").resolve("app.db");
    runner
        .withPropertyValues("spring.datasource.url=jdbc:sluice:sqlite:" + missing)
        .run(
            context -> {
              FailureAnalysis analysis = analyze(context.getStartupFailure());
              assertThat(analysis).isNotNull();
              assertThat(analysis.getDescription())
                  .contains(missing.getParent().toString())
                  .contains("does not exist");
              assertThat(analysis.getAction()).startsWith("Create the directory");
            });
  }

  @Test
  void failuresNotMadeBySluiceAreLeftToOtherAnalyzers() {
    SluiceFailureAnalyzer analyzer = new SluiceFailureAnalyzer();
    assertThat(analyzer.analyze(new IllegalStateException("boom"))).isNull();
    // Same state, but not thrown by Sluice's core.
    assertThat(
            analyzer.analyze(
                new IllegalStateException(
                    new SQLNonTransientConnectionException("no route", "08001"))))
        .isNull();
    assertThat(analyzer.analyze(new SQLTransientConnectionException("busy", "08001"))).isNull();
  }

  /**
   * Issue 22: with Sluice's auto-configuration on the class path but not applied (excluded here, or
   * a context that imports its auto-configurations itself), Boot's own pool finds no driver for the
   * Sluice URL, and Boot's analysis advised adding an embedded database.
   */
  @Test
  void sluiceUrlServedByBootsOwnAutoConfigurationSaysWhatToImport() {
    String url = "jdbc:sluice:sqlite:" + dir.resolve("app.db");
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class))
        .withClassLoader(new FilteredClassLoader("org.h2"))
        .withPropertyValues("spring.datasource.url=" + url)
        .run(
            context -> {
              assertThat(context).hasFailed();
              FailureAnalysis analysis =
                  analyze(
                      context.getStartupFailure(),
                      new MockEnvironment().withProperty("spring.datasource.url", url),
                      SluiceUrlFailureAnalyzer.class);
              assertThat(analysis).isNotNull();
              assertThat(analysis.getDescription())
                  .contains(url)
                  .contains("Failed to determine a suitable driver class")
                  .contains("dev.sluice.spring.SluiceAutoConfiguration");
              assertThat(analysis.getAction())
                  .contains("remove the exclusion")
                  .contains("import dev.sluice.spring.SluiceAutoConfiguration");
            });
  }

  @Test
  void sluiceUrlGivenToH2sDriverByBootSaysWhatToImport() {
    String url = "jdbc:sluice:sqlite:" + dir.resolve("app.db");
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class))
        .withUserConfiguration(ConnectAtStartup.class)
        .withPropertyValues("spring.datasource.url=" + url)
        .run(
            context -> {
              assertThat(context).hasFailed();
              FailureAnalysis analysis =
                  analyze(
                      context.getStartupFailure(),
                      new MockEnvironment().withProperty("spring.datasource.url", url),
                      SluiceUrlFailureAnalyzer.class);
              assertThat(analysis).isNotNull();
              assertThat(analysis.getDescription())
                  .contains("Driver org.h2.Driver claims to not accept jdbcUrl");
            });
  }

  @Test
  void driverFailuresForOtherUrlsAreLeftToBoot() {
    SluiceUrlFailureAnalyzer analyzer =
        new SluiceUrlFailureAnalyzer(
            new MockEnvironment().withProperty("spring.datasource.url", "jdbc:foo:bar"));
    assertThat(
            analyzer.analyze(
                new IllegalStateException("Failed to determine a suitable driver class")))
        .isNull();
    // Boot gives no environment to analyzers when the context was never created.
    assertThat(
            new SluiceUrlFailureAnalyzer(null)
                .analyze(new IllegalStateException("Failed to determine a suitable driver class")))
        .isNull();
  }

  /** An application bean that takes a connection while the context starts, as JPA does. */
  @Configuration(proxyBeanMethods = false)
  static class ConnectAtStartup {
    @Bean
    String databaseProduct(DataSource dataSource) throws SQLException {
      try (Connection c = dataSource.getConnection()) {
        return c.getMetaData().getDatabaseProductName();
      }
    }
  }

  private static FailureAnalysis analyze(Throwable failure) {
    return analyze(failure, new StandardEnvironment(), SluiceFailureAnalyzer.class);
  }

  /** What Boot's FailureAnalyzers would report: the first analysis, in registration order. */
  private static FailureAnalysis analyze(
      Throwable failure, Environment environment, Class<? extends FailureAnalyzer> expected) {
    ArgumentResolver arguments =
        ArgumentResolver.of(BeanFactory.class, new DefaultListableBeanFactory())
            .and(Environment.class, environment);
    List<FailureAnalyzer> analyzers =
        SpringFactoriesLoader.forDefaultResourceLocation(
                SluiceFailureAnalyzerTest.class.getClassLoader())
            // As Boot does: skip analyzers whose classes are missing here (web, for example).
            .load(FailureAnalyzer.class, arguments, FailureHandler.handleMessage((m, e) -> {}));
    assertThat(analyzers).hasAtLeastOneElementOfType(SluiceFailureAnalyzer.class);
    for (FailureAnalyzer analyzer : analyzers) {
      FailureAnalysis analysis = analyzer.analyze(failure);
      if (analysis != null) {
        assertThat(analyzer).isInstanceOf(expected);
        return analysis;
      }
    }
    return null;
  }
}
