package dev.sluice.driver;

import dev.sluice.error.Errors;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The names of the engines alive in this JVM, so that two engines never report under one {@code
 * datasource} tag. A name derived from the file gets the first free suffix ({@code app}, {@code
 * app-2}, ...), so files of one name in several folders, or one database per test class, open side
 * by side. A name given with {@code sluice.name} is kept as given, and refused at open while a live
 * engine registers meters under it in the same registry: dashboards select on that name, so quietly
 * reporting under another would hide the second engine. (A {@code :memory:} URL opens one engine
 * per connection, so its given name is made unique like a derived one.) Taken before an engine
 * opens, given back after it has closed and removed its meters.
 *
 * <p>Thread-safe: one lock around a small map, taken only when an engine opens or closes.
 */
final class Names {
  /** The names of every engine in this JVM, whichever way it was opened. */
  static final Names LIVE = new Names();

  private final ReentrantLock lock = new ReentrantLock();
  private final Map<String, List<Claim>> claims = new HashMap<>();

  /** The derived name each database last had (guarded by {@link #lock}). */
  private final Map<String, String> lastNames = new HashMap<>();

  /** A name held by one engine until {@link #release()}. Thread-safe. */
  final class Claim {
    private final String name;
    private final MeterRegistry registry;
    private final String database;

    private Claim(String name, MeterRegistry registry, String database) {
      this.name = name;
      this.registry = registry;
      this.database = database;
    }

    /** The name in use: the {@code datasource} tag and the prefix of thread and pool names. */
    String name() {
      return name;
    }

    /** Gives the name back; idempotent. */
    void release() {
      lock.lock();
      try {
        List<Claim> holders = claims.get(name);
        if (holders != null && holders.remove(this) && holders.isEmpty()) {
          claims.remove(name);
        }
      } finally {
        lock.unlock();
      }
    }
  }

  /**
   * Takes a name for an engine about to open.
   *
   * @param registry where the engine registers its meters, or null when it registers none
   * @param exact whether the name must be {@link Settings#name()} itself (a given {@code
   *     sluice.name}) rather than a unique name derived from it
   * @throws SQLException 08001 when an exact name is taken by a live engine whose meters are in the
   *     same registry
   */
  Claim claim(Settings settings, MeterRegistry registry, boolean exact) throws SQLException {
    String database = settings.file() == null ? settings.sqliteUrl() : settings.file().toString();
    lock.lock();
    try {
      String name = settings.name();
      if (exact) {
        for (Claim other : claims.getOrDefault(name, List.of())) {
          if (registry != null && other.registry == registry) {
            throw Errors.cannotOpen(
                "sluice.name \""
                    + name
                    + "\" is already used by the open Sluice engine on "
                    + other.database
                    + ", whose meters are in the same MeterRegistry. Close that engine first, or"
                    + " give each engine its own sluice.name.",
                null);
          }
        }
      } else {
        // A database opened again takes the name it had, if free, whatever closed meanwhile:
        // its meters go on under one name across a restart.
        String before = settings.file() == null ? null : lastNames.get(database);
        if (before != null && !claims.containsKey(before)) {
          name = before;
        }
        for (int n = 2; claims.containsKey(name); n++) {
          name = settings.name() + "-" + n;
        }
        if (settings.file() != null) {
          lastNames.put(database, name);
        }
      }
      Claim claim = new Claim(name, registry, database);
      claims.computeIfAbsent(name, k -> new ArrayList<>(1)).add(claim);
      return claim;
    } finally {
      lock.unlock();
    }
  }
}
