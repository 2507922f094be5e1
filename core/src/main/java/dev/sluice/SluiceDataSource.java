package dev.sluice;

import dev.sluice.driver.Engine;
import dev.sluice.driver.Option;
import dev.sluice.driver.RouteListener;
import dev.sluice.driver.Settings;
import dev.sluice.error.Errors;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.logging.Logger;
import javax.sql.DataSource;
import net.ttddyy.dsproxy.listener.QueryExecutionListener;

/**
 * A {@link DataSource} over one SQLite database: reads run in parallel on a pool of reader
 * connections, writes one at a time on a single writer, every connection gets the same verified
 * pragmas. Build it with {@link #builder()}; close it when the application stops.
 *
 * <pre>{@code
 * try (SluiceDataSource ds = SluiceDataSource.builder().url("jdbc:sqlite:app.db").build()) {
 *   try (Connection c = ds.getConnection()) { ... }
 * }
 * }</pre>
 *
 * <p>Thread-safe. Connections it hands out are, like any JDBC connection, for one thread at a time.
 *
 * @since 0.1
 */
public final class SluiceDataSource implements DataSource, AutoCloseable {
  /**
   * Custom value of a datasource-proxy {@code ExecutionInfo} after a statement: {@code "read"} or
   * {@code "write"}, where it ran.
   */
  public static final String ROUTE = RouteListener.ROUTE;

  /** Custom value (Boolean): whether the statement was retried after SQLITE_BUSY/LOCKED. */
  public static final String RETRIED = RouteListener.RETRIED;

  private final Engine engine;
  private PrintWriter logWriter;
  private int loginTimeout;

  private SluiceDataSource(Engine engine) {
    this.engine = engine;
  }

  /** A builder with every option at its default. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public Connection getConnection() throws SQLException {
    return engine.connect();
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    return engine.connect();
  }

  /**
   * Runs {@code work} in one read-write transaction and commits it. When the transaction fails
   * because the database was busy or locked (SQLITE_BUSY, SQLITE_LOCKED, SQLState 40001), it is
   * rolled back and the whole unit runs again, with exponential backoff and jitter, within the
   * {@code sluice.retry.*} bounds; so {@code work} must be safe to run more than once (no side
   * effects outside the connection). Any other failure rolls back and is thrown as is.
   *
   * @return what {@code work} returned in the attempt that committed
   * @throws SQLException the failure of the unit, or 40001 when retries are exhausted
   */
  public <T> T inTransaction(SluiceWork<T> work) throws SQLException {
    return engine.inTransaction(false, work::run);
  }

  /**
   * Runs {@code work} in one read-only transaction on a reader: one consistent snapshot. Writes
   * fail with 25006. Retried like {@link #inTransaction}.
   */
  public <T> T inReadOnlyTransaction(SluiceWork<T> work) throws SQLException {
    return engine.inTransaction(true, work::run);
  }

  /**
   * The data source name: the {@code datasource} tag of its meters. It is {@code sluice.name} as
   * given, or else the database file name without extension, made unique among the open data
   * sources of this JVM ({@code app}, {@code app-2}, ...).
   */
  public String getName() {
    return engine.name();
  }

  /**
   * Physical connections in use now: reader connections lent out plus the writer while it is held.
   * For pool monitoring (Spring Boot's {@code jdbc.connections.active}); 0 once closed.
   *
   * @since 0.2
   */
  public int getActiveConnections() {
    return engine.activeConnections();
  }

  /**
   * Physical connections open and free now: idle reader connections plus the writer when free.
   *
   * @since 0.2
   */
  public int getIdleConnections() {
    return engine.idleConnections();
  }

  /**
   * The most pooled physical connections: {@code sluice.readers} plus the single writer (1 for an
   * in-memory database, which runs on one connection).
   *
   * @since 0.2
   */
  public int getMaxConnections() {
    return engine.maxConnections();
  }

  /** Whether {@link #close()} was called. */
  public boolean isClosed() {
    return engine.isClosed();
  }

  /**
   * Refuses new work, waits a bounded time ({@code sluice.close.timeout}) for work in flight,
   * checkpoints the WAL, runs {@code PRAGMA optimize} and closes every connection.
   */
  @Override
  public void close() throws SQLException {
    engine.close();
  }

  @Override
  public PrintWriter getLogWriter() {
    return logWriter;
  }

  @Override
  public void setLogWriter(PrintWriter out) {
    this.logWriter = out;
  }

