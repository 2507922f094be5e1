package dev.sluice.flyway;

import dev.sluice.SluiceDriver;
import java.sql.Connection;
import org.flywaydb.core.internal.database.sqlite.SQLiteDatabaseType;

/**
 * Lets Flyway open {@code jdbc:sluice:sqlite:} URLs: its API ({@code dataSource(url, user,
 * password)}), command line, Maven and Gradle plugins pick a database type by the URL before they
 * have a connection, and Flyway's own SQLite type only answers {@code jdbc:sqlite:}. Registered in
 * {@code META-INF/services/org.flywaydb.core.extensibility.Plugin}, Flyway's plugin mechanism, so
 * having this jar on the class path is the whole setup.
 *
 * <p>Why it only answers the URL: once connected, Flyway chooses the type again by the connection's
 * database product name, and a Sluice connection says "SQLite", so Flyway's own SQLite support
 * (parser, schema history, clean) does the work, exactly as with a Sluice {@code DataSource}. This
 * type never claims a connection, so there is one SQLite type per connection and nothing of
 * Flyway's is copied or changed.
 *
 * <p>Thread-safe: stateless.
 *
 * @since 0.1
 */
public final class SluiceFlywayDatabaseType extends SQLiteDatabaseType {
  static final String URL_PREFIX = "jdbc:sluice:sqlite:";

  /** Created by Flyway's plugin register through {@link java.util.ServiceLoader}. */
  public SluiceFlywayDatabaseType() {}

  @Override
  public String getName() {
    return "SQLite through Sluice";
  }

  @Override
  public boolean handlesJDBCUrl(String url) {
    return url != null && url.regionMatches(true, 0, URL_PREFIX, 0, URL_PREFIX.length());
  }

  @Override
  public String getDriverClass(String url, ClassLoader classLoader) {
    return SluiceDriver.class.getName();
  }

  @Override
  public boolean handlesDatabaseProductNameAndVersion(
      String databaseProductName, String databaseProductVersion, Connection connection) {
    return false;
  }
}
