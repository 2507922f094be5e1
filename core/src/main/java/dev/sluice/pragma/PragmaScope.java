package dev.sluice.pragma;

import java.util.Map;

/**
 * Where a pragma's value lives, which decides what a statement that sets it does (design.md,
 * Session state): the one list of that knowledge. Pragmas Sluice applies at open are in {@link
 * KnownPragma}; a pragma in neither is connection state Sluice does not track.
 *
 * <p>Immutable, thread-safe.
 */
public enum PragmaScope {
  /** Stored in the database file, or a command on it: a plain write on the writer. */
  DATABASE,
  /** The logical connection's own setting, applied on the writer when it writes. */
  SESSION,
  /** Session state that also changes what a read returns: applied on readers too. */
  SESSION_READS;

  private static final Map<String, PragmaScope> BY_NAME =
      Map.ofEntries(
          Map.entry("user_version", DATABASE),
          Map.entry("application_id", DATABASE),
          Map.entry("wal_checkpoint", DATABASE),
          Map.entry("optimize", DATABASE),
          Map.entry("incremental_vacuum", DATABASE),
          Map.entry("auto_vacuum", DATABASE),
          Map.entry("page_size", DATABASE),
          Map.entry("schema_version", DATABASE),
          Map.entry("shrink_memory", DATABASE),
          // Resets at every COMMIT and ROLLBACK: it belongs to the transaction that runs it.
          Map.entry("defer_foreign_keys", DATABASE),
          Map.entry("foreign_keys", SESSION),
          Map.entry("recursive_triggers", SESSION),
          Map.entry("ignore_check_constraints", SESSION),
          Map.entry("legacy_alter_table", SESSION),
          Map.entry("cell_size_check", SESSION),
          Map.entry("trusted_schema", SESSION),
          Map.entry("synchronous", SESSION),
          Map.entry("query_only", SESSION),
          Map.entry("case_sensitive_like", SESSION_READS),
          Map.entry("reverse_unordered_selects", SESSION_READS),
          Map.entry("automatic_index", SESSION_READS));

  /** The scope of a pragma (lower-case name, no schema), or null for untracked connection state. */
  public static PragmaScope of(String name) {
    return BY_NAME.get(name);
  }

  /** Whether the pragma is a logical connection's own setting (design.md, Session state). */
  public static boolean isSession(String name) {
    PragmaScope s = BY_NAME.get(name);
    return s == SESSION || s == SESSION_READS;
  }

  /** The session pragmas, for reading the engine's values once. */
  public static Iterable<String> sessionNames() {
    return BY_NAME.entrySet().stream()
        .filter(e -> e.getValue() != DATABASE)
        .map(Map.Entry::getKey)
        .sorted()
        .toList();
  }
}
