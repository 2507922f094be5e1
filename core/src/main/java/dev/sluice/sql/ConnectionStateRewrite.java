package dev.sluice.sql;

/**
 * Collects the text of a SQL string while {@link SqlClassifier} reports the calls of {@code
 * last_insert_rowid()}, {@code changes()} and {@code total_changes()} to replace by the logical
 * connection's own values. One instance serves one rewrite; not thread-safe. Cold path: used only
 * for statements classified with {@link Classification#usesConnectionState()}.
 */
final class ConnectionStateRewrite {
  static final int LAST_INSERT_ROWID = 0;
  static final int CHANGES = 1;
  static final int TOTAL_CHANGES = 2;

  private final String sql;
  private final long[] values;
  private StringBuilder out;
  private int copied;

  ConnectionStateRewrite(String sql, long lastInsertRowid, long changes, long totalChanges) {
    this.sql = sql;
    this.values = new long[] {lastInsertRowid, changes, totalChanges};
  }

  /** Replaces {@code sql[start, end)}, a call of {@code function}, by its value. */
  void replace(int start, int end, int function) {
    if (out == null) {
      out = new StringBuilder(sql.length() + 16);
    }
    out.append(sql, copied, start).append(literal(values[function]));
    copied = end;
  }

  /** The rewritten text, or the original string itself if nothing was replaced. */
  String result() {
    if (out == null) {
      return sql;
    }
    return out.append(sql, copied, sql.length()).toString();
  }

  /**
   * {@code SELECT <value> AS "<call>"}: keeps the column label SQLite would have given the call
   * ({@code last_insert_rowid()} as written), which callers such as Hibernate read back.
   */
  String labelled(int callStart, int callEnd, int function) {
    return "SELECT "
        + literal(values[function])
        + " AS \""
        + sql.substring(callStart, callEnd).replace("\"", "\"\"")
        + '"';
  }

  // Parenthesised so that a negative value cannot merge with a preceding minus into a comment.
  private static String literal(long value) {
    return value < 0 ? "(" + value + ")" : Long.toString(value);
  }
}
