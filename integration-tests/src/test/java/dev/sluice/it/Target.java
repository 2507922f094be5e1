package dev.sluice.it;

import dev.sluice.SluiceDataSource;
import dev.sluice.driver.Engines;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * One database file reached one {@link Access} way, with {@code foreign_keys=on} as recommended (or
 * off): the URL a framework opens itself, or the {@code DataSource} an application hands it, and
 * connections for the application's own threads and for assertions. {@link #close()} closes the
 * data source, or the engine a {@code jdbc:sluice:} URL opened (through Sluice's internal {@code
 * Engines}, as a JVM exit would), so a test can reopen the file as a restarted application does.
 *
 * <p>Not thread-safe to open or close; {@link #connection()} may be called from several threads.
 */
final class Target implements AutoCloseable {
  private final Access access;
  private final Path file;
  private final MeterRegistry registry;
  private final boolean foreignKeys;
  private final DataSource dataSource;

  private Target(Access access, Path file, MeterRegistry registry, boolean foreignKeys)
      throws SQLException {
    this.access = access;
    this.file = file;
    this.registry = registry;
    this.foreignKeys = foreignKeys;
    this.dataSource = access.byUrl() ? null : dataSource(access, file, registry, foreignKeys);
  }

  /** Opens {@code file} the given way, Sluice's meters in a registry of its own. */
  static Target open(Access access, Path file) throws SQLException {
    return new Target(access, file, new SimpleMeterRegistry(), true);
  }

  /** Opens {@code file} the given way, Sluice's meters in {@code registry}. */
  static Target open(Access access, Path file, MeterRegistry registry) throws SQLException {
    return new Target(access, file, registry, true);
  }

  /** Opens {@code file} the given way with SQLite's default {@code foreign_keys=off}. */
  static Target openWithoutForeignKeys(Access access, Path file) throws SQLException {
    return new Target(access, file, new SimpleMeterRegistry(), false);
  }

  private static DataSource dataSource(
      Access access, Path file, MeterRegistry registry, boolean foreignKeys) throws SQLException {
    String fk = foreignKeys ? "on" : "off";
    if (access.sluice()) {
      return SluiceDataSource.builder()
          .url("jdbc:sqlite:" + file)
          .option("foreign_keys", fk)
          .meterRegistry(registry)
          .build();
    }
    SQLiteConfig config = new SQLiteConfig();
    config.enforceForeignKeys(foreignKeys);
    SQLiteDataSource plain = new SQLiteDataSource(config);
    plain.setUrl("jdbc:sqlite:" + file);
    return plain;
  }

  Access access() {
    return access;
  }

  MeterRegistry registry() {
    return registry;
  }

  /** The URL a framework opens itself: {@code jdbc:sqlite:} or {@code jdbc:sluice:sqlite:}. */
  String url() {
    return (access.sluice() ? "jdbc:sluice:sqlite:" : "jdbc:sqlite:")
        + file
        + (foreignKeys ? "?foreign_keys=on" : "?foreign_keys=off");
  }

  /** A plain sqlite-jdbc URL of the file, for reading it back beside the framework. */
  String plainUrl() {
    return "jdbc:sqlite:" + file;
  }

  /** The application's data source; only for the data source ways. */
  DataSource dataSource() {
    if (dataSource == null) {
      throw new IllegalStateException(access + " reaches the database by URL");
    }
    return dataSource;
  }

  /** A connection the way the application gets one. */
  Connection connection() throws SQLException {
    return access.byUrl() ? DriverManager.getConnection(url()) : dataSource.getConnection();
  }

  /** Runs a query on a plain sqlite-jdbc connection of its own and returns the first column. */
  List<Object> query(String sql) throws SQLException {
    List<Object> values = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(plainUrl());
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        values.add(rs.getObject(1));
      }
    }
    return values;
  }

  /** The single number a query answers, read by plain sqlite-jdbc. */
  long count(String sql) throws SQLException {
    return ((Number) query(sql).get(0)).longValue();
  }

  @Override
  public void close() throws SQLException {
    if (dataSource instanceof SluiceDataSource sluice) {
      sluice.close();
    } else if (access == Access.SLUICE_URL) {
      Engines.close(url(), null);
    }
  }

  @Override
  public String toString() {
    return access.toString();
  }
}
