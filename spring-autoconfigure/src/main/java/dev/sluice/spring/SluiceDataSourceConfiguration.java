package dev.sluice.spring;

import dev.sluice.SluiceConnectionInitializer;
import dev.sluice.SluiceDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * The {@link SluiceDataSource} bean, named {@code dataSource} as Boot's own, for a Sluice URL and
 * only when the application has no {@link DataSource} of its own. Imported by {@link
 * SluiceAutoConfiguration}; never component-scanned. A {@link SluiceConnectionInitializer} bean, if
 * there is exactly one, runs on every physical connection. Stateless.
 */
@Configuration(proxyBeanMethods = false)
@Conditional(OnSluiceUrlCondition.class)
@ConditionalOnMissingBean(DataSource.class)
final class SluiceDataSourceConfiguration {

  @Bean(destroyMethod = "close")
  SluiceDataSource dataSource(
      Environment environment,
      SluiceProperties properties,
      ObjectProvider<MeterRegistry> meterRegistry,
      ObjectProvider<SluiceConnectionInitializer> initializer)
      throws SQLException {
    SluiceDataSource.Builder builder =
        SluiceDataSource.builder()
            .url(environment.getRequiredProperty(OnSluiceUrlCondition.URL_PROPERTY));
    properties.options().forEach(builder::option);
    // A SluiceConnectionInitializer bean runs on every physical connection (functions, collations).
    initializer.ifUnique(builder::connectionInitializer);
    MeterRegistry registry = meterRegistry.getIfAvailable();
    if (registry != null) {
      builder.meterRegistry(registry);
    }
    return builder.build();
  }
}
