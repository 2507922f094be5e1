package dev.sluice.driver;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engines opened through the JDBC driver: one per database file and options in this JVM, so
 * every {@code DriverManager.getConnection} for the same URL shares one writer and one reader pool;
 * closed at JVM shutdown. In-memory and temporary databases live as with plain sqlite-jdbc: each
 * connection has its own engine, closed with it, except that connections to one {@code
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
        return e.connect();
      }
    }
    Settings settings = Settings.parse(url, info);
    if (settings.singleConnection()) {
      return settings.sharedMemory() ? connectShared(settings) : connectPrivate(settings);
    }
    Engine e = get(settings);
    if (plain && BY_URL.putIfAbsent(url, e) == null) {
      e.onClose(() -> BY_URL.remove(url, e));
    }
    return e.connect();
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

  /** Closes every engine opened through the driver. */
  public static void closeAll() {
    for (Engine e : new ArrayList<>(ENGINES.values())) {
      try {
        e.close();
      } catch (SQLException ex) {
        LOG.warn("Closing {} failed", e.name(), ex);
      }
    }
  }
}
