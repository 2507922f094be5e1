package dev.sluice.liquibase;

import dev.sluice.SluiceDriver;
import liquibase.database.DatabaseConnection;
import liquibase.database.core.SQLiteDatabase;

/**
 * Lets Liquibase open {@code jdbc:sluice:sqlite:} URLs without a {@code driver} setting: given only
 * a URL (its command line, Maven plugin, {@code liquibase.properties} or the {@code url} argument
 * of its API), Liquibase asks each registered database for a default driver, and its own SQLite
 * database answers only {@code jdbc:sqlite:}. Registered in {@code
 * META-INF/services/liquibase.database.Database}, Liquibase's extension mechanism, so having this
 * jar on the class path is the whole setup.
 *
 * <p>Why it only names the driver: once connected, Liquibase picks the database by the connection's
 * product name, and a Sluice connection says "SQLite", so Liquibase's own SQLite support does the
 * work, exactly as with a Sluice {@code DataSource}. This database never claims a connection, and
 * its short name is its own, so nothing of Liquibase's is replaced.
 *
 * <p>Not for use as a database by itself. Thread-safe as Liquibase uses it: the driver lookup reads
 * no state.
 *
 * @since 0.1
 */
public final class SluiceLiquibaseDatabase extends SQLiteDatabase {
  static final String URL_PREFIX = "jdbc:sluice:sqlite:";

  /** Created by Liquibase's service locator. */
  public SluiceLiquibaseDatabase() {}

  @Override
  public String getDefaultDriver(String url) {
    return url != null && url.regionMatches(true, 0, URL_PREFIX, 0, URL_PREFIX.length())
        ? SluiceDriver.class.getName()
        : null;
  }

  @Override
  public boolean isCorrectDatabaseImplementation(DatabaseConnection conn) {
    return false;
  }

  @Override
  public String getShortName() {
    return "sluice-sqlite";
  }

  @Override
  protected String getDefaultDatabaseProductName() {
    return "SQLite through Sluice";
  }
}
