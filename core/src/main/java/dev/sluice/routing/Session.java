package dev.sluice.routing;

import dev.sluice.pragma.PragmaScope;
import dev.sluice.pragma.Pragmas;
import dev.sluice.writer.WriterSession;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The connection-scoped pragmas a logical connection set (design.md, Session state): recorded here
 * instead of pinning the single writer, applied to the writer whenever this logical connection uses
 * it, and answered when the connection reads them back. A pool's {@code connectionInitSql} of
 * {@code PRAGMA foreign_keys=ON}, an ORM's per-connection setup and a migration's {@code PRAGMA
 * foreign_keys=OFF} thus behave as on a connection of their own and hold nothing.
 *
 * <p>Immutable; a change makes a new instance. Equal sessions need no change of the writer, so the
 * writes of many connections with the same settings still share one group commit.
 */
final class Session implements WriterSession {
  /** Pragmas with no read form: their engine value is SQLite's default. */
  private static final Map<String, String> WRITE_ONLY = Map.of("case_sensitive_like", "0");

  private final Router router;

  /** Pragma name to canonical value, only those that this connection set. */
  private final Map<String, String> values;

  /** Known at construction (the values never change): asked twice per read. */
  private final boolean affectsReads;

  Session(Router router, Map<String, String> values) {
    this.router = router;
    this.values = values;
    this.affectsReads = affectsReads(values);
  }

  static boolean handles(String pragma) {
    return PragmaScope.isSession(pragma);
  }

  /**
   * This session with {@code pragma} set to {@code value}.
   *
   * @return null when {@code value} is not a valid value of the pragma (then SQLite decides)
   */
  Session with(String pragma, String value) {
    String canonical = Pragmas.normalize(pragma, value);
    if (canonical == null) {
      return null;
    }
    Map<String, String> v = new HashMap<>(values);
    v.put(pragma, canonical);
    return new Session(router, Map.copyOf(v));
  }

  /** The value this connection set for {@code pragma}, or null if it set none. */
  String value(String pragma) {
    return values.get(pragma);
  }

  /** Whether this session changes what a read returns (then readers get it while in use). */
  boolean affectsReads() {
    return affectsReads;
  }

  private static boolean affectsReads(Map<String, String> values) {
    for (String name : values.keySet()) {
      if (PragmaScope.of(name) == PragmaScope.SESSION_READS) {
        return true;
      }
    }
    return false;
  }

  /**
   * Applies the read-affecting values to a reader; with {@code restore}, sets them back to the
   * engine's values before the reader returns to the pool.
   */
  void applyToReader(Connection reader, boolean restore) throws SQLException {
    Map<String, String> defaults = router.sessionDefaults(reader);
    try (Statement s = reader.createStatement()) {
      for (Map.Entry<String, String> e : values.entrySet()) {
        if (PragmaScope.of(e.getKey()) == PragmaScope.SESSION_READS) {
          String v = restore ? defaults.get(e.getKey()) : e.getValue();
          if (v != null) {
            s.execute("PRAGMA " + e.getKey() + "=" + v);
          }
        }
      }
    }
  }

  @Override
  public void applyTo(Connection writer, WriterSession previous) throws SQLException {
    Map<String, String> defaults = router.sessionDefaults(writer);
    Map<String, String> before =
        previous instanceof Session p && p.router == router ? p.values : Map.of();
    Set<String> names = new TreeSet<>(values.keySet());
    names.addAll(before.keySet());
    try (Statement s = writer.createStatement()) {
      for (String name : names) {
        String want = values.getOrDefault(name, defaults.get(name));
        String had = before.getOrDefault(name, defaults.get(name));
        if (want != null && !want.equals(had)) {
          s.execute("PRAGMA " + name + "=" + want);
        }
      }
    }
  }

  /** Reads a session pragma's value on a physical connection, as its canonical form. */
  static String readPragma(Connection c, String name) throws SQLException {
    String fixed = WRITE_ONLY.get(name);
    if (fixed != null) {
      return fixed;
    }
    try (Statement s = c.createStatement();
        ResultSet r = s.executeQuery("PRAGMA " + name)) {
      return r.next() ? Pragmas.normalize(name, r.getString(1)) : null;
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Session other && other.router == router && other.values.equals(values);
  }

  @Override
  public int hashCode() {
    return values.hashCode();
  }

  @Override
  public String toString() {
    return "Session" + values;
  }
}
