package dev.sluice.driver;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engines opened through the JDBC driver: one per database file and options in this JVM, so
 * every {@code DriverManager.getConnection} for the same URL shares one writer and one reader pool.
 * An engine closes a second after its last logical connection closed (and at JVM shutdown), so that
 * the file is then left as plain sqlite-jdbc leaves it; one whose file was deleted meanwhile is
 * replaced at the next connect. In-memory and temporary databases live as with plain sqlite-jdbc:
 * each connection has its own engine, closed with it, except that connections to one {@code
 * cache=shared} URI share an engine until the last of them closes. Thread-safe.
 */
public final class Engines {
  private static final Logger LOG = LoggerFactory.getLogger(Engines.class);
  private static final Map<String, Engine> ENGINES = new ConcurrentHashMap<>();

  /** Engines by the exact URL of a connect without properties: skips parsing on the hot path. */
  private static final Map<String, Engine> BY_URL = new ConcurrentHashMap<>();

  /** Engines of shared-cache in-memory databases, by engine key. Guarded by {@link #OPENING}. */
  private static final Map<String, Shared> SHARED = new HashMap<>();

  private static final ReentrantLock OPENING = new ReentrantLock();
  private static volatile boolean hookInstalled;

  private Engines() {}

  /**
   * A new logical connection for a URL and properties. A file URL seen before without properties
   * finds its engine without parsing again (DriverManager connects once per logical connection).
   */
  public static Connection connect(String url, Properties info) throws SQLException {
    boolean plain = info == null || info.isEmpty();
    if (plain) {
      Engine e = BY_URL.get(url);
      if (e != null && !e.isClosed()) {
        Connection c = connectTo(e);
        if (c != null) {
          return c;
        }
      }
    }
    Settings settings = Settings.parse(url, info);
    if (settings.singleConnection()) {
      return settings.sharedMemory() ? connectShared(settings) : connectPrivate(settings);
    }
    // An engine found retiring is closed under OPENING before get() looks again: two tries do.
    for (int attempt = 0; ; attempt++) {
      Engine e = get(settings);
      if (plain && BY_URL.putIfAbsent(url, e) == null) {
        e.onClose(() -> BY_URL.remove(url, e));
      }
      Connection c = connectTo(e);
      if (c != null || attempt == 2) {
        return c != null ? c : e.connect();
      }
    }
  }

  /**
   * How long an engine opened through the driver stays open after its last logical connection
   * closed: long enough that code taking a connection per statement keeps one engine, short enough
   * that the file is soon left as plain sqlite-jdbc leaves it once its last connection closes
   * (checkpointed, no {@code -wal}).
   */
  static final long IDLE_CLOSE_NANOS = TimeUnit.SECONDS.toNanos(60);

  /**
   * After this long without a connection an engine checkpoints once (TRUNCATE), so that the file
   * alone holds every commit, as plain sqlite-jdbc leaves it after its last close, while the engine
   * stays open: reopening one costs tens of milliseconds, which code taking a connection now and
   * then should not pay each time.
   */
  static final long IDLE_CHECKPOINT_NANOS = TimeUnit.SECONDS.toNanos(1);

  /**
   * An engine idle at least this long checks that its file is still there before it serves a new
   * connection, so that a database deleted after its connections closed (as tests do between runs)
   * is opened afresh, as plain sqlite-jdbc would, instead of through the old file's engine.
   */
  private static final long IDLE_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

  /**
   * A logical connection on {@code e}, or null when the engine retired (idle, or its file gone) and
   * is closed: the caller opens a new one.
   */
  private static Connection connectTo(Engine e) throws SQLException {
    Path file = e.settings().file();
    if (file != null && e.idleFor(IDLE_CHECK_NANOS) && !Files.exists(file)) {
      retire(e, 0);
      if (e.isClosed()) {
        return null;
      }
    }
    try {
      return e.connect();
    } catch (SQLException refused) {
      if (!e.isClosed() && !e.retired()) {
        throw refused;
      }
      // It retired between the lookup and the connect; wait for its close, then reopen.
      OPENING.lock();
      try {
        return null;
      } finally {
        OPENING.unlock();
      }
    }
  }

  /** Closes {@code e} if no connection has been open on it for {@code idleNanos}. */
  private static void retire(Engine e, long idleNanos) {
    OPENING.lock();
    try {
      if (!e.isClosed() && e.retireIfIdle(idleNanos)) {
        ENGINES.remove(e.settings().engineKey(), e);
        try {
          e.close();
        } catch (SQLException ex) {
          LOG.warn("Closing the idle engine {} failed", e.name(), ex);
        }
      }
    } finally {
      OPENING.unlock();
    }
  }

  /**
   * Checkpoints the engines opened through the driver that have had no connection for a second, and
   * closes those idle for a minute.
   */
  private static void closeIdle() {
    for (Engine e : ENGINES.values()) {
      if (e.idleFor(IDLE_CLOSE_NANOS)) {
        retire(e, IDLE_CLOSE_NANOS);
      } else if (e.idleFor(IDLE_CHECKPOINT_NANOS)) {
        e.checkpointWhenIdle();
      }
    }
  }

