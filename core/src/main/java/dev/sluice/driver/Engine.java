package dev.sluice.driver;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import com.zaxxer.hikari.pool.HikariPool;
import dev.sluice.error.Errors;
import dev.sluice.jdbc.Physical;
import dev.sluice.metrics.Gauges;
import dev.sluice.metrics.Meters;
import dev.sluice.pragma.Pragmas;
import dev.sluice.retry.Breaker;
import dev.sluice.retry.Retry;
import dev.sluice.routing.Router;
import dev.sluice.writer.CommitWatch;
import dev.sluice.writer.SidecarLock;
import dev.sluice.writer.Writer;
import dev.sluice.writer.WriterGate;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import net.ttddyy.dsproxy.listener.QueryExecutionListener;
import net.ttddyy.dsproxy.listener.logging.SLF4JLogLevel;
import net.ttddyy.dsproxy.support.ProxyDataSourceBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One database file's Sluice: the writer, the reader pool, the pragmas, the meters and the
 * housekeeping thread, wired together once. Logical connections come from {@link #connect()}.
 *
 * <p>Thread-safe.
 */
public final class Engine implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Engine.class);

  /** Opens one physical connection with its pragmas applied and verified. */
  @FunctionalInterface
  interface PhysicalOpener {
    Connection open() throws SQLException;
  }

  /** Whether the note on in-memory databases has been logged at INFO (once per JVM). */
  private static final AtomicBoolean MEMORY_NOTED = new AtomicBoolean();

  private final Settings settings;
  private final Names.Claim claim;
  private final String name;
  private final Pragmas pragmas;
  private final Writer writer;
  private final HikariDataSource readers;
  private final Router router;
  private final DataSource proxy;
  private final Retry retry;
  private final Breaker breaker;
  private final Meters meters;
  private final Housekeeping housekeeping;
  private volatile boolean closed;
  private final List<Runnable> onClose = new java.util.concurrent.CopyOnWriteArrayList<>();

  /** Runs on every physical connection after its pragmas (the application's initializer). */
  private final ConnectionHook hook;

  private Engine(
      Settings settings,
      Names.Claim claim,
      MeterRegistry reg,
      List<QueryExecutionListener> listeners,
      ConnectionHook hook)
      throws SQLException {
    this.hook = hook;
    this.settings = settings;
    this.claim = claim;
    this.name = claim.name();
    this.pragmas = pragmas(settings);
    this.writer =
        new Writer(
            name,
            () -> openPhysical(false),
            TimeUnit.MILLISECONDS.toNanos(settings.writerAcquireTimeoutMillis()),
            TimeUnit.MILLISECONDS.toNanos(settings.writerHoldWarningMillis()),
            settings.processLock()
                    && settings.file() != null
                    && !settings.singleConnection()
                    && !settings.readOnly()
                ? SidecarLock.open(settings.file(), name)
                : SidecarLock.DISABLED,
            settings.singleConnection()
                ? CommitWatch.DISABLED
                : new CommitWatch(() -> openPhysical(true)),
            settings.writerStatementCache());
    this.housekeeping = new Housekeeping(settings, name, writer, () -> openPhysical(true));
    this.breaker =
        settings.breakerFailures() > 0
            ? new Breaker(
                name,
                settings.breakerFailures(),
                java.time.Duration.ofMillis(settings.breakerDelayMillis()))
            : Breaker.DISABLED;
    Meters m;
    try {
      m =
          !settings.metrics()
              ? Meters.noop()
              : Meters.micrometer(
                  reg, name, new Gauges(this::writerQueue, housekeeping::walBytes, breaker::state));
    } catch (IllegalStateException | IllegalArgumentException e) {
      writer.close();
      throw Errors.cannotOpen(
          "Cannot register the meters of \"" + name + "\": " + e.getMessage(), e);
    }
    this.meters = m;
    HikariDataSource pool = null;
    try {
      writer.start();
      if (settings.singleConnection()) {
        noteMemory();
      } else {
        pool = readerPool(reg);
      }
    } catch (SQLException | RuntimeException e) {
      meters.close();
      try {
        writer.close();
      } catch (SQLException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    this.readers = pool;
    this.retry =
        new Retry(
            settings.retry(),
            new Retry.Listener() {
              @Override
              public void retried(boolean write, boolean locked) {
                meters.retry(write, locked);
              }

              @Override
              public void exhausted(boolean write) {
                meters.retriesExhausted(write);
                if (write) {
                  breaker.holdFailed();
                }
              }
            });
    this.router =
        new Router(
            name,
            writer,
            readers,
            pragmas,
            meters,
            retry,
            breaker,
            settings.groupCommit() ? settings.groupMax() : 0,
            settings.readers(),
            settings.readerAcquireTimeoutMillis(),
            // Under 2000 ms stays off, as it was when HikariCP's leak detection did this.
            settings.readerLeakDetectionMillis() >= 2000 ? settings.readerLeakDetectionMillis() : 0,
            settings.readerStatementCache(),
            settings.reportsReadOnly(),
            () -> openPhysical(true));
    this.proxy = proxy(listeners);
    housekeeping.start(meters, router);
  }

  /**
   * The initializer {@code sluice.connectionInitializer} names: a class implementing {@code
   * dev.sluice.SluiceConnectionInitializer}, made once here and called through its {@code
   * initialize(Connection)} method (looked up once; physical connections open rarely).
   */
  private static ConnectionHook hook(Settings settings) throws SQLException {
    String name = settings.connectionInitializer();
    if (name.isEmpty()) {
      return ConnectionHook.NONE;
    }
    Object instance;
    java.lang.reflect.Method initialize;
    try {
      ClassLoader loader = Thread.currentThread().getContextClassLoader();
      Class<?> type =
          Class.forName(name, true, loader != null ? loader : Engine.class.getClassLoader());
      initialize = type.getMethod("initialize", Connection.class);
      instance = type.getConstructor().newInstance();
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      throw Errors.invalidOption(
          Option.CONNECTION_INITIALIZER.key(),
          name,
          "must name a public class with a public no-argument constructor implementing"
              + " dev.sluice.SluiceConnectionInitializer ("
              + e
              + ")");
    }
    return c -> {
      try {
        initialize.invoke(instance, c);
      } catch (java.lang.reflect.InvocationTargetException e) {
        if (e.getCause() instanceof SQLException sql) {
          throw sql;
        }
        throw Errors.cannotOpen("The connection initializer " + name + " failed", e.getCause());
      } catch (IllegalAccessException e) {
        throw Errors.cannotOpen("The connection initializer " + name + " cannot be called", e);
      }
    };
  }

  /** Opens an engine: the writer first (it creates the file and turns WAL on), then the readers. */
  public static Engine open(Settings settings, MeterRegistry registry) throws SQLException {
    return open(settings, registry, List.of());
  }

  /**
   * Opens an engine whose connections report to datasource-proxy listeners (and SLF4J query logging
   * when {@code sluice.log.*} asks for it).
   */
  public static Engine open(
      Settings settings, MeterRegistry registry, List<QueryExecutionListener> listeners)
      throws SQLException {
    return open(settings, registry, listeners, settings.nameGiven(), null);
  }

  /**
   * Opens an engine whose physical connections also run {@code hook} after their pragmas; a null
   * hook means the one {@code sluice.connectionInitializer} names, if any.
   */
  public static Engine open(
      Settings settings,
      MeterRegistry registry,
      List<QueryExecutionListener> listeners,
      ConnectionHook hook)
      throws SQLException {
    return open(settings, registry, listeners, settings.nameGiven(), hook);
  }

  /**
   * Opens the engine of one connection to a private in-memory or temporary database: several are
   * open at once for one URL, so even a given {@code sluice.name} is made unique ({@code memory},
   * {@code memory-2}, ...).
   */
  static Engine openPerConnection(Settings settings) throws SQLException {
    return open(settings, null, List.of(), false, null);
  }

  private static Engine open(
      Settings settings,
      MeterRegistry registry,
      List<QueryExecutionListener> listeners,
      boolean exactName,
      ConnectionHook hook)
      throws SQLException {
    MeterRegistry reg = registry == null ? Metrics.globalRegistry : registry;
    Names.Claim claim = Names.LIVE.claim(settings, settings.metrics() ? reg : null, exactName);
    try {
      return new Engine(settings, claim, reg, listeners, hook != null ? hook : hook(settings));
    } catch (SQLException | RuntimeException | Error e) {
      claim.release();
      throw e;
    }
  }

  /**
   * In-memory and temporary databases are common in tests, where a line per connection would be
   * noise: the first says what happens, at INFO, the others only at DEBUG.
   */
  private void noteMemory() {
    if (MEMORY_NOTED.compareAndSet(false, true)) {
      LOG.info(
          "\"{}\" is an in-memory or temporary database: one connection serves its reads and"
              + " writes, without WAL. Through jdbc:sluice:sqlite: URLs each connection to such a"
              + " database has its own, closed with it (a cache=shared URI is shared while one of"
              + " its connections is open), as with sqlite-jdbc; a SluiceDataSource keeps one for"
              + " its lifetime. Logged once; the others at DEBUG.",
          name);
    } else {
      LOG.debug("\"{}\" is an in-memory or temporary database on one connection", name);
    }
  }

  /** A datasource-proxy around logical connections, or null when nothing listens (no cost). */
  private DataSource proxy(List<QueryExecutionListener> listeners) {
    if (listeners.isEmpty() && !settings.logQueries() && settings.slowQueryMillis() == 0) {
      return null;
    }
    ProxyDataSourceBuilder b =
        ProxyDataSourceBuilder.create(name, new OpenerSource(router::connect))
            .listener(new RouteListener());
    for (QueryExecutionListener l : listeners) {
      b.listener(l);
    }
    if (settings.logQueries()) {
      b.logQueryBySlf4j(SLF4JLogLevel.DEBUG);
    }
    if (settings.slowQueryMillis() > 0) {
      b.logSlowQueryBySlf4j(settings.slowQueryMillis(), TimeUnit.MILLISECONDS, SLF4JLogLevel.WARN);
    }
    return b.build();
  }

  private static Pragmas pragmas(Settings settings) throws SQLException {
    Pragmas.Builder b = Pragmas.builder();
    if (settings.singleConnection()) {
      b.clear("journal_mode");
      b.clear("mmap_size");
    }
    if (settings.readOnly()) {
      // Opened read-only, the file keeps its journal mode, as on plain: Sluice cannot switch it.
      b.clear("journal_mode");
    }
    for (Map.Entry<String, String> e : settings.pragmas().entrySet()) {
      if ("default".equalsIgnoreCase(e.getValue())) {
        b.clear(e.getKey());
      } else {
        b.set(e.getKey(), e.getValue());
      }
    }
    for (String r : settings.relaxed()) {
      b.relax(r);
    }
    return b.build();
  }

  private HikariDataSource readerPool(MeterRegistry registry) throws SQLException {
    HikariConfig hc = new HikariConfig();
    hc.setDataSource(new OpenerSource(this::openReader));
    hc.setPoolName(name + "-readers");
    hc.setMaximumPoolSize(settings.readers());
    hc.setMinimumIdle(settings.readers());
    hc.setConnectionTimeout(Math.max(250, settings.readerAcquireTimeoutMillis()));
    hc.setAutoCommit(true);
    // HikariCP sets its read-only flag on every connection it lends; sqlite-jdbc refuses a change
    // of it on a connection opened read-only through open_mode (then this flag is true too).
    hc.setReadOnly(settings.reportsReadOnly());
    // No HikariCP leak detection: the router's ReaderHolds does it without a lock per borrow.
    if (settings.metrics()) {
      hc.setMetricRegistry(registry);
    }
    try {
      return new HikariDataSource(hc);
    } catch (HikariPool.PoolInitializationException e) {
      if (e.getCause() instanceof SQLException) {
        throw (SQLException) e.getCause();
      }
      throw Errors.cannotOpen("Cannot start the reader pool of " + name, e);
    }
  }

  /**
   * Reader connections this engine opened. HikariCP's shutdown "aborts" connections still in use,
   * which sqlite-jdbc ignores: close() closes what is left here, so no file stays open.
   */
  private final java.util.Set<Connection> openedReaders =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  private Connection openReader() throws SQLException {
    Connection c = openPhysical(true);
    openedReaders.removeIf(Engine::isClosedQuietly);
    openedReaders.add(c);
    return c;
  }

  private static boolean isClosedQuietly(Connection c) {
    try {
      return c.isClosed();
    } catch (SQLException e) {
      return true;
    }
  }

  private void runHook(Connection c) throws SQLException {
    try {
      hook.onOpen(c);
    } catch (SQLException e) {
      throw Errors.cannotOpen(
          "The connection initializer failed on a new connection of \"" + name + "\": " + e, e);
    }
  }

  /** Opens a physical connection and applies the writer's or a reader's pragmas. */
  private Connection openPhysical(boolean reader) throws SQLException {
    // The writer reads last_insert_rowid() itself, with one prepared statement (Router).
    Properties props =
        settings.sqliteProperties(reader ? Map.of() : Map.of("jdbc.get_generated_keys", "false"));
    Connection c;
    try {
      c = org.sqlite.JDBC.createConnection(settings.sqliteUrl(), props);
    } catch (SQLException e) {
      throw Errors.translateOpen(
          e, settings.file() == null ? settings.sqliteUrl() : settings.file().toString());
    }
    try {
      if (!reader) {
        // Reads the header: a file that is not a database (or is corrupt) fails here, by name.
        try (Statement s = c.createStatement()) {
          s.executeQuery("SELECT count(*) FROM sqlite_master").close();
          if (!settings.singleConnection() && !settings.readOnly()) {
            // SQLite opens a file it may not write read-only, silently: find out now, not at
            // the first write.
            long version;
            try (java.sql.ResultSet r = s.executeQuery("PRAGMA user_version")) {
              r.next();
              version = r.getLong(1);
            }
            s.execute("BEGIN IMMEDIATE");
            try {
              // Rewrites the header with the same value, then rolls back: nothing changes.
              s.execute("PRAGMA user_version = " + version);
            } finally {
              s.execute("ROLLBACK");
            }
          }
        } catch (SQLException e) {
          throw Errors.translateOpen(e, String.valueOf(settings.file()));
        }
      }
      if (reader) {
        pragmas.applyToReader(c);
        runHook(c);
      } else {
        pragmas.applyToWriter(c);
        // The key sentinel's table (WriterGate), made outside any transaction of a user's.
        try (Statement s = c.createStatement()) {
          s.execute("CREATE TEMP TABLE IF NOT EXISTS " + WriterGate.SENTINEL_TABLE + "(x)");
        }
        runHook(c);
      }
      return c;
    } catch (SQLException | RuntimeException e) {
      try {
        c.close();
      } catch (SQLException suppressed) {
        e.addSuppressed(suppressed);
      }
      if (e instanceof SQLException sql && sql.getSQLState() == null) {
        throw Errors.translateOpen(sql, String.valueOf(settings.file()));
      }
      throw e;
    }
  }

  private int writerQueue() {
    Router r = this.router;
    return r == null ? writer.queueLength() : r.writerQueueLength();
  }

  /** The checkpointer, for tests that run it step by step. */
  Housekeeping housekeeping() {
    return housekeeping;
  }

  /** The engine's writer, for tests of what holds it. */
  Writer writer() {
    return writer;
  }

  /** The engine's retry, for units of work ({@code inTransaction}). */
  public Retry retry() {
    return retry;
  }

  public Settings settings() {
    return settings;
  }

  /**
   * The name in use: {@code sluice.name} as given, or the file name made unique among live engines
   * ({@code app}, {@code app-2}, ...). The {@code datasource} tag of the meters.
   */
  public String name() {
    return name;
  }

  /** A new logical connection. */
  public Connection connect() throws SQLException {
    return proxy == null ? router.connect() : proxy.getConnection();
  }

  /** Work done on one connection inside one transaction. */
  @FunctionalInterface
  public interface Unit<T> {
    T run(Connection connection) throws SQLException;
  }

  /**
   * Runs {@code unit} in one transaction on a fresh logical connection and commits; on SQLITE_BUSY,
   * SQLITE_LOCKED or 40001 the whole unit is rolled back and run again under the retry policy. Any
   * other failure rolls back and is thrown.
   */
  public <T> T inTransaction(boolean readOnly, Unit<T> unit) throws SQLException {
    Retry.Attempt<T> attempt =
        () -> {
          try (Connection c = connect()) {
            c.setReadOnly(readOnly);
            c.setAutoCommit(false);
            T result;
            try {
              result = unit.run(c);
              c.commit();
            } catch (SQLException | RuntimeException | Error e) {
              try {
                c.rollback();
              } catch (SQLException rollbackFailure) {
                e.addSuppressed(rollbackFailure);
              }
              throw e;
            }
            return result;
          }
        };
    return readOnly ? retry.read(attempt) : retry.write(attempt);
  }

  public boolean isClosed() {
    return closed;
  }

  /** Whether no logical connection of this engine has been open for at least {@code nanos}. */
  boolean idleFor(long nanos) {
    return router.idleFor(nanos);
  }

  /**
   * If no logical connection has been open for at least {@code nanos}, refuses new ones from now on
   * and answers true; the caller closes the engine.
   */
  boolean retireIfIdle(long nanos) {
    return router.retireIfIdle(nanos);
  }

  /** The idle period whose checkpoint ran ({@link Router#idleSince}); idle-closer thread only. */
  private long checkpointedIdleSince;

  /**
   * Once per idle period: with no connection open, a TRUNCATE checkpoint, so that the database file
   * alone holds every commit soon after the last connection closed, as plain sqlite-jdbc leaves it,
   * while the engine stays open for the next connection. Skipped when checkpoints are external, or
   * when the writer is busy (someone is at work again).
   */
  void checkpointWhenIdle() {
    long since = router.idleSince();
    if (since == checkpointedIdleSince || closed || settings.externalCheckpoints()) {
      return;
    }
    checkpointedIdleSince = since;
    housekeeping.truncateIfWriterFree();
  }

  /** Whether {@link #retireIfIdle} let this engine go (it refuses new connections). */
  boolean retired() {
    return router.retired();
  }

  /**
   * Physical connections in use now: readers lent out by the pool plus the writer while held. For
   * pool metadata (Spring Boot's {@code jdbc.connections.active}); overflow readers, opened for one
   * use beside a held connection, are not counted. 0 once closed.
   */
  public int activeConnections() {
    if (closed) {
      return 0;
    }
    HikariPoolMXBean pool = readers == null ? null : readers.getHikariPoolMXBean();
    return (pool == null ? 0 : pool.getActiveConnections()) + (writer.isHeld() ? 1 : 0);
  }

  /** Physical connections open and free now: idle pooled readers plus the writer when free. */
  public int idleConnections() {
    if (closed) {
      return 0;
    }
    HikariPoolMXBean pool = readers == null ? null : readers.getHikariPoolMXBean();
    return (pool == null ? 0 : pool.getIdleConnections()) + (writer.isHeld() ? 0 : 1);
  }

  /** The most pooled physical connections: {@code sluice.readers} plus the writer (1 in memory). */
  public int maxConnections() {
    return (readers == null ? 0 : settings.readers()) + 1;
  }

  void onClose(Runnable r) {
    onClose.add(r);
  }

  /**
   * Stops new work, waits a bounded time for work in flight, checkpoints the WAL (TRUNCATE), runs
   * {@code PRAGMA optimize} and closes every connection.
   */
  @Override
  public void close() throws SQLException {
    if (closed) {
      return;
    }
    closed = true;
    router.close();
    housekeeping.stop();
    try {
      if (readers != null) {
        readers.close();
        for (Connection c : openedReaders) {
          try {
            c.close();
          } catch (SQLException e) {
            LOG.debug("Closing a reader left in use at close failed", e);
          }
        }
        openedReaders.clear();
      }
      writer.close(
          TimeUnit.MILLISECONDS.toNanos(settings.closeTimeoutMillis()),
          c -> {
            router.beforeWriterClose(c);
            try (Statement s = c.createStatement()) {
              // A writer a fault left inside a transaction: nothing acknowledged is in it.
              if (Physical.inTransaction(c)) {
                s.execute("ROLLBACK");
              }
              if (!settings.readOnly()) {
                if (!settings.singleConnection() && !settings.externalCheckpoints()) {
                  s.execute("PRAGMA main.wal_checkpoint(TRUNCATE)");
                }
                s.execute("PRAGMA main.optimize");
              }
            } catch (SQLException e) {
              // Close never throws an unmapped exception (a full disk fails the checkpoint: 53100).
              throw Errors.translate(e);
            }
          });
      try {
        // The group commit's thread has been told to stop; it ends once it sees the writer closed.
        router.awaitClosed(TimeUnit.SECONDS.toNanos(1));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    } finally {
      meters.close();
      // After the meters are gone, so that an engine reopened under this name can register them.
      claim.release();
      onClose.forEach(Runnable::run);
    }
  }
}