  @Override
  public void setLoginTimeout(int seconds) {
    this.loginTimeout = seconds;
  }

  @Override
  public int getLoginTimeout() {
    return loginTimeout;
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    throw Errors.unsupported("java.util.logging (Sluice logs through SLF4J)");
  }

  /**
   * Unwraps to this data source only: the reader pool inside is not the application's pool, so it
   * is never handed out (frameworks would bind their pool metrics and settings to it).
   */
  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    if (iface.isInstance(this)) {
      return iface.cast(this);
    }
    throw Errors.unsupported("unwrap(" + iface.getName() + ") of a SluiceDataSource");
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) {
    return iface.isInstance(this);
  }

  @Override
  public String toString() {
    return "SluiceDataSource[" + engine.name() + "]";
  }

  /**
   * Builds a {@link SluiceDataSource}. Takes the same options as the URL. Not thread-safe; each
   * {@link #build()} copies what it has, so a builder can be reused.
   *
   * @since 0.1
   */
  public static final class Builder {
    private String url;
    private final Map<String, String> properties = new LinkedHashMap<>();
    private MeterRegistry meterRegistry;
    private final List<QueryExecutionListener> listeners = new ArrayList<>();
    private SluiceConnectionInitializer initializer;

    Builder() {}

    /**
     * Adds a datasource-proxy listener: it sees every statement, and after each one the custom
     * values {@link SluiceDataSource#ROUTE} and {@link SluiceDataSource#RETRIED} of the {@code
     * ExecutionInfo}. With no listener (and no {@code sluice.log.*} option) no proxy is made.
     */
    public Builder listener(QueryExecutionListener listener) {
      listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /** The database: {@code jdbc:sqlite:<file>[?params]} or {@code jdbc:sluice:sqlite:...}. */
    public Builder url(String url) {
      this.url = Objects.requireNonNull(url, "url");
      return this;
    }

    /**
     * Sets a {@code sluice.*} option or a sqlite-jdbc property by name, as in the URL (for example
     * {@code option("sluice.readers", "4")} or {@code option("foreign_keys", "on")}).
     */
    public Builder option(String name, String value) {
      properties.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, name));
      return this;
    }

    /**
     * The data source name ({@code sluice.name}): the {@code datasource} tag of its meters. Without
     * it, the file name is used, made unique among open data sources; a given name is kept, and
     * {@link #build()} fails while another open data source reports under it to the same registry.
     */
    public Builder name(String name) {
      return option(Option.NAME.key(), name);
    }

    /** The reader pool size ({@code sluice.readers}). */
    public Builder readers(int readers) {
      return option(Option.READERS.key(), Integer.toString(readers));
    }

    /** How long a write waits for the writer ({@code sluice.writer.acquireTimeout}). */
    public Builder writerAcquireTimeout(Duration timeout) {
      return option(Option.WRITER_ACQUIRE_TIMEOUT.key(), Long.toString(timeout.toMillis()));
    }

    /** Sets a pragma on every connection ({@code sluice.pragma.<name>}). */
    public Builder pragma(String name, String value) {
      return option(Option.PRAGMA.key() + name, value);
    }

    /**
     * Runs on every physical connection (the writer and each reader) after its pragmas: register
     * user functions, collations and extensions here. Takes precedence over {@code
     * sluice.connectionInitializer}.
     *
     * @since 0.2
     */
    public Builder connectionInitializer(SluiceConnectionInitializer initializer) {
      this.initializer = Objects.requireNonNull(initializer, "initializer");
      return this;
    }

    /** Where meters go; by default Micrometer's global registry. */
    public Builder meterRegistry(MeterRegistry registry) {
      this.meterRegistry = registry;
      return this;
    }

    /**
     * Validates the options, opens the database (writer first, then the readers) and returns the
     * data source.
     *
     * @throws SQLException 08001 when an option is invalid, the database cannot be opened, or the
     *     given {@code sluice.name} is used by an open data source whose meters go to the same
     *     registry
     */
    public SluiceDataSource build() throws SQLException {
      if (url == null) {
        throw Errors.cannotOpen("No URL given; call url(\"jdbc:sqlite:<file>\") first.", null);
      }
      Properties p = new Properties();
      p.putAll(properties);
      SluiceConnectionInitializer init = initializer;
      return new SluiceDataSource(
          Engine.open(
              Settings.parse(url, p),
              meterRegistry,
              List.copyOf(listeners),
              init == null ? null : init::initialize));
    }
  }
}
