package dev.sluice.spring;

import dev.sluice.SluiceConnectionInitializer;
import dev.sluice.SluiceDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.SQLException;
import java.util.Map;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.jdbc.autoconfigure.DataSourceProperties;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * The {@link SluiceDataSource} bean, named {@code dataSource} as Boot's own, for a Sluice URL and
 * only when the application has no {@link DataSource} of its own. The URL, user and password come
 * from the {@link JdbcConnectionDetails} bean, which, unless the application or a service
 * connection provides one, is made here from {@code spring.datasource.*} as Boot does for its
 * pools; {@code spring.datasource.name} names the data source when {@code sluice.name} is unset.
 * What Sluice cannot use is reported ({@link DataSourceSettings}). A {@link
 * SluiceConnectionInitializer} bean, if there is exactly one, runs on every physical connection.
 * Imported by {@link SluiceAutoConfiguration}; never component-scanned. Stateless.
 */
@Configuration(proxyBeanMethods = false)
@Conditional(OnSluiceUrlCondition.class)
@ConditionalOnMissingBean(DataSource.class)
// Also when Boot's DataSourceAutoConfiguration is excluded; registered once either way.
@EnableConfigurationProperties(DataSourceProperties.class)
final class SluiceDataSourceConfiguration {

  @Bean
  @ConditionalOnMissingBean(JdbcConnectionDetails.class)
  SluiceJdbcConnectionDetails jdbcConnectionDetails(DataSourceProperties properties) {
    return new SluiceJdbcConnectionDetails(properties);
  }

  @Bean(destroyMethod = "close")
  SluiceDataSource dataSource(
      Environment environment,
      SluiceProperties properties,
      DataSourceProperties dataSourceProperties,
      JdbcConnectionDetails connectionDetails,
      ObjectProvider<MeterRegistry> meterRegistry,
      ObjectProvider<SluiceConnectionInitializer> initializer)
      throws SQLException {
    DataSourceSettings.check(environment, connectionDetails);
    SluiceDataSource.Builder builder =
        SluiceDataSource.builder().url(connectionDetails.getJdbcUrl());
    Map<String, String> options = properties.options();
    String name = dataSourceProperties.getName();
    if (!options.containsKey("sluice.name") && name != null && !name.isBlank()) {
      builder.name(name);
    }
    options.forEach(builder::option);
    // A SluiceConnectionInitializer bean runs on every physical connection (functions, collations).
    initializer.ifUnique(builder::connectionInitializer);
    MeterRegistry registry = meterRegistry.getIfAvailable();
    if (registry != null) {
      builder.meterRegistry(registry);
    }
    return builder.build();
  }
}
