package dev.sluice.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.sluice.SluiceDataSource;
import dev.sluice.SluiceDriver;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * What a benchmark runs its statements through, opened on one database file. The pools lend a
 * connection per operation, as applications use them; the raw connection is held for the whole
 * trial, the floor no pool can beat.
 *
 * <p>Not thread-safe: the benchmarks run in one thread.
 */
enum Target {
  /** One sqlite-jdbc connection, WAL and synchronous=NORMAL. */
  RAW,
  /** HikariCP (pool 10) over sqlite-jdbc, WAL and synchronous=NORMAL. */
  HIKARI,
  /** A {@code SluiceDataSource} with its defaults (WAL and synchronous=NORMAL among them). */
  SLUICE,
  /** Sluice through {@code DriverManager} and a {@code jdbc:sluice:sqlite:} URL. */
  SLUICE_URL,
  /**
   * The same URL through {@code SluiceDriver.connect} called directly: the URL path without {@code
   * DriverManager}'s own work (its scan of the registered drivers and their class loader checks).
   */
  SLUICE_DRIVER;

  /** Opens this target on a file whose schema exists; the caller closes the source. */
  Source open(Path file) throws SQLException {
    String sqlite = "jdbc:sqlite:" + file + "?journal_mode=WAL&synchronous=NORMAL";
    switch (this) {
      case RAW:
        Connection held = DriverManager.getConnection(sqlite);
        return new Source() {
          @Override
          public Connection borrow() {
            return held;
          }

          @Override
          public void release(Connection c) {}

          @Override
          public void close() throws SQLException {
            held.close();
          }
        };
      case HIKARI:
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(sqlite);
        config.setMaximumPoolSize(10);
        HikariDataSource pool = new HikariDataSource(config);
        return new Pooled(pool::getConnection, pool::close);
      case SLUICE:
        SluiceDataSource sluice = SluiceDataSource.builder().url("jdbc:sqlite:" + file).build();
        return new Pooled(sluice::getConnection, sluice::close);
      case SLUICE_URL:
        String url = "jdbc:sluice:sqlite:" + file;
        // The engine behind the URL lives until the fork's JVM exits.
        return new Pooled(() -> DriverManager.getConnection(url), () -> {});
      case SLUICE_DRIVER:
        String direct = "jdbc:sluice:sqlite:" + file;
        SluiceDriver driver = new SluiceDriver();
        // DriverManager.getConnection(url) passes an empty Properties of its own.
        Properties none = new Properties();
        return new Pooled(() -> driver.connect(direct, none), () -> {});
      default:
        throw new IllegalStateException("unknown target " + this);
    }
  }

  /** Lends connections for one operation each. */
  interface Source extends AutoCloseable {
    Connection borrow() throws SQLException;

    void release(Connection c) throws SQLException;

    @Override
    void close() throws SQLException;
  }

  /** A source whose connections are returned by closing them. */
  private static final class Pooled implements Source {
    private final Lender lender;
    private final Closer closer;

    Pooled(Lender lender, Closer closer) {
      this.lender = lender;
      this.closer = closer;
    }

    @Override
    public Connection borrow() throws SQLException {
      return lender.get();
    }

    @Override
    public void release(Connection c) throws SQLException {
      c.close();
    }

    @Override
    public void close() throws SQLException {
      closer.close();
    }
  }

  @FunctionalInterface
  private interface Lender {
    Connection get() throws SQLException;
  }

  @FunctionalInterface
  private interface Closer {
    void close() throws SQLException;
  }
}
