package dev.sluice.pragma;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The SQLite pragmas Sluice lets a user set on every connection, and how SQLite reads each value
 * back. Only per-connection settings whose value {@code PRAGMA name} returns are listed; pragmas
 * stored in the database file (page_size, auto_vacuum, user_version), commands (optimize,
 * wal_checkpoint) and pragmas that would break the one-writer design (locking_mode) are not.
 * Immutable and thread-safe.
 */
enum KnownPragma {
  JOURNAL_MODE(Kind.JOURNAL_MODE),
  SYNCHRONOUS(Kind.SYNCHRONOUS),
  TEMP_STORE(Kind.TEMP_STORE),
  SECURE_DELETE(Kind.SECURE_DELETE),
  AUTOMATIC_INDEX(Kind.BOOLEAN),
  CELL_SIZE_CHECK(Kind.BOOLEAN),
  CHECKPOINT_FULLFSYNC(Kind.BOOLEAN),
  FOREIGN_KEYS(Kind.BOOLEAN),
  FULLFSYNC(Kind.BOOLEAN),
  IGNORE_CHECK_CONSTRAINTS(Kind.BOOLEAN),
  LEGACY_ALTER_TABLE(Kind.BOOLEAN),
  QUERY_ONLY(Kind.BOOLEAN),
  READ_UNCOMMITTED(Kind.BOOLEAN),
  RECURSIVE_TRIGGERS(Kind.BOOLEAN),
  REVERSE_UNORDERED_SELECTS(Kind.BOOLEAN),
  TRUSTED_SCHEMA(Kind.BOOLEAN),
  ANALYSIS_LIMIT(0, Integer.MAX_VALUE, false),
  // SQLite keeps busy_timeout and cache_size in an int and silently ignores or wraps larger values.
  BUSY_TIMEOUT(0, Integer.MAX_VALUE, false),
  CACHE_SIZE(-Integer.MAX_VALUE, Integer.MAX_VALUE, false),
  JOURNAL_SIZE_LIMIT(-1, Long.MAX_VALUE, false),
  MAX_PAGE_COUNT(1, 4_294_967_294L, false),
  // Capped by the build (SQLITE_MAX_MMAP_SIZE, SQLITE_MAX_WORKER_THREADS): a lower read-back is
  // the build's limit, not a refusal.
  MMAP_SIZE(0, Long.MAX_VALUE, true),
  THREADS(0, Integer.MAX_VALUE, true),
  WAL_AUTOCHECKPOINT(0, Integer.MAX_VALUE, false);

  /** How a pragma's value is written and read back. Immutable. */
  enum Kind {
    /** Text, read back in lower case. */
    JOURNAL_MODE(List.of("delete", "truncate", "persist", "memory", "wal", "off"), -1, false),
    /** Keywords read back as their index. SQLite also takes the boolean words here. */
    SYNCHRONOUS(List.of("off", "normal", "full", "extra"), 3, true),
    TEMP_STORE(List.of("default", "file", "memory"), 2, false),
    // SQLite reads the integer 2 as a boolean (1); only the keyword FAST gives 2.
    SECURE_DELETE(List.of("off", "on", "fast"), 1, true),
    BOOLEAN(List.of("off", "on"), 1, true),
    INTEGER(List.of(), -1, false);

    @SuppressWarnings("ImmutableEnumChecker") // always List.of(...): immutable
    final List<String> keywords;

    final int maxInteger;
    final boolean booleanWords;

    Kind(List<String> keywords, int maxInteger, boolean booleanWords) {
      this.keywords = keywords;
      this.maxInteger = maxInteger;
      this.booleanWords = booleanWords;
    }
  }

  private static final Pattern INTEGER = Pattern.compile("[+-]?[0-9]+");
  private static final Map<String, KnownPragma> BY_NAME = new TreeMap<>();

  static {
    for (KnownPragma p : values()) {
      BY_NAME.put(p.sqlName, p);
    }
  }

  final String sqlName;
  final Kind kind;
  final long min;
  final long max;
  final boolean capped;

  KnownPragma(Kind kind) {
    this(kind, 0, kind.maxInteger, false);
  }

  KnownPragma(long min, long max, boolean capped) {
    this(Kind.INTEGER, min, max, capped);
  }

  KnownPragma(Kind kind, long min, long max, boolean capped) {
    this.sqlName = name().toLowerCase(Locale.ROOT);
    this.kind = kind;
    this.min = min;
    this.max = max;
    this.capped = capped;
  }

  /** The pragma with this lower-case name, or null. */
  static KnownPragma of(String name) {
    return BY_NAME.get(name);
  }

  /** The names of all known pragmas, sorted. */
  static List<String> names() {
    return List.copyOf(BY_NAME.keySet());
  }

  /**
   * The value as {@code PRAGMA name} reads it back (lower-case text or a decimal integer), or null
   * if SQLite would not take it as a value of this pragma.
   */
  String canonical(String value) {
    String v = unquote(value.trim()).toLowerCase(Locale.ROOT);
    if (INTEGER.matcher(v).matches()) {
      long n;
      try {
        n = Long.parseLong(v);
      } catch (NumberFormatException e) {
        return null;
      }
      return n >= min && n <= max ? Long.toString(n) : null;
    }
    if (kind == Kind.JOURNAL_MODE) {
      return kind.keywords.contains(v) ? v : null;
    }
    int index = kind.keywords.indexOf(v);
    if (index >= 0) {
      return Integer.toString(index);
    }
    if (kind.booleanWords) {
      if (v.equals("on") || v.equals("yes") || v.equals("true")) {
        return "1";
      }
      if (v.equals("no") || v.equals("false")) {
        return "0";
      }
    }
    return null;
  }

  /** A read-back value for messages: keyword kinds show the keyword too, e.g. "FULL (2)". */
  String describe(String actual) {
    String c = canonical(actual);
    if (c == null || kind == Kind.INTEGER || kind == Kind.JOURNAL_MODE) {
      return actual;
    }
    return kind.keywords.get(Integer.parseInt(c)).toUpperCase(Locale.ROOT) + " (" + c + ")";
  }

  /** What a valid value looks like, for an invalid-option message. */
  String requirement() {
    switch (kind) {
      case JOURNAL_MODE:
        return "must be one of " + upper(kind.keywords);
      case INTEGER:
        return "must be an integer from " + min + " to " + max;
      case BOOLEAN:
        return "must be ON or OFF (or TRUE/FALSE, YES/NO, 1/0)";
      default:
        return "must be one of " + upper(kind.keywords) + " or an integer from 0 to " + max;
    }
  }

  private static String upper(List<String> keywords) {
    return String.join(", ", keywords).toUpperCase(Locale.ROOT);
  }

  /** Strips one pair of SQL quotes ('', "", ``, []) around an identifier or value. */
  static String unquote(String s) {
    if (s.length() >= 2) {
      char first = s.charAt(0);
      char last = s.charAt(s.length() - 1);
      if (((first == '\'' || first == '"' || first == '`') && last == first)
          || (first == '[' && last == ']')) {
        return s.substring(1, s.length() - 1).trim();
      }
    }
    return s;
  }
}
