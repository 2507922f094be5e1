package dev.sluice.spring;

import dev.sluice.SluiceDriver;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;

/**
 * Where a migration tool given its own {@code jdbc:sluice:} URL ({@code spring.flyway.url}, {@code
 * spring.liquibase.url}) should connect. When the URL names the database of {@code
 * spring.datasource.url} (the same path, whatever the parameters), it answers no URL, no user and
 * no password, which makes Boot migrate through the data source bean: one engine, one writer per
 * file, instead of a second engine beside the application's (two writers contending for SQLite's
 * lock). Another database gets its URL with Sluice's driver class, which Boot cannot find from the
 * URL. Immutable, thread-safe.
 */
final class MigrationTarget {
  private static final Logger LOG = LoggerFactory.getLogger(MigrationTarget.class);

  private final String url;
  private final String user;
  private final String password;

  private MigrationTarget(String url, String user, String password) {
    this.url = url;
    this.user = user;
    this.password = password;
  }

  /** The target for the migration settings under {@code prefix} ({@code spring.flyway}). */
  static MigrationTarget of(Environment environment, String prefix) {
    Binder binder = Binder.get(environment);
    String url = binder.bind(prefix + ".url", String.class).orElse(null);
    String user = binder.bind(prefix + ".user", String.class).orElse(null);
    String password = binder.bind(prefix + ".password", String.class).orElse(null);
    String dataSourceUrl =
        binder.bind(OnSluiceUrlCondition.URL_PROPERTY, String.class).orElse(null);
    if (url != null && dataSourceUrl != null && database(url).equals(database(dataSourceUrl))) {
      if (user != null || password != null) {
        LOG.warn(
            "{}.user and {}.password are ignored: {}.url names the database of {}, so the"
                + " migration runs through that data source (SQLite has no user accounts).",
            prefix,
            prefix,
            prefix,
            OnSluiceUrlCondition.URL_PROPERTY);
      }
      return new MigrationTarget(null, null, null);
    }
    return new MigrationTarget(url, user, password);
  }

  /** The database a SQLite URL names: the path without parameters and without the driver prefix. */
  static String database(String url) {
    String rest = url.trim();
    for (String prefix :
        new String[] {OnSluiceUrlCondition.SLUICE_PREFIX, OnSluiceUrlCondition.SQLITE_PREFIX}) {
      if (rest.toLowerCase(Locale.ROOT).startsWith(prefix)) {
        rest = rest.substring(prefix.length());
        break;
      }
    }
    int query = rest.indexOf('?');
    return query < 0 ? rest : rest.substring(0, query);
  }

  /** The URL to open, or null to use the data source bean. */
  String url() {
    return url;
  }

  String user() {
    return user;
  }

  String password() {
    return password;
  }

  /** Sluice's driver for a URL of its own; null (Boot's choice) for none. */
  String driverClassName() {
    return url == null ? null : SluiceDriver.class.getName();
  }
}
