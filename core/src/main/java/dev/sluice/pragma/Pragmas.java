package dev.sluice.pragma;

import dev.sluice.error.Errors;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pragmas one engine wants on each of its physical connections. {@link #applyToWriter} and
 * {@link #applyToReader} run {@code PRAGMA name=value} for each and read it back, because SQLite
 * may ignore a value without an error (WAL on a network file system, a clamped number); a different
 * read-back value fails the open unless the user relaxed that pragma. {@link #checkRuntimeChange}
 * refuses statements that would change an applied pragma later.
 *
 * <p>Only names from a fixed list and values that are integers or plain keywords reach SQL, so no
 * user text is ever concatenated into a statement. Immutable and thread-safe; a connection passed
 * to the apply methods must not be used by another thread meanwhile.
 */
public final class Pragmas {
  /** The option whose value lists the pragmas whose read-back value only logs a warning. */
  public static final String VERIFY_OPTION = "sluice.pragma.relax";

  /** Prefix of the option that sets a pragma, e.g. {@code sluice.pragma.synchronous}. */
  public static final String OPTION_PREFIX = "sluice.pragma.";

  private static final Logger LOG = LoggerFactory.getLogger(Pragmas.class);
  private static final Pattern NAME = Pattern.compile("[a-z_]+");
  private static final Pattern VALUE = Pattern.compile("[+-]?[0-9]+|[A-Za-z_]+");
  private static final String QUERY_ONLY = KnownPragma.QUERY_ONLY.sqlName;
  private static final String LOCKING_MODE = "locking_mode";
  private static final PragmaSetting QUERY_ONLY_ON = new PragmaSetting(QUERY_ONLY, "1", true);
  private static final Map<String, String> DEFAULTS = defaults();

  private final List<PragmaSetting> writer;
  private final List<PragmaSetting> reader;
  private final Map<String, String> wanted;

  private Pragmas(List<PragmaSetting> settings) {
    this.writer = List.copyOf(settings);
    List<PragmaSetting> r = new ArrayList<>(settings);
    // Last, so that no pragma before it is blocked by it.
    r.add(QUERY_ONLY_ON);
    this.reader = List.copyOf(r);
    Map<String, String> w = new HashMap<>();
    for (PragmaSetting p : settings) {
      w.put(p.name(), p.value());
    }
    this.wanted = Map.copyOf(w);
  }

  /** A builder that starts from Sluice's defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** What every writer connection gets, in the order applied. */
  public List<PragmaSetting> writerSettings() {
    return writer;
  }

  /**
   * What every reader connection gets: the writer's settings, then {@code query_only=1}. A reader
   * runs {@code journal_mode=...} only if the database is not in that mode already (it only
   * verifies it otherwise), so readers never take the lock a mode change needs.
   */
  public List<PragmaSetting> readerSettings() {
    return reader;
  }

  /**
   * Applies and verifies the writer's pragmas.
   *
   * @throws SQLException 08001 naming the pragma, wanted and actual value when a verified pragma
   *     reads back differently; SQLite's own error if a pragma statement fails
   */
  public void applyToWriter(Connection connection) throws SQLException {
    apply(connection, writer, false);
  }

  /**
   * Applies and verifies the reader's pragmas; see {@link #readerSettings()}.
   *
   * @throws SQLException as {@link #applyToWriter}
   */
  public void applyToReader(Connection connection) throws SQLException {
    apply(connection, reader, true);
  }

  /**
   * Refuses a statement that sets a pragma Sluice applies to a value that differs from the applied
   * one; setting the same value is a harmless no-op and passes. {@code query_only} is refused
   * whatever the value, because it differs by role (1 on readers, 0 on the writer). A read ({@code
   * requestedValue} null) and pragmas Sluice does not apply always pass.
   *
   * @param name the pragma as written, possibly quoted or with a schema ({@code main.journal_mode})
   * @param requestedValue the value as written, or null for a read
   * @throws SQLException 0A000 when refused
   */
  public void checkRuntimeChange(String name, String requestedValue) throws SQLException {
    if (requestedValue == null) {
      return;
    }
    String n = baseName(name);
    if (n.equals(QUERY_ONLY)) {
      throw Errors.pragmaRefused(n, "1 on readers and 0 on the writer", requestedValue);
    }
    if (n.equals(LOCKING_MODE) && !"normal".equals(normalize(n, requestedValue))) {
      // Every open connection of a WAL database holds a shared lock on it, Sluice's idle readers
      // too: an exclusive writer would wait for them forever, and every write fail as busy.
      throw Errors.lockingModeRefused(requestedValue);
    }
    String value = wanted.get(n);
    if (value == null) {
      return;
    }
    String requested = normalize(n, requestedValue);
    if (requested == null || !requested.equals(normalize(n, value))) {
      throw Errors.pragmaRefused(n, value, requestedValue);
    }
  }

  /**
   * Whether Sluice applies this pragma on its connections (relaxed ones included) or manages it
   * ({@code query_only}), so that a statement may not change it.
   */
  public boolean isEnforced(String name) {
    String n = baseName(name);
    return n.equals(QUERY_ONLY) || wanted.containsKey(n);
  }

  /**
   * The value applied for this pragma as configured (e.g. "WAL"), or null if Sluice does not apply
   * it; null for {@code query_only}, whose value depends on the role.
   */
  public String wanted(String name) {
    return wanted.get(baseName(name));
  }

  /**
   * A pragma value in the form {@code PRAGMA name} reads it back: lower-case text for journal_mode,
   * the number for keyword pragmas (synchronous NORMAL is "1", temp_store MEMORY "2", booleans "0"
   * or "1"), a decimal integer for numbers. Quotes are stripped. For a pragma Sluice does not know,
   * the unquoted lower-case text (or decimal integer).
   *
   * @return the normalised value, or null if {@code value} is null or not a valid value of a known
   *     pragma
   */
  public static String normalize(String name, String value) {
    if (value == null) {
      return null;
    }
    KnownPragma k = KnownPragma.of(baseName(name));
    if (k != null) {
      return k.canonical(value);
    }
    String v = KnownPragma.unquote(value.trim()).toLowerCase(Locale.ROOT);
    try {
      return Long.toString(Long.parseLong(v));
    } catch (NumberFormatException e) {
      return v;
    }
  }

  @Override
  public String toString() {
    return "Pragmas" + writer;
  }

  private static void apply(Connection connection, List<PragmaSetting> settings, boolean isReader)
      throws SQLException {
    try (Statement s = connection.createStatement()) {
      for (PragmaSetting p : settings) {
        KnownPragma k = KnownPragma.of(p.name());
        String want = k.canonical(p.value());
        String actual = null;
        boolean done = false;
        if (isReader && k == KnownPragma.JOURNAL_MODE) {
          actual = read(s, p.name());
          done = actual != null && want.equals(k.canonical(actual));
        }
        if (!done) {
          if (s.execute("PRAGMA " + p.name() + "=" + p.value())) {
            s.getResultSet().close();
          }
          actual = read(s, p.name());
        }
        verify(k, p, want, actual);
      }
    } catch (SQLException e) {
      throw Errors.translate(e);
    }
  }

  /** The value {@code PRAGMA name} returns, or null if it returns no row. */
  private static String read(Statement s, String name) throws SQLException {
    if (!s.execute("PRAGMA " + name)) {
      return null;
    }
    try (ResultSet rs = s.getResultSet()) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  private static void verify(KnownPragma k, PragmaSetting p, String want, String actual)
      throws SQLException {
    String got = actual == null ? null : k.canonical(actual);
    if (want.equals(got)) {
      return;
    }
    // No row at all is how SQLite reports mmap_size where memory mapping is unavailable (:memory:).
    if (k.capped
        && (actual == null || (got != null && Long.parseLong(got) < Long.parseLong(want)))) {
      LOG.debug(
          "PRAGMA {} is {}, wanted {}: capped by this SQLite build or database, not an error",
          p.name(),
          actual,
          p.value());
      return;
    }
    String shown = actual == null ? "unknown (no value read back)" : k.describe(actual);
    if (!p.verified()) {
      LOG.warn(
          "PRAGMA {} is {}, wanted {}; going on because {} relaxes it",
          p.name(),
          shown,
          p.value(),
          VERIFY_OPTION);
      return;
    }
    throw Errors.pragmaMismatch(p.name(), p.value(), shown, VERIFY_OPTION + "=" + p.name());
  }

  /** The lower-case pragma name without quotes or schema. */
  private static String baseName(String name) {
    if (name == null) {
      return "";
    }
    String n = KnownPragma.unquote(name.trim());
    int dot = n.lastIndexOf('.');
    if (dot >= 0) {
      n = KnownPragma.unquote(n.substring(dot + 1).trim());
    }
    return n.toLowerCase(Locale.ROOT);
  }

  private static Map<String, String> defaults() {
    Map<String, String> d = new LinkedHashMap<>();
    // First, while the driver's longer open-time busy timeout still covers the lock it may need.
    d.put("journal_mode", "WAL");
    d.put("synchronous", "NORMAL");
    // Short: Sluice's own retry does the waiting, and counts it.
    d.put("busy_timeout", "100");
    d.put("journal_size_limit", Long.toString(64L * 1024 * 1024));
    d.put("temp_store", "MEMORY");
    d.put("cache_size", "-16000");
    d.put("mmap_size", Long.toString(128L * 1024 * 1024));
    return Collections.unmodifiableMap(d);
  }

  /**
   * Collects the wanted pragmas. Starts from Sluice's defaults: journal_mode=WAL,
   * synchronous=NORMAL, busy_timeout=100, journal_size_limit=67108864 (64 MiB), temp_store=MEMORY,
   * cache_size=-16000 (16 MB), mmap_size=134217728 (128 MiB); foreign_keys is applied only when
   * set. Names are case-insensitive. Not thread-safe; {@link #build} copies, so later calls do not
   * change a built {@link Pragmas}.
   */
  public static final class Builder {
    private final Map<String, String> values = new LinkedHashMap<>(DEFAULTS);
    private final Set<String> relaxed = new LinkedHashSet<>();

    private Builder() {}

    /** Applies {@code name=value}, replacing a default. Checked in {@link #build}. */
    public Builder set(String name, String value) {
      values.put(key(name), String.valueOf(value).trim());
      return this;
    }

    /** A different read-back value of this pragma only logs a warning instead of failing. */
    public Builder relax(String name) {
      relaxed.add(key(name));
      return this;
    }

    /** Does not apply this pragma at all (e.g. journal_mode on a memory database). */
    public Builder clear(String name) {
      values.remove(key(name));
      return this;
    }

    /**
     * Validates and copies.
     *
     * @throws SQLException 08001 for an unknown pragma name, for query_only (managed by Sluice), or
     *     for a value that is not valid for its pragma, naming the option {@code
     *     sluice.pragma.<name>} (or {@value Pragmas#VERIFY_OPTION} for relaxed names)
     */
    public Pragmas build() throws SQLException {
      List<PragmaSetting> settings = new ArrayList<>();
      for (Map.Entry<String, String> e : values.entrySet()) {
        String name = e.getKey();
        String value = e.getValue();
        String option = OPTION_PREFIX + name;
        KnownPragma k = known(name);
        if (k == null) {
          throw Errors.invalidOption(
              option, value, "is not a pragma Sluice can set; known: " + KnownPragma.names());
        }
        if (k == KnownPragma.QUERY_ONLY) {
          throw Errors.invalidOption(
              option, value, "cannot be set: Sluice sets it to 1 on readers and 0 on the writer");
        }
        if (!VALUE.matcher(value).matches() || k.canonical(value) == null) {
          throw Errors.invalidOption(option, value, k.requirement());
        }
        char first = value.charAt(0);
        boolean keyword = first == '_' || Character.isLetter(first);
        String applied = keyword ? value.toUpperCase(Locale.ROOT) : k.canonical(value);
        settings.add(new PragmaSetting(name, applied, !relaxed.contains(name)));
      }
      for (String name : relaxed) {
        KnownPragma k = known(name);
        if (k == null || k == KnownPragma.QUERY_ONLY) {
          throw Errors.invalidOption(
              VERIFY_OPTION,
              name,
              "must name pragmas Sluice can set (query_only excluded); known: "
                  + KnownPragma.names());
        }
      }
      return new Pragmas(settings);
    }

    private static String key(String name) {
      return String.valueOf(name).trim().toLowerCase(Locale.ROOT);
    }

    private static KnownPragma known(String name) {
      return NAME.matcher(name).matches() ? KnownPragma.of(name) : null;
    }
  }
}
