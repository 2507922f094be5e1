package dev.sluice.sql;

import static dev.sluice.sql.Lexer.end;
import static dev.sluice.sql.Lexer.keyword;
import static dev.sluice.sql.Lexer.nameIs;
import static dev.sluice.sql.Lexer.skip;

/**
 * The rewrite of {@code last_insert_rowid()}, {@code changes()} and {@code total_changes()} into
 * the logical connection's own values: a pooled physical connection remembers the last statement
 * run on it by anyone, not by this logical connection. {@link #apply} walks the statements with
 * {@link SqlClassifier}'s grammar, which reports each call evaluated now (not one stored by a
 * CREATE TRIGGER or VIEW); an instance collects the text around the replaced calls. {@link
 * #stateFunction} and {@link #emptyCallEnd}, which recognise a call, are shared with the
 * classifier's hot path and allocate nothing.
 *
 * <p>Cold path: used only for statements classified with {@link
 * Classification#usesConnectionState()}. The static functions are thread-safe; an instance serves
 * one rewrite and is not.
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

  /** {@link SqlClassifier#rewriteConnectionState}, which documents the result. */
  static String apply(String sql, long lastInsertRowid, long changes, long totalChanges) {
    if (sql == null) {
      return null;
    }
    ConnectionStateRewrite rewrite =
        new ConnectionStateRewrite(sql, lastInsertRowid, changes, totalChanges);
    int n = sql.length();
    String labelled = wholeSelectOfCall(sql, n, rewrite);
    if (labelled != null) {
      return labelled;
    }
    int pos = 0;
    while (pos < n) {
      int start = skip(sql, pos, n);
      if (start >= n) {
        break;
      }
      if (sql.charAt(start) == ';') {
        pos = start + 1;
        continue;
      }
      pos = SqlClassifier.statementEnd(sql, start, n, rewrite) + 1;
    }
    return rewrite.result();
  }

  private static String wholeSelectOfCall(String s, int n, ConnectionStateRewrite rewrite) {
    int p = skip(s, 0, n);
    if (p >= n || !keyword(s, p, end(s, p, n), "SELECT")) {
      return null;
    }
    int call = skip(s, end(s, p, n), n);
    if (call >= n) {
      return null;
    }
    int nameEnd = end(s, call, n);
    int function = stateFunction(s, call, nameEnd);
    int callEnd = function < 0 ? -1 : emptyCallEnd(s, nameEnd, n);
    if (callEnd < 0) {
      return null;
    }
    int rest = skip(s, callEnd, n);
    if (rest < n && s.charAt(rest) == ';') {
      rest = skip(s, rest + 1, n);
    }
    return rest >= n ? rewrite.labelled(call, callEnd, function) : null;
  }

  /** Which of the connection-state functions the token names, or -1. */
  static int stateFunction(String s, int p, int e) {
    if (nameIs(s, p, e, "last_insert_rowid", false)) {
      return LAST_INSERT_ROWID;
    }
    if (nameIs(s, p, e, "changes", false)) {
      return CHANGES;
    }
    if (nameIs(s, p, e, "total_changes", false)) {
      return TOTAL_CHANGES;
    }
    return -1;
  }

  /**
   * The end of {@code ( )} after a function name, or -1. An empty argument list is what tells a
   * call from a table or CTE named {@code changes} followed by its column list.
   */
  static int emptyCallEnd(String s, int nameEnd, int n) {
    int open = skip(s, nameEnd, n);
    if (open >= n || s.charAt(open) != '(') {
      return -1;
    }
    int close = skip(s, open + 1, n);
    return close < n && s.charAt(close) == ')' ? close + 1 : -1;
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
