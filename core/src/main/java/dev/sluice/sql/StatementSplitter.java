package dev.sluice.sql;

import static dev.sluice.sql.Lexer.skip;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits SQL text into its statements, each as its own string, at the same {@code ;} where {@link
 * SqlClassifier#classify} ends a statement: never inside strings, comments or trigger bodies. It
 * asks the classifier's grammar for each statement's end rather than looking for {@code ;} itself,
 * because a split that disagreed with the classification could run a write where a read was
 * decided. Cold path (checking every statement of a multi-statement string); allocates. Stateless
 * and thread-safe.
 */
final class StatementSplitter {

  private StatementSplitter() {}

  /** The statements of {@code sql}, in order; empty ones ({@code ;;}) are left out. */
  static List<String> split(String sql) {
    List<String> result = new ArrayList<>();
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
      int end = SqlClassifier.statementEnd(sql, start, n, null);
      result.add(sql.substring(start, Math.min(end, n)));
      pos = end + 1;
    }
    return result;
  }
}
