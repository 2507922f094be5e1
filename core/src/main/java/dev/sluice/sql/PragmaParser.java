package dev.sluice.sql;

import static dev.sluice.sql.Lexer.atEnd;
import static dev.sluice.sql.Lexer.end;
import static dev.sluice.sql.Lexer.isName;
import static dev.sluice.sql.Lexer.isValue;
import static dev.sluice.sql.Lexer.nameIs;
import static dev.sluice.sql.Lexer.skip;

import java.util.Locale;

/**
 * The grammar after the keyword {@code PRAGMA}: {@code [schema.]name [= value | (value)]}, and
 * which pragmas only read. {@link #parse} decides the kind for {@link SqlClassifier} without
 * allocating; {@link #call} turns the same positions into a {@link PragmaCall} for the connection,
 * which records session pragmas and answers pragma reads (cold path, allocates). Both share one
 * parse so that what is routed as a pragma and what is recorded as one cannot drift apart.
 *
 * <p>Unknown pragmas are writes: only the names listed here count as reads, so a pragma that SQLite
 * adds later is sent to the writer until it is listed. Stateless and thread-safe.
 */
final class PragmaParser {

  private static final int PRAGMA_READ = StatementKind.PRAGMA_READ.ordinal();
  private static final int WRITE = StatementKind.WRITE.ordinal();
  private static final int PRAGMA_WRITE = StatementKind.PRAGMA_WRITE.ordinal();

  /** Pragmas whose form without a value only reads. Any other name without a value is a write. */
  private static final String[] READ_PRAGMAS = {
    "analysis_limit",
    "application_id",
    "auto_vacuum",
    "automatic_index",
    "busy_timeout",
    "cache_size",
    "cache_spill",
    "cell_size_check",
    "checkpoint_fullfsync",
    "collation_list",
    "compile_options",
    "count_changes",
    "data_store_directory",
    "data_version",
    "database_list",
    "default_cache_size",
    "defer_foreign_keys",
    "empty_result_callbacks",
    "encoding",
    "foreign_key_check",
    "foreign_key_list",
    "foreign_keys",
    "freelist_count",
    "full_column_names",
    "fullfsync",
    "function_list",
    "hard_heap_limit",
    "ignore_check_constraints",
    "index_info",
    "index_list",
    "index_xinfo",
    "integrity_check",
    "journal_mode",
    "journal_size_limit",
    "legacy_alter_table",
    "legacy_file_format",
    "locking_mode",
    "max_page_count",
    "mmap_size",
    "module_list",
    "page_count",
    "page_size",
    "pragma_list",
    "query_only",
    "quick_check",
    "read_uncommitted",
    "recursive_triggers",
    "reverse_unordered_selects",
    "schema_version",
    "secure_delete",
    "short_column_names",
    "soft_heap_limit",
    "stats",
    "synchronous",
    "table_info",
    "table_list",
    "table_xinfo",
    "temp_store",
    "temp_store_directory",
    "threads",
    "trusted_schema",
    "user_version",
    "wal_autocheckpoint",
    "writable_schema",
  };

  /** Pragmas whose argument names an object to describe or check: still a read. */
  private static final String[] OBJECT_ARGUMENT_PRAGMAS = {
    "table_info",
    "table_xinfo",
    "table_list",
    "index_info",
    "index_xinfo",
    "index_list",
    "foreign_key_list",
    "foreign_key_check",
    "integrity_check",
    "quick_check",
  };

  private PragmaParser() {}

  /**
   * The call after the keyword {@code PRAGMA}, which ends at {@code p}; null if it is not a pragma
   * call. Text after a complete call is ignored, as SQLite applies the pragma before it reports the
   * syntax error.
   */
  static PragmaCall call(String sql, int p, int n) {
    int[] at = new int[7];
    if (parse(sql, p, n, at) == WRITE) {
      return null;
    }
    String schema = at[0] < 0 ? null : unquote(sql, at[0], at[1]);
    String name = unquote(sql, at[2], at[3]).toLowerCase(Locale.ROOT);
    String value = null;
    if (at[5] >= 0) {
      value = unquote(sql, at[5], at[6]);
      if (at[4] >= 0) {
        value = sql.charAt(at[4]) + value;
      }
    }
    return new PragmaCall(schema, name, value);
  }

  /**
   * After PRAGMA: {@code [schema.]name [= value | (value)]}. Returns PRAGMA_READ, PRAGMA_WRITE
   * (also for a complete call followed by junk) or WRITE if it is not a pragma call. When {@code
   * at} is given, fills it with start/end positions: schema, name, sign, value (-1 if absent).
   */
  static int parse(String s, int p, int n, int[] at) {
    p = skip(s, p, n);
    if (p >= n || !isName(s, p)) {
      return WRITE;
    }
    int schemaStart = -1;
    int schemaEnd = -1;
    int nameStart = p;
    int nameEnd = end(s, p, n);
    p = skip(s, nameEnd, n);
    if (p < n && s.charAt(p) == '.') {
      p = skip(s, p + 1, n);
      if (p >= n || !isName(s, p)) {
        return WRITE;
      }
      schemaStart = nameStart;
      schemaEnd = nameEnd;
      nameStart = p;
      nameEnd = end(s, p, n);
      p = skip(s, nameEnd, n);
    }
    if (nameEnd > n || schemaEnd > n) {
      return WRITE;
    }
    int signAt = -1;
    int valueStart = -1;
    int valueEnd = -1;
    if (p < n && (s.charAt(p) == '=' || s.charAt(p) == '(')) {
      boolean parenthesised = s.charAt(p) == '(';
      p = skip(s, p + 1, n);
      if (p < n && (s.charAt(p) == '-' || s.charAt(p) == '+')) {
        signAt = p;
        p = skip(s, p + 1, n);
      }
      if (p >= n || !isValue(s, p, n)) {
        return WRITE;
      }
      valueStart = p;
      valueEnd = end(s, p, n);
      if (valueEnd > n) {
        return WRITE;
      }
      p = skip(s, valueEnd, n);
      if (parenthesised) {
        if (p >= n || s.charAt(p) != ')') {
          return WRITE;
        }
        p = skip(s, p + 1, n);
      }
    }
    if (at != null) {
      at[0] = schemaStart;
      at[1] = schemaEnd;
      at[2] = nameStart;
      at[3] = nameEnd;
      at[4] = signAt;
      at[5] = valueStart;
      at[6] = valueEnd;
    }
    if (!atEnd(s, p, n)) {
      return PRAGMA_WRITE;
    }
    String[] reads = valueStart < 0 ? READ_PRAGMAS : OBJECT_ARGUMENT_PRAGMAS;
    for (String read : reads) {
      if (nameIs(s, nameStart, nameEnd, read, true)) {
        return PRAGMA_READ;
      }
    }
    return PRAGMA_WRITE;
  }

  private static String unquote(String s, int p, int e) {
    char c = s.charAt(p);
    if (c == '[') {
      return s.substring(p + 1, e - 1);
    }
    if (c == '\'' || c == '"' || c == '`') {
      String doubled = String.valueOf(new char[] {c, c});
      return s.substring(p + 1, e - 1).replace(doubled, String.valueOf(c));
    }
    return s.substring(p, e);
  }
}
