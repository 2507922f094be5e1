package dev.sluice.spring;

import dev.sluice.SluiceDataSource;
import dev.sluice.SluiceDriver;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.ConfigurationPropertyState;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.core.env.Environment;

/**
 * The {@code spring.datasource.*} settings Sluice cannot use, reported instead of silently ignored:
 * a password fails the startup (SQLite has none, and an application that sets one may expect an
 * encrypted file), a user name, a driver class or pool type other than Sluice's, and the settings
 * of Boot's own pools ({@code spring.datasource.hikari.*}, ...) are logged as warnings once, at
 * startup. Stateless, thread-safe.
 */
final class DataSourceSettings {
  private static final Logger LOG = LoggerFactory.getLogger(DataSourceSettings.class);
  private static final List<String> POOLS = List.of("hikari", "tomcat", "dbcp2", "oracleucp");

  private DataSourceSettings() {}

  static void check(Environment environment, JdbcConnectionDetails details) {
    String password = details.getPassword();
    if (password != null && !password.isEmpty()) {
      throw new IllegalStateException(
          "spring.datasource.password is set, but SQLite has no passwords and Sluice does not"
              + " encrypt the database file: the password would be ignored. Remove"
              + " spring.datasource.password.");
    }
    String user = details.getUsername();
    if (user != null && !user.isBlank()) {
      LOG.warn(
          "spring.datasource.username ({}) is ignored: SQLite has no user accounts."
              + " Remove it to silence this warning.",
          user);
    }
    Binder binder = Binder.get(environment);
    String driver = binder.bind("spring.datasource.driver-class-name", String.class).orElse(null);
    if (driver != null && !driver.equals(SluiceDriver.class.getName())) {
      LOG.warn(
          "spring.datasource.driver-class-name ({}) is ignored: Sluice's data source opens SQLite"
              + " itself. Remove it to silence this warning.",
          driver);
    }
    String type = binder.bind("spring.datasource.type", String.class).orElse(null);
    if (type != null && !type.equals(SluiceDataSource.class.getName())) {
      LOG.warn(
          "spring.datasource.type ({}) is ignored: the data source of a jdbc:sluice: URL is a {}."
              + " Remove it to silence this warning.",
          type,
          SluiceDataSource.class.getName());
    }
    for (String pool : POOLS) {
      ConfigurationPropertyName prefix = ConfigurationPropertyName.of("spring.datasource." + pool);
      if (present(environment, prefix)) {
        LOG.warn(
            "spring.datasource.{}.* is ignored: Sluice's data source is not a {} pool. Its reader"
                + " pool is sized by sluice.readers, its single writer by nothing; see the"
                + " sluice.* properties.",
            pool,
            pool);
      }
    }
  }

  private static boolean present(Environment environment, ConfigurationPropertyName prefix) {
    for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
      if (source.containsDescendantOf(prefix) == ConfigurationPropertyState.PRESENT) {
        return true;
      }
    }
    return false;
  }
}
