package dev.sluice.spring;

import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.flyway.autoconfigure.FlywayConnectionDetails;
import org.springframework.boot.liquibase.autoconfigure.LiquibaseConnectionDetails;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Connection details for Flyway and Liquibase whose own URL ({@code spring.flyway.url}, {@code
 * spring.liquibase.url}) is a {@code jdbc:sluice:} one, so that a migration of the application's
 * database runs through its data source bean rather than a second engine ({@link MigrationTarget}).
 * Boot's own details back off for these (they run after this configuration). Each tool's class
 * condition sits on its own nested class, as Spring loads a configuration's condition classes
 * before it evaluates them. Imported by {@link SluiceAutoConfiguration}. Stateless.
 */
@Configuration(proxyBeanMethods = false)
final class SluiceMigrationConfiguration {

  /** Flyway's details; see the enclosing class. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(
      name = "org.springframework.boot.flyway.autoconfigure.FlywayConnectionDetails")
  @Conditional(OnSluiceMigrationUrlCondition.Flyway.class)
  static final class Flyway {

    @Bean
    FlywayConnectionDetails sluiceFlywayConnectionDetails(Environment environment) {
      MigrationTarget target = MigrationTarget.of(environment, "spring.flyway");
      return new FlywayConnectionDetails() {
        @Override
        public String getJdbcUrl() {
          return target.url();
        }

        @Override
        public String getUsername() {
          return target.user();
        }

        @Override
        public String getPassword() {
          return target.password();
        }

        @Override
        public String getDriverClassName() {
          return target.driverClassName();
        }
      };
    }
  }

  /** Liquibase's details; see the enclosing class. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(
      name = "org.springframework.boot.liquibase.autoconfigure.LiquibaseConnectionDetails")
  @Conditional(OnSluiceMigrationUrlCondition.Liquibase.class)
  static final class Liquibase {

    @Bean
    LiquibaseConnectionDetails sluiceLiquibaseConnectionDetails(Environment environment) {
      MigrationTarget target = MigrationTarget.of(environment, "spring.liquibase");
      return new LiquibaseConnectionDetails() {
        @Override
        public String getJdbcUrl() {
          return target.url();
        }

        @Override
        public String getUsername() {
          return target.user();
        }

        @Override
        public String getPassword() {
          return target.password();
        }

        @Override
        public String getDriverClassName() {
          return target.driverClassName();
        }
      };
    }
  }
}
