package dev.sluice;

import dev.sluice.driver.Engines;
import dev.sluice.driver.Option;
import dev.sluice.driver.Settings;
import dev.sluice.error.Errors;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Properties;
import java.util.logging.Logger;

/**
 * The JDBC driver for {@code jdbc:sluice:sqlite:<anything sqlite-jdbc accepts>} URLs. Registered
 * through {@code META-INF/services/java.sql.Driver}. Every connection for the same database file
 * and options shares one engine (one writer, one reader pool) in this JVM; engines close at JVM
 * shutdown. In-memory and temporary databases are as with sqlite-jdbc: {@code :memory:} is private
 * to its connection and gone when it closes; a {@code cache=shared} URI is shared while one of its
 * connections is open.
 *
 * <p>Thread-safe.
 *
 * @since 0.1
 */
public final class SluiceDriver implements Driver {
  static {
    try {
      DriverManager.registerDriver(new SluiceDriver());
    } catch (SQLException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** Creates the driver; applications use {@link DriverManager} instead. */
  public SluiceDriver() {}

  @Override
  public Connection connect(String url, Properties info) throws SQLException {
    if (!acceptsURL(url)) {
      return null;
    }
    return Engines.connect(url, info);
  }

  @Override
  public boolean acceptsURL(String url) {
    return Settings.accepts(url);
  }

  @Override
  public DriverPropertyInfo[] getPropertyInfo(String url, Properties info) throws SQLException {
    Option[] options = Option.values();
    // Every other property passes to sqlite-jdbc: tools that list a driver's properties show its
    // own too, with the value given where one is.
    DriverPropertyInfo[] sqlite = new org.sqlite.JDBC().getPropertyInfo(url, info);
    DriverPropertyInfo[] result = new DriverPropertyInfo[options.length + sqlite.length];
    for (int i = 0; i < options.length; i++) {
      Option o = options[i];
      DriverPropertyInfo p =
          new DriverPropertyInfo(
              o.key(),
              info == null ? o.defaultValue() : info.getProperty(o.key(), o.defaultValue()));
      p.description = o.description();
      p.required = false;
      result[i] = p;
    }
    for (int i = 0; i < sqlite.length; i++) {
      DriverPropertyInfo p = sqlite[i];
      if (info != null && info.getProperty(p.name) != null) {
        p.value = info.getProperty(p.name);
      }
      result[options.length + i] = p;
    }
    return result;
  }

  @Override
  public int getMajorVersion() {
    return 0;
  }

  @Override
  public int getMinorVersion() {
    return 1;
  }

  @Override
  public boolean jdbcCompliant() {
    // SQLite is not a full SQL-92 entry-level implementation.
    return false;
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    throw Errors.unsupported("java.util.logging (Sluice logs through SLF4J)");
  }
}
