package dev.sluice.driver;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engines opened through the JDBC driver: one per database file and options in this JVM, so
 * every {@code DriverManager.getConnection} for the same URL shares one writer and one reader pool.
 * Closed at JVM shutdown. Thread-safe.
 */
public final class Engines {
  private static final Logger LOG = LoggerFactory.getLogger(Engines.class);
  private static final Map<String, Engine> ENGINES = new ConcurrentHashMap<>();

  /** Engines by the exact URL of a connect without properties: skips parsing on the hot path. */
  private static final Map<String, Engine> BY_URL = new ConcurrentHashMap<>();

  private static final ReentrantLock OPENING = new ReentrantLock();
  private static volatile boolean hookInstalled;

  private Engines() {}

  /**
   * The shared engine for a URL and properties. A URL seen before without properties finds its
   * engine without parsing again (DriverManager connects once per logical connection).
   */
  public static Engine get(String url, java.util.Properties info) throws SQLException {
    boolean plain = info == null || info.isEmpty();
    if (plain) {
      Engine e = BY_URL.get(url);
      if (e != null && !e.isClosed()) {
        return e;
      }
    }
    Engine e = get(Settings.parse(url, info));
    if (plain && BY_URL.putIfAbsent(url, e) == null) {
      e.onClose(() -> BY_URL.remove(url, e));
    }
    return e;
  }

  /** The shared engine for these settings, opened on first use. */
  public static Engine get(Settings settings) throws SQLException {
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

  /** Closes every engine opened through the driver. */
  public static void closeAll() {
    for (Engine e : new ArrayList<>(ENGINES.values())) {
      try {
        e.close();
      } catch (SQLException ex) {
        LOG.warn("Closing {} failed", e.settings().name(), ex);
      }
    }
  }
}