  /** A connection with an engine of its own, as {@code :memory:} has a database of its own. */
  private static Connection connectPrivate(Settings settings) throws SQLException {
    Engine engine = Engine.openPerConnection(settings);
    try {
      return new MemoryConnection(engine.connect(), engine::close);
    } catch (SQLException | RuntimeException e) {
      closeAfterFailure(engine, e);
      throw e;
    }
  }

  /**
   * A connection to a shared-cache in-memory database: SQLite keeps it while one connection to it
   * is open, so its engine closes with the last of its connections, and one opened later starts
   * empty.
   */
  private static Connection connectShared(Settings settings) throws SQLException {
    String key = settings.engineKey();
    OPENING.lock();
    try {
      Shared shared = SHARED.get(key);
      if (shared == null || shared.engine.isClosed()) {
        shared = new Shared(Engine.open(settings, null));
        SHARED.put(key, shared);
      }
      Connection c;
      try {
        c = shared.engine.connect();
      } catch (SQLException | RuntimeException e) {
        if (shared.connections == 0) {
          SHARED.remove(key, shared);
          closeAfterFailure(shared.engine, e);
        }
        throw e;
      }
      shared.connections++;
      Shared held = shared;
      return new MemoryConnection(c, () -> release(key, held));
    } finally {
      OPENING.unlock();
    }
  }

  /** One connection to a shared-cache in-memory database closed; the last closes its engine. */
  private static void release(String key, Shared shared) throws SQLException {
    OPENING.lock();
    try {
      shared.connections--;
      if (shared.connections == 0) {
        SHARED.remove(key, shared);
        // Under the lock: a connection opened meanwhile must not find the old database.
        shared.engine.close();
      }
    } finally {
      OPENING.unlock();
    }
  }

  private static void closeAfterFailure(Engine engine, Exception failure) {
    try {
      engine.close();
    } catch (SQLException suppressed) {
      failure.addSuppressed(suppressed);
    }
  }

  /** A shared-cache in-memory engine and how many connections use it. Guarded by OPENING. */
  private static final class Shared {
    final Engine engine;
    int connections;

    Shared(Engine engine) {
      this.engine = engine;
    }
  }

  /** The shared engine for these settings, opened on first use. */
  private static Engine get(Settings settings) throws SQLException {
    Engine e = ENGINES.get(settings.engineKey());
    if (e != null && !e.isClosed()) {
      return e;
    }
    OPENING.lock();
    try {
      e = ENGINES.get(settings.engineKey());
      if (e != null && !e.isClosed()) {
        return e;
      }
      warnIfSameFile(settings);
      Engine opened = Engine.open(settings, null);
      String key = settings.engineKey();
      opened.onClose(() -> ENGINES.remove(key, opened));
      ENGINES.put(key, opened);
      installHook();
      return opened;
    } finally {
      OPENING.unlock();
    }
  }

  private static void warnIfSameFile(Settings settings) {
    if (settings.file() == null) {
      return;
    }
    for (Engine other : ENGINES.values()) {
      if (settings.file().equals(other.settings().file())) {
        LOG.warn(
            "A second Sluice engine opens {} with other options; two writers on one file in one"
                + " JVM contend for the lock. Use the same URL and options everywhere.",
            settings.file());
      }
    }
  }

  private static void installHook() {
    if (hookInstalled) {
      return;
    }
    hookInstalled = true;
    Runtime.getRuntime().addShutdownHook(new Thread(Engines::closeAll, "sluice-shutdown"));
    ScheduledExecutorService idle =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "sluice-idle-engines");
              t.setDaemon(true);
              return t;
            });
    long period = TimeUnit.NANOSECONDS.toMillis(IDLE_CHECKPOINT_NANOS) / 4;
    // The task catches its own failures, so the future has nothing to report.
    var unused =
        idle.scheduleWithFixedDelay(
            () -> {
              try {
                closeIdle();
              } catch (RuntimeException e) {
                LOG.warn("Closing idle Sluice engines failed", e);
              }
            },
            period,
            period,
            TimeUnit.MILLISECONDS);
  }

  /**
   * Closes the shared engine of a file URL, if one is open (tests, and applications that redeploy).
   */
  public static void close(String url, Properties info) throws SQLException {
    Settings settings = Settings.parse(url, info);
    Engine e = ENGINES.get(settings.engineKey());
    if (e != null) {
      e.close();
    }
  }

  /** The engines opened through the driver and open now (for tests). */
  static java.util.List<Engine> openEngines() {
    return new ArrayList<>(ENGINES.values());
  }

  /** Closes every engine opened through the driver. */
  public static void closeAll() {
    for (Engine e : new ArrayList<>(ENGINES.values())) {
      try {
        e.close();
      } catch (SQLException ex) {
        LOG.warn("Closing {} failed", e.name(), ex);
      } catch (LinkageError gone) {
        // The class loader of this library was closed before the JVM's exit (a build tool's
        // plugin realm): the classes the close needs cannot load, nor can a logger's. The files
        // stay as a killed process leaves them, every commit in them; WAL recovery does the rest.
        return;
      }
    }
  }
}
