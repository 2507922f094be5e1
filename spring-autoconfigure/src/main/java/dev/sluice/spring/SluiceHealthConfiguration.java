package dev.sluice.spring;

import dev.sluice.SluiceDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The {@code sluice} health indicator, only when Actuator's health classes are on the class path
 * and there is one {@link SluiceDataSource}. The class condition sits on this outer class and the
 * health conditions on the nested one because Spring loads every condition class of a configuration
 * class before it evaluates the first. Imported by {@link SluiceAutoConfiguration} after the data
 * source. The indicator looks the data source up when it is made, as a test slice's
 * {@code @AutoConfigureTestDatabase} may have replaced it after the conditions ran. Stateless.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass(
    name = {
      "org.springframework.boot.health.contributor.HealthIndicator",
      "org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator"
    })
final class SluiceHealthConfiguration {

  /** Defines the indicator; see the enclosing class for why it is nested. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnSingleCandidate(SluiceDataSource.class)
  @ConditionalOnEnabledHealthIndicator("sluice")
  static final class Indicator {

    @Bean
    @ConditionalOnMissingBean(name = "sluiceHealthIndicator")
    HealthIndicator sluiceHealthIndicator(
        ObjectProvider<SluiceDataSource> dataSource, ObjectProvider<MeterRegistry> meterRegistry) {
      SluiceDataSource sluice = dataSource.getIfUnique();
      if (sluice == null) {
        // Replaced after the conditions ran (a test slice's @AutoConfigureTestDatabase).
        return () ->
            Health.unknown().withDetail("reason", "no SluiceDataSource in this context").build();
      }
      // The same registry the data source got: Sluice falls back to the global one.
      return new SluiceHealthIndicator(
          sluice, meterRegistry.getIfAvailable(() -> Metrics.globalRegistry));
    }
  }
}
