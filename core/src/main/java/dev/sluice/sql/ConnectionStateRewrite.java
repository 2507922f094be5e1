package dev.sluice.sql;

import static dev.sluice.sql.Lexer.keyword;
import static dev.sluice.sql.Lexer.nameIs;
import static dev.sluice.sql.Lexer.skip;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The rewrite of {@code last_insert_rowid()}, {@code changes()} and {@code total_changes()} into
 * the logical connection's own values: a pooled physical connection remembers the last statement
 * run on it by anyone, not by this logical connection. {@link #apply} walks the statements with
 * {@link SqlClassifier}'s grammar, which reports each call evaluated now (not one stored by a
 * CREATE TRIGGER or VIEW); an instance collects the replaced calls and, per statement, the aliases
 * that keep the labels of the result columns they change ({@link #labelResultColumns}). {@link
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
  // The replaced calls in text order: start, end and function of each.
  private final List<int[]> calls = new ArrayList<>();
  // The aliases to insert: position (in the original text) and text, in text order.
  private final List<Insertion> aliases = new ArrayList<>();
  private int statementCalls;

  private record Insertion(int at, String text) {}

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
      int before = rewrite.calls.size();
      int statementEnd = SqlClassifier.statementEnd(sql, start, n, rewrite);
      if (rewrite.calls.size() > before) {
        rewrite.statementCalls = before;
        rewrite.labelResultColumns(start, statementEnd);
      }
      pos = statementEnd + 1;
    }
    return rewrite.result();
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
    calls.add(new int[] {start, end, function});
  }

  /**
   * The rewritten text, or the original string itself if nothing was replaced: each call replaced
   * by its value, each alias inserted.
   */
  String result() {
    if (calls.isEmpty()) {
      return sql;
    }
    StringBuilder out = new StringBuilder(sql.length() + 16 + 32 * aliases.size());
    int copied = 0;
    int a = 0;
    for (int[] call : calls) {
      while (a < aliases.size() && aliases.get(a).at() <= call[0]) {
        copied = insert(out, copied, aliases.get(a++));
      }
      out.append(sql, copied, call[0]).append(literal(values[call[2]]));
      copied = call[1];
    }
    while (a < aliases.size()) {
      copied = insert(out, copied, aliases.get(a++));
    }
    return out.append(sql, copied, sql.length()).toString();
  }

  private int insert(StringBuilder out, int copied, Insertion alias) {
    out.append(sql, copied, alias.at()).append(alias.text());
    return alias.at();
  }

  /** One level of parentheses of the statement, and the result-column list open at it, if any. */
  private static final class Level {
    boolean inList;
    // The next token is the first of the list and may be DISTINCT or ALL.
    boolean listStart;
    int columnStart = -1;
    boolean hasAs;
    int cases;
    boolean lastEndsCase;
    int lastStart = -1;
    int lastEnd = -1;
    int previousStart = -1;
    int previousEnd = -1;

    void startList() {
      inList = true;
      listStart = true;
      columnStart = -1;
    }
  }

  /**
   * Aliases each result column (of a SELECT or a RETURNING, at any depth) of the statement {@code
   * [start, end)} that contains a replaced call and has no alias of its own with the label SQLite
   * gives that column: its text as written, from its first token to the next token after it, with
   * trailing whitespace trimmed. Gives up on the statement (no alias) where its tokens or
   * parentheses do not add up.
   */
  private void labelResultColumns(int start, int end) {
    String s = sql;
    List<Insertion> found = new ArrayList<>();
    Deque<Level> levels = new ArrayDeque<>();
    Level level = new Level();
    int p = start;
    while (true) {
      p = skip(s, p, end);
      if (p >= end) {
        break;
      }
      int e = Lexer.end(s, p, end);
      if (e > end) {
        return;
      }
      char c = s.charAt(p);
      if (c == '(') {
        token(level, p, e, false);
        levels.push(level);
        level = new Level();
      } else if (c == ')') {
        endList(level, p, found);
        if (levels.isEmpty()) {
          return;
        }
        level = levels.pop();
        token(level, p, e, false);
      } else if (c == ',' && level.inList) {
        endColumn(level, p, found);
        level.columnStart = -1;
      } else if (keyword(s, p, e, "SELECT") || keyword(s, p, e, "RETURNING")) {
        endList(level, p, found);
        level.startList();
      } else if (level.inList && ends(level, p, e)) {
        endList(level, p, found);
      } else if (level.inList
          && level.listStart
          && (keyword(s, p, e, "DISTINCT") || keyword(s, p, e, "ALL"))) {
        level.listStart = false;
      } else {
        boolean endsCase = false;
        if (level.inList) {
          begin(level, p);
          if (keyword(s, p, e, "AS")) {
            level.hasAs = true;
          } else if (keyword(s, p, e, "CASE")) {
            level.cases++;
          } else if (keyword(s, p, e, "END") && level.cases > 0) {
            level.cases--;
            endsCase = true;
          }
        }
        token(level, p, e, endsCase);
      }
      p = e;
    }
    if (!levels.isEmpty()) {
      return;
    }
    endList(level, end, found);
    aliases.addAll(found);
  }

  /** A keyword that ends a result-column list at its own level. */
  private boolean ends(Level level, int p, int e) {
    String s = sql;
    if (keyword(s, p, e, "FROM")) {
      // IS [NOT] DISTINCT FROM is an operator.
      return !(level.lastStart >= 0 && keyword(s, level.lastStart, level.lastEnd, "DISTINCT"));
    }
    for (String word : LIST_ENDS) {
      if (keyword(s, p, e, word)) {
        return true;
      }
    }
    return false;
  }

  private static final String[] LIST_ENDS = {
    "WHERE", "GROUP", "HAVING", "WINDOW", "ORDER", "LIMIT", "UNION", "INTERSECT", "EXCEPT", "ON"
  };

  // Keywords after which a name is an operand, not an alias.
  private static final String[] OPERATORS = {
    "NOT",
    "IS",
    "AND",
    "OR",
    "LIKE",
    "GLOB",
    "MATCH",
    "REGEXP",
    "IN",
    "BETWEEN",
    "ESCAPE",
    "THEN",
    "ELSE",
    "WHEN",
    "CASE",
    "COLLATE",
    "DISTINCT",
    "OVER",
    "EXISTS",
    "SELECT",
    "RETURNING"
  };

  private static void token(Level level, int p, int e, boolean endsCase) {
    if (!level.inList) {
      return;
    }
    begin(level, p);
    level.previousStart = level.lastStart;
    level.previousEnd = level.lastEnd;
    level.lastStart = p;
    level.lastEnd = e;
    level.lastEndsCase = endsCase;
  }

  /** Starts a column of the list open at {@code level} at {@code p} unless one is started. */
  private static void begin(Level level, int p) {
    level.listStart = false;
    if (level.columnStart < 0) {
      level.columnStart = p;
      level.hasAs = false;
      level.cases = 0;
      level.lastStart = -1;
      level.lastEnd = -1;
    }
  }

  private void endList(Level level, int next, List<Insertion> found) {
    if (level.inList) {
      endColumn(level, next, found);
    }
    level.inList = false;
    level.columnStart = -1;
  }

  /** Ends the column of {@code level}, whose next token starts at {@code next}. */
  private void endColumn(Level level, int next, List<Insertion> found) {
    int columnStart = level.columnStart;
    if (columnStart < 0 || level.hasAs || !containsCall(columnStart, level.lastEnd)) {
      return;
    }
    if (!endsWithoutAlias(level)) {
      return;
    }
    int labelEnd = next;
    while (labelEnd > level.lastEnd && isSpace(sql.charAt(labelEnd - 1))) {
      labelEnd--;
    }
    String label = sql.substring(columnStart, labelEnd).replace("\"", "\"\"");
    found.add(new Insertion(level.lastEnd, " AS \"" + label + '"'));
  }

  private boolean containsCall(int from, int to) {
    for (int i = statementCalls; i < calls.size(); i++) {
      int callStart = calls.get(i)[0];
      if (callStart >= from && callStart < to) {
        return true;
      }
    }
    return false;
  }

  /**
   * True if the column's last token certainly ends an expression that has no alias: a {@code )}, a
   * number, a variable, an END closing a CASE, NULL, NOTNULL or ISNULL, or a name or string right
   * after an operator. A name or string after anything else is an alias; anything else (an
   * operator: the text is not understood) gets no alias either.
   */
  private boolean endsWithoutAlias(Level level) {
    String s = sql;
    int p = level.lastStart;
    int e = level.lastEnd;
    char c = s.charAt(p);
    if (c == ')' || (c >= '0' && c <= '9') || c == '?' || c == '$' || c == ':' || c == '@') {
      return true;
    }
    if (level.lastEndsCase
        || keyword(s, p, e, "NULL")
        || keyword(s, p, e, "NOTNULL")
        || keyword(s, p, e, "ISNULL")) {
      return true;
    }
    boolean blob = (c == 'x' || c == 'X') && e > p + 1 && s.charAt(p + 1) == '\'';
    if (blob) {
      return true;
    }
    if (!Lexer.isName(s, p)) {
      return false;
    }
    return level.previousStart < 0 || isOperator(level.previousStart, level.previousEnd);
  }

  private boolean isOperator(int p, int e) {
    String s = sql;
    char c = s.charAt(p);
    if (c == ')' || (Lexer.isName(s, p) && !isOperatorWord(p, e))) {
      return false;
    }
    if ((c >= '0' && c <= '9') || c == '?' || c == '$' || c == ':' || c == '@' || c == '#') {
      return false;
    }
    return true;
  }

  private boolean isOperatorWord(int p, int e) {
    for (String word : OPERATORS) {
      if (keyword(sql, p, e, word)) {
        return true;
      }
    }
    return false;
  }

  private static boolean isSpace(char c) {
    return c == ' ' || (c >= '\t' && c <= '\r');
  }

  // Parenthesised so that a negative value cannot merge with a preceding minus into a comment.
  private static String literal(long value) {
    return value < 0 ? "(" + value + ")" : Long.toString(value);
  }
}
