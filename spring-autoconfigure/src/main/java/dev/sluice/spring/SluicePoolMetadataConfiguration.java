package dev.sluice.spring;

import dev.sluice.SluiceDataSource;
import org.springframework.boot.jdbc.DataSourceUnwrapper;
import org.springframework.boot.jdbc.metadata.DataSourcePoolMetadataProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Describes every {@link SluiceDataSource} of the context, the auto-configured one or one the
 * application built, to Boot's pool metadata: Actuator's {@code jdbc.connections.*} meters and the
 * {@code db} health indicator's validation query come from it. Answers nothing for other data
 * sources. Imported by {@link SluiceAutoConfiguration}. Stateless.
 */
@Configuration(proxyBeanMethods = false)
final class SluicePoolMetadataConfiguration {

  @Bean
  DataSourcePoolMetadataProvider sluicePoolDataSourceMetadataProvider() {
    return dataSource -> {
      SluiceDataSource sluice = DataSourceUnwrapper.unwrap(dataSource, SluiceDataSource.class);
      return sluice == null ? null : new SluicePoolMetadata(sluice);
    };
  }
}
