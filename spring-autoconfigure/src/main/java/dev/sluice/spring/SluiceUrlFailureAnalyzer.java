package dev.sluice.spring;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;

/**
 * Explains a startup failure of Boot's own data source for a {@code jdbc:sluice:} {@code
 * spring.datasource.url}: Boot does not know the URL, so without Sluice's auto-configuration it
 * finds no driver class ("Failed to determine a suitable driver class"), or picks an embedded
 * database's driver that then refuses the URL (H2's "claims to not accept jdbcUrl"). This analyzer
 * ships with the auto-configuration, so it runs only where that is on the class path but was not
 * applied to the context (excluded, or a context that imports its auto-configurations itself); it
 * says what to import. Without this module on the class path nothing of Sluice's takes part in
 * Boot's startup (sluice-core has no Spring dependency), which is why the README tells Spring users
 * to add it. Runs before Boot's own data source analyzer, whose advice (add an embedded database)
 * would mislead here. Registered in {@code META-INF/spring.factories}. Stateless.
 */
final class SluiceUrlFailureAnalyzer implements FailureAnalyzer, Ordered {
  private final Environment environment;

  SluiceUrlFailureAnalyzer(Environment environment) {
    this.environment = environment;
  }

  @Override
  public FailureAnalysis analyze(Throwable failure) {
    // Boot passes no environment when the failure came before the context existed.
    String url =
        environment == null ? null : environment.getProperty(OnSluiceUrlCondition.URL_PROPERTY);
    if (url == null
        || !url.regionMatches(
            true,
            0,
            OnSluiceUrlCondition.SLUICE_PREFIX,
            0,
            OnSluiceUrlCondition.SLUICE_PREFIX.length())) {
      return null;
    }
    Throwable cause = bootsDriverFailure(failure);
    if (cause == null) {
      return null;
    }
    return new FailureAnalysis(
        "spring.datasource.url is a Sluice URL ("
            + url
            + "), but Spring Boot's own DataSource auto-configuration made the data source, and it"
            + " does not know that URL:\n\n    "
            + cause.getMessage()
            + "\n\nSluice's auto-configuration (dev.sluice.spring.SluiceAutoConfiguration) is on"
            + " the class path but was not applied to this context.",
        "If it is excluded (spring.autoconfigure.exclude, or exclude on"
            + " @SpringBootApplication / @EnableAutoConfiguration), remove the exclusion. If this"
            + " context imports its auto-configurations itself (@ImportAutoConfiguration, a test"
            + " slice of your own), import dev.sluice.spring.SluiceAutoConfiguration too."
            + " Otherwise define the DataSource bean yourself with SluiceDataSource.builder().",
        cause);
  }

  /** The failure of Boot's pool to find or use a driver for the URL, or null. */
  private static Throwable bootsDriverFailure(Throwable failure) {
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Throwable t = failure; t != null && seen.add(t); t = t.getCause()) {
      String message = t.getMessage();
      if (message != null
          && (message.contains("Failed to determine a suitable driver class")
              || message.contains("claims to not accept jdbcUrl"))) {
        return t;
      }
    }
    return null;
  }

  @Override
  public int getOrder() {
    return Ordered.HIGHEST_PRECEDENCE;
  }
}
