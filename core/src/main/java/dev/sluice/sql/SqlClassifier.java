package dev.sluice.sql;

import java.util.Locale;

/**
 * Decides whether SQL text may run on a reader (opened with {@code PRAGMA query_only=1}) or must
 * run on the writer. The rule that matters: a statement that can write is never classified as a
 * read; whatever is not recognised, or is malformed, is a write.
 *
 * <p>A small lexer, faithful to SQLite's tokenizer, skips whitespace, line and block comments,
 * string and blob literals, variables and quoted identifiers ({@code "…"}, {@code […]}, {@code
 * `…`}), so keywords inside them never count. Statements are split at {@code ;}, except inside a
 * trigger body. {@link #classify} is on the hot path: it allocates nothing (positions are ints,
 * keywords are compared with {@code regionMatches}, results are shared {@link Classification}
 * instances). {@link #pragma} and {@link #rewriteConnectionState} are cold and may allocate.
 *
 * <p>Two SQLite behaviours shape the pragma rules. A pragma that sets a value takes effect while
 * the statement is prepared, so {@code EXPLAIN PRAGMA query_only = 0} switches {@code query_only}
 * off although EXPLAIN runs nothing; and it takes effect even when a syntax error follows it
 * ({@code PRAGMA query_only = 0 junk}). Both are therefore PRAGMA_WRITE. In a string of several
 * statements a PRAGMA_WRITE counts as connection state, like ATTACH.
 *
 * <p>Stateless and thread-safe.
 */
public final class SqlClassifier {

  // Result of head(): the kind's ordinal in the low bits, then these.
  private static final int KIND_MASK = 0xF;
  private static final int HEAD_DML = 1 << 4;
  private static final int HEAD_INSERT = 1 << 5;
  // A CREATE TRIGGER: its body holds ';' that do not end the statement.
  private static final int HEAD_TRIGGER = 1 << 6;
  // The text is stored (CREATE, ALTER, DROP) or only explained, not evaluated now.
  private static final int HEAD_NOT_EVALUATED = 1 << 7;

  // Result of scan(), besides the end position.
  private static final int SCAN_USES_STATE = 1;
  private static final int SCAN_LOADS_EXTENSION = 2;
  private static final int SCAN_WRITES = 4;
  private static final int SCAN_MALFORMED = 8;

  private static final StatementKind[] KINDS = StatementKind.values();
  private static final int READ = StatementKind.READ.ordinal();
  private static final int PRAGMA_READ = StatementKind.PRAGMA_READ.ordinal();
  private static final int WRITE = StatementKind.WRITE.ordinal();
  private static final int PRAGMA_WRITE = StatementKind.PRAGMA_WRITE.ordinal();
  private static final int CONNECTION_STATE = StatementKind.CONNECTION_STATE.ordinal();

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

  private SqlClassifier() {}

  /**
   * Classifies SQL text, which may hold several statements. Never null; null, blank or comments
   * only give EMPTY. Allocates nothing.
   */
  public static Classification classify(String sql) {
    if (sql == null) {
      return Classification.of(StatementKind.EMPTY, 0);
    }
    int n = sql.length();
    int count = 0;
    int flags = 0;
    int kind = StatementKind.EMPTY.ordinal();
    boolean allRead = true;
    boolean pins = false;
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
      int head = head(sql, start, n);
      long scan =
          scan(sql, start, n, (head & HEAD_TRIGGER) != 0, (head & HEAD_NOT_EVALUATED) == 0, null);
      int scanBits = (int) scan;
      kind = resolve(head & KIND_MASK, scanBits);
      count++;
      if (kind != READ && kind != PRAGMA_READ) {
        allRead = false;
        pins |= kind != WRITE;
      }
      if ((head & HEAD_DML) != 0) {
        flags |= Classification.DML;
      }
      if ((head & HEAD_INSERT) != 0) {
        flags |= Classification.INSERT;
      }
      if ((scanBits & SCAN_USES_STATE) != 0) {
        flags |= Classification.USES_CONNECTION_STATE;
      }
      pos = (int) (scan >>> 32) + 1;
    }
    if (count > 1) {
      flags |= Classification.MULTIPLE;
      kind = allRead ? READ : pins ? CONNECTION_STATE : WRITE;
    }
    return Classification.of(KINDS[kind], flags);
  }

  /** Classifications of prepared SQL, which applications prepare again and again. */
  private static final java.util.concurrent.ConcurrentHashMap<String, Classification> PREPARED =
      new java.util.concurrent.ConcurrentHashMap<>();

  private static final int PREPARED_MAX = 4096;
  private static final int PREPARED_MAX_LENGTH = 2048;

  /**
   * {@link #classify} for prepared statements, remembered: ORMs prepare the same few hundred SQL
   * strings for the life of the application, and a map lookup (the string's hash is cached) is
   * cheaper than lexing them each time. Bounded in entries and statement length.
   */
  public static Classification classifyPrepared(String sql) {
    if (sql == null || sql.length() > PREPARED_MAX_LENGTH) {
      return classify(sql);
    }
    Classification c = PREPARED.get(sql);
    if (c == null) {
      c = classify(sql);
      if (PREPARED.size() < PREPARED_MAX) {
        PREPARED.put(sql, c);
      }
    }
    return c;
  }

  /**
   * The statements of SQL text, each as its own string, split where {@link #classify} splits (never
   * inside strings, comments or trigger bodies). Cold path: used to check every statement of a
   * multi-statement string.
   */
  public static java.util.List<String> statements(String sql) {
    java.util.List<String> result = new java.util.ArrayList<>();
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
      int head = head(sql, start, n);
      long scan =
          scan(sql, start, n, (head & HEAD_TRIGGER) != 0, (head & HEAD_NOT_EVALUATED) == 0, null);
      int end = (int) (scan >>> 32);
      result.add(sql.substring(start, Math.min(end, n)));
      pos = end + 1;
    }
    return result;
  }

  /**
   * Parses the first statement as a pragma call, after any EXPLAIN [QUERY PLAN]. Returns null if it
   * is not a pragma. Text after a complete call is ignored, as SQLite applies the pragma before it
   * reports the syntax error. Cold path.
   */
  public static PragmaCall pragma(String sql) {
    if (sql == null) {
      return null;
    }
    int n = sql.length();
    int p = skipExplain(sql, skip(sql, 0, n), n);
    if (p >= n || !keyword(sql, p, end(sql, p, n), "PRAGMA")) {
      return null;
    }
    int[] at = new int[7];
    if (parsePragma(sql, end(sql, p, n), n, at) == WRITE) {
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
   * Replaces each call of {@code last_insert_rowid()}, {@code changes()} and {@code
   * total_changes()} by the given value as a literal (negative values in parentheses), outside
   * strings, comments and CREATE/ALTER/DROP statements (where the call is stored, not evaluated).
   * When the whole text is {@code SELECT <call>}, returns {@code SELECT <value> AS "<call as
   * written>"} so the column label stays what SQLite would have given. Returns {@code sql} itself
   * if there is nothing to replace. Cold path.
   */
  public static String rewriteConnectionState(
      String sql, long lastInsertRowid, long changes, long totalChanges) {
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
      int head = head(sql, start, n);
      boolean evaluated = (head & HEAD_NOT_EVALUATED) == 0;
      long scan =
          scan(sql, start, n, (head & HEAD_TRIGGER) != 0, evaluated, evaluated ? rewrite : null);
      pos = (int) (scan >>> 32) + 1;
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

  private static int resolve(int kind, int scanBits) {
    if ((scanBits & SCAN_MALFORMED) != 0) {
      // A pragma may already have taken effect before the error: keep it visible as a pragma.
      return kind == PRAGMA_WRITE ? PRAGMA_WRITE : WRITE;
    }
    if ((scanBits & SCAN_WRITES) != 0 && (kind == READ || kind == PRAGMA_READ)) {
      return WRITE;
    }
    if ((scanBits & SCAN_LOADS_EXTENSION) != 0 && (kind == READ || kind == WRITE)) {
      return CONNECTION_STATE;
    }
    return kind;
  }

  /** The kind of the statement at p, from its leading keywords, plus HEAD_* bits. */
  private static int head(String s, int p, int n) {
    int e = end(s, p, n);
    if (!keyword(s, p, e, "EXPLAIN")) {
      return statementHead(s, p, n);
    }
    p = skipExplain(s, p, n);
    if (p < 0 || p >= n || s.charAt(p) == ';') {
      return WRITE;
    }
    int inner = statementHead(s, p, n);
    if (keyword(s, p, end(s, p, n), "PRAGMA")) {
      // A pragma acts while it is prepared, so EXPLAIN does not make its write form harmless.
      int kind = inner & KIND_MASK;
      return kind == PRAGMA_READ ? READ | HEAD_NOT_EVALUATED : kind;
    }
    return READ | HEAD_NOT_EVALUATED | (inner & HEAD_TRIGGER);
  }

  /** Skips EXPLAIN [QUERY PLAN] prefixes; -1 if QUERY lacks PLAN. */
  private static int skipExplain(String s, int p, int n) {
    while (p < n) {
      int e = end(s, p, n);
      if (!keyword(s, p, e, "EXPLAIN")) {
        return p;
      }
      p = skip(s, e, n);
      if (p < n) {
        e = end(s, p, n);
        if (keyword(s, p, e, "QUERY")) {
          p = skip(s, e, n);
          if (p >= n || !keyword(s, p, end(s, p, n), "PLAN")) {
            return -1;
          }
          p = skip(s, end(s, p, n), n);
        }
      }
    }
    return p;
  }

  private static int statementHead(String s, int p, int n) {
    if (s.charAt(p) == '(') {
      return parenthesised(s, p, n);
    }
    int e = end(s, p, n);
    int next = skip(s, e, n);
    switch (s.charAt(p) | 0x20) {
      case 's':
        if (keyword(s, p, e, "SELECT")) {
          return READ;
        }
        if (keyword(s, p, e, "SAVEPOINT")) {
          return named(s, next, n, StatementKind.SAVEPOINT);
        }
        break;
      case 'i':
        if (keyword(s, p, e, "INSERT")) {
          return WRITE | HEAD_DML | HEAD_INSERT;
        }
        break;
      case 'u':
        if (keyword(s, p, e, "UPDATE")) {
          return WRITE | HEAD_DML;
        }
        break;
      case 'd':
        if (keyword(s, p, e, "DELETE")) {
          return WRITE | HEAD_DML;
        }
        if (keyword(s, p, e, "DROP")) {
          return schemaObject(s, next, n);
        }
        if (keyword(s, p, e, "DETACH")) {
          return CONNECTION_STATE;
        }
        break;
      case 'w':
        if (keyword(s, p, e, "WITH")) {
          return with(s, next, n);
        }
        break;
      case 'v':
        if (keyword(s, p, e, "VALUES")) {
          return READ;
        }
        if (keyword(s, p, e, "VACUUM")) {
          return StatementKind.NO_TRANSACTION.ordinal();
        }
        break;
      case 'r':
        if (keyword(s, p, e, "REPLACE")) {
          return WRITE | HEAD_DML | HEAD_INSERT;
        }
        if (keyword(s, p, e, "ROLLBACK")) {
          return rollback(s, next, n);
        }
        if (keyword(s, p, e, "RESTORE")) {
          // sqlite-jdbc's own "restore from <file>": replaces the database, never in a group.
          return StatementKind.NO_TRANSACTION.ordinal();
        }
        if (keyword(s, p, e, "RELEASE")) {
          return named(s, optional(s, next, n, "SAVEPOINT"), n, StatementKind.RELEASE);
        }
        if (keyword(s, p, e, "REINDEX")) {
          return WRITE;
        }
        break;
      case 'b':
        if (keyword(s, p, e, "BEGIN")) {
          return begin(s, next, n);
        }
        if (keyword(s, p, e, "BACKUP")) {
          // sqlite-jdbc's own "backup to <file>": copies the database, never in a group.
          return StatementKind.NO_TRANSACTION.ordinal();
        }
        break;
      case 'c':
        if (keyword(s, p, e, "COMMIT")) {
          return transactionEnd(s, next, n, StatementKind.COMMIT);
        }
        if (keyword(s, p, e, "CREATE")) {
          return create(s, next, n);
        }
        break;
      case 'e':
        if (keyword(s, p, e, "END")) {
          return transactionEnd(s, next, n, StatementKind.COMMIT);
        }
        break;
      case 'p':
        if (keyword(s, p, e, "PRAGMA")) {
          return parsePragma(s, e, n, null);
        }
        break;
      case 'a':
        if (keyword(s, p, e, "ATTACH")) {
          return CONNECTION_STATE;
        }
        if (keyword(s, p, e, "ALTER")) {
          return schemaObject(s, next, n);
        }
        if (keyword(s, p, e, "ANALYZE")) {
          return WRITE;
        }
        break;
      default:
        break;
    }
    return WRITE;
  }

  /** {@code (SELECT …)}, {@code ((VALUES …))}, {@code (WITH … SELECT …)}: a read, else a write. */
  private static int parenthesised(String s, int p, int n) {
    while (p < n && s.charAt(p) == '(') {
      p = skip(s, p + 1, n);
    }
    if (p >= n) {
      return WRITE;
    }
    int e = end(s, p, n);
    if (keyword(s, p, e, "SELECT") || keyword(s, p, e, "VALUES")) {
      return READ;
    }
    if (keyword(s, p, e, "WITH") && (with(s, skip(s, e, n), n) & KIND_MASK) == READ) {
      return READ;
    }
    return WRITE;
  }

  /** After WITH: [RECURSIVE] name [(columns)] AS [[NOT] MATERIALIZED] (body), … then the verb. */
  private static int with(String s, int p, int n) {
    p = optional(s, p, n, "RECURSIVE");
    while (true) {
      if (p >= n || !isName(s, p)) {
        return WRITE;
      }
      p = skip(s, end(s, p, n), n);
      if (p < n && s.charAt(p) == '(') {
        p = closingParenthesis(s, p, n);
        if (p < 0) {
          return WRITE;
        }
        p = skip(s, p, n);
      }
      if (p >= n || !keyword(s, p, end(s, p, n), "AS")) {
        return WRITE;
      }
      p = skip(s, end(s, p, n), n);
      if (p < n && keyword(s, p, end(s, p, n), "NOT")) {
        p = skip(s, end(s, p, n), n);
        if (p >= n || !keyword(s, p, end(s, p, n), "MATERIALIZED")) {
          return WRITE;
        }
      }
      p = optional(s, p, n, "MATERIALIZED");
      if (p >= n || s.charAt(p) != '(') {
        return WRITE;
      }
      p = closingParenthesis(s, p, n);
      if (p < 0) {
        return WRITE;
      }
      p = skip(s, p, n);
      if (p < n && s.charAt(p) == ',') {
        p = skip(s, p + 1, n);
        continue;
      }
      break;
    }
    if (p >= n) {
      return WRITE;
    }
    int e = end(s, p, n);
    if (keyword(s, p, e, "SELECT") || keyword(s, p, e, "VALUES")) {
      return READ;
    }
    if (keyword(s, p, e, "INSERT") || keyword(s, p, e, "REPLACE")) {
      return WRITE | HEAD_DML | HEAD_INSERT;
    }
    if (keyword(s, p, e, "UPDATE") || keyword(s, p, e, "DELETE")) {
      return WRITE | HEAD_DML;
    }
    return WRITE;
  }

  /** After CREATE: TEMP objects and objects named {@code temp.x} are connection state. */
  private static int create(String s, int p, int n) {
    if (p >= n) {
      return WRITE;
    }
    int e = end(s, p, n);
    boolean temp = keyword(s, p, e, "TEMP") || keyword(s, p, e, "TEMPORARY");
    if (temp) {
      p = skip(s, e, n);
    }
    p = optional(s, p, n, "UNIQUE");
    p = optional(s, p, n, "VIRTUAL");
    if (p >= n) {
      return WRITE;
    }
    e = end(s, p, n);
    boolean trigger = keyword(s, p, e, "TRIGGER");
    int bits = HEAD_NOT_EVALUATED | (trigger ? HEAD_TRIGGER : 0);
    if (!trigger
        && !keyword(s, p, e, "TABLE")
        && !keyword(s, p, e, "VIEW")
        && !keyword(s, p, e, "INDEX")) {
      return WRITE | bits;
    }
    p = skip(s, e, n);
    if (p < n && keyword(s, p, end(s, p, n), "IF")) {
      p = optional(s, skip(s, end(s, p, n), n), n, "NOT");
      p = optional(s, p, n, "EXISTS");
    }
    return (temp || tempQualified(s, p, n) ? CONNECTION_STATE : WRITE) | bits;
  }

  /** After DROP or ALTER: {@code TABLE|VIEW|INDEX|TRIGGER [IF EXISTS] [schema.]name}. */
  private static int schemaObject(String s, int p, int n) {
    p = skip(s, p < n ? end(s, p, n) : p, n);
    if (p < n && keyword(s, p, end(s, p, n), "IF")) {
      p = optional(s, skip(s, end(s, p, n), n), n, "EXISTS");
    }
    return (tempQualified(s, p, n) ? CONNECTION_STATE : WRITE) | HEAD_NOT_EVALUATED;
  }

  /** True if the name at p is {@code temp.} in any quoting. */
  private static boolean tempQualified(String s, int p, int n) {
    if (p >= n) {
      return false;
    }
    int e = end(s, p, n);
    if (!nameIs(s, p, e, "temp", true)) {
      return false;
    }
    int dot = skip(s, e, n);
    return dot < n && s.charAt(dot) == '.';
  }

  private static int begin(String s, int p, int n) {
    if (p < n) {
      int e = end(s, p, n);
      if (keyword(s, p, e, "DEFERRED")
          || keyword(s, p, e, "IMMEDIATE")
          || keyword(s, p, e, "EXCLUSIVE")) {
        p = skip(s, e, n);
      }
    }
    return transactionEnd(s, p, n, StatementKind.BEGIN);
  }

  /** {@code [TRANSACTION [name]]} then the end of the statement. */
  private static int transactionEnd(String s, int p, int n, StatementKind kind) {
    if (p < n && keyword(s, p, end(s, p, n), "TRANSACTION")) {
      p = skip(s, end(s, p, n), n);
      if (p < n && isName(s, p)) {
        p = skip(s, end(s, p, n), n);
      }
    }
    return atEnd(s, p, n) ? kind.ordinal() : WRITE;
  }

  private static int rollback(String s, int p, int n) {
    p = optional(s, p, n, "TRANSACTION");
    if (p < n && keyword(s, p, end(s, p, n), "TO")) {
      return named(
          s, optional(s, skip(s, end(s, p, n), n), n, "SAVEPOINT"), n, StatementKind.ROLLBACK_TO);
    }
    if (p < n && isName(s, p)) {
      p = skip(s, end(s, p, n), n);
    }
    return atEnd(s, p, n) ? StatementKind.ROLLBACK.ordinal() : WRITE;
  }

  /** A savepoint name then the end of the statement. */
  private static int named(String s, int p, int n, StatementKind kind) {
    if (p >= n || !isName(s, p)) {
      return WRITE;
    }
    return atEnd(s, skip(s, end(s, p, n), n), n) ? kind.ordinal() : WRITE;
  }

  /**
   * After PRAGMA: {@code [schema.]name [= value | (value)]}. Returns PRAGMA_READ, PRAGMA_WRITE
   * (also for a complete call followed by junk) or WRITE if it is not a pragma call. When {@code
   * at} is given, fills it with start/end positions: schema, name, sign, value (-1 if absent).
   */
  private static int parsePragma(String s, int p, int n, int[] at) {
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

  /**
   * Scans the statement starting at {@code start} to its terminating {@code ;} (or the end of the
   * text). Returns that position in the high 32 bits and SCAN_* bits in the low ones. Calls are
   * looked for only if {@code evaluated}; each connection-state call is handed to {@code rewrite}
   * when one is given.
   */
  private static long scan(
      String s,
      int start,
      int n,
      boolean trigger,
      boolean evaluated,
      ConnectionStateRewrite rewrite) {
    int bits = 0;
    // 0: before a trigger's body, 1: inside it, 2: after it.
    int body = 0;
    boolean afterSemicolon = false;
    boolean afterDot = false;
    int p = start;
    while (true) {
      p = skip(s, p, n);
      if (p >= n) {
        return pack(n, bits);
      }
      char c = s.charAt(p);
      int e = end(s, p, n);
      if (e > n) {
        return pack(n, bits | SCAN_MALFORMED);
      }
      if (c == ';') {
        if (body != 1) {
          return pack(p, bits);
        }
        afterSemicolon = true;
        afterDot = false;
        p = e;
        continue;
      }
      if (trigger && !afterDot) {
        // A trigger body ends at an END right after a ';'; a CASE's END never follows a ';'.
        if (body == 0 && keyword(s, p, e, "BEGIN")) {
          body = 1;
        } else if (body == 1 && afterSemicolon && keyword(s, p, e, "END")) {
          body = 2;
        }
      }
      if (evaluated) {
        if (nameIs(s, p, e, "pragma_optimize", true)) {
          bits |= SCAN_WRITES;
        } else if (!afterDot) {
          int function = stateFunction(s, p, e);
          if (function >= 0) {
            int callEnd = emptyCallEnd(s, e, n);
            if (callEnd >= 0) {
              bits |= SCAN_USES_STATE;
              if (rewrite != null) {
                rewrite.replace(p, callEnd, function);
              }
              e = callEnd;
            }
          } else if ((nameIs(s, p, e, "load_extension", false)
                  || nameIs(s, p, e, "fts3_tokenizer", false))
              && next(s, e, n) == '(') {
            bits |= SCAN_LOADS_EXTENSION;
          }
        }
      }
      afterSemicolon = false;
      afterDot = c == '.';
      p = e;
    }
  }

  private static long pack(int end, int bits) {
    return ((long) end << 32) | bits;
  }

  /** Which of the connection-state functions the token names, or -1. */
  private static int stateFunction(String s, int p, int e) {
    if (nameIs(s, p, e, "last_insert_rowid", false)) {
      return ConnectionStateRewrite.LAST_INSERT_ROWID;
    }
    if (nameIs(s, p, e, "changes", false)) {
      return ConnectionStateRewrite.CHANGES;
    }
    if (nameIs(s, p, e, "total_changes", false)) {
      return ConnectionStateRewrite.TOTAL_CHANGES;
    }
    return -1;
  }

  /**
   * The end of {@code ( )} after a function name, or -1. An empty argument list is what tells a
   * call from a table or CTE named {@code changes} followed by its column list.
   */
  private static int emptyCallEnd(String s, int nameEnd, int n) {
    int open = skip(s, nameEnd, n);
    if (open >= n || s.charAt(open) != '(') {
      return -1;
    }
    int close = skip(s, open + 1, n);
    return close < n && s.charAt(close) == ')' ? close + 1 : -1;
  }

  /** Index just after the ')' matching the '(' at p, or -1 if a ';' or the end comes first. */
  private static int closingParenthesis(String s, int p, int n) {
    int depth = 0;
    while (p < n) {
      char c = s.charAt(p);
      int e = end(s, p, n);
      if (e > n || c == ';') {
        return -1;
      }
      if (c == '(') {
        depth++;
      } else if (c == ')' && --depth == 0) {
        return e;
      }
      p = skip(s, e, n);
    }
    return -1;
  }

  /** The start of the next token at or after i, skipping whitespace and comments; n if none. */
  static int skip(String s, int i, int n) {
    while (i < n) {
      char c = s.charAt(i);
      if (isSpace(c)) {
        i++;
      } else if (c == '-' && i + 1 < n && s.charAt(i + 1) == '-') {
        int newline = s.indexOf('\n', i + 2);
        i = newline < 0 ? n : newline + 1;
      } else if (c == '/' && i + 1 < n && s.charAt(i + 1) == '*') {
        // SQLite accepts a block comment left open: it runs to the end of the text.
        int close = s.indexOf("*/", i + 2);
        i = close < 0 ? n : close + 2;
      } else {
        break;
      }
    }
    return i;
  }

  /**
   * The end of the token starting at i (i < n), following SQLite's tokenizer; n + 1 for a token
   * SQLite rejects (an unterminated literal, an illegal variable or blob), which makes the
   * statement malformed.
   */
  static int end(String s, int i, int n) {
    char c = s.charAt(i);
    switch (c) {
      case '\'':
      case '"':
      case '`':
        return quotedEnd(s, i, n, c);
      case '[':
        {
          int close = s.indexOf(']', i + 1);
          return close < 0 ? n + 1 : close + 1;
        }
      case '?':
        {
          int j = i + 1;
          while (j < n && isDigit(s.charAt(j))) {
            j++;
          }
          return j;
        }
      case '$':
      case '@':
      case ':':
      case '#':
        return variableEnd(s, i, n);
      default:
        if ((c == 'x' || c == 'X') && i + 1 < n && s.charAt(i + 1) == '\'') {
          return blobEnd(s, i, n);
        }
        if (isWordChar(c)) {
          return wordEnd(s, i + 1, n);
        }
        return i + 1;
    }
  }

  /**
   * A named variable: {@code $name}, {@code :name}, {@code @name}, {@code #name}, with {@code ::}
   * inside and an optional Tcl suffix {@code (…)} that runs to the next whitespace or ')'. The
   * suffix matters: in {@code $a('); DELETE FROM t; --'} the quote is part of the variable, so the
   * DELETE is a statement of its own.
   */
  private static int variableEnd(String s, int i, int n) {
    int j = i + 1;
    boolean named = false;
    while (j < n) {
      char c = s.charAt(j);
      if (isWordChar(c) || c == '$') {
        named = true;
        j++;
      } else if (c == '(' && named) {
        j++;
        while (j < n && !isSpace(s.charAt(j)) && s.charAt(j) != ')') {
          j++;
        }
        return j < n && s.charAt(j) == ')' ? j + 1 : n + 1;
      } else if (c == ':' && j + 1 < n && s.charAt(j + 1) == ':') {
        j += 2;
      } else {
        break;
      }
    }
    return named ? j : n + 1;
  }

  /** {@code x'…'}: an even number of hex digits closed by the first quote (no escapes). */
  private static int blobEnd(String s, int i, int n) {
    int j = i + 2;
    while (j < n && isHexDigit(s.charAt(j))) {
      j++;
    }
    return j < n && s.charAt(j) == '\'' && (j - i) % 2 == 0 ? j + 1 : n + 1;
  }

  private static int quotedEnd(String s, int open, int n, char quote) {
    int i = open + 1;
    while (true) {
      int close = s.indexOf(quote, i);
      if (close < 0) {
        return n + 1;
      }
      if (close + 1 < n && s.charAt(close + 1) == quote) {
        i = close + 2;
      } else {
        return close + 1;
      }
    }
  }

  private static int wordEnd(String s, int i, int n) {
    while (i < n && (isWordChar(s.charAt(i)) || s.charAt(i) == '$')) {
      i++;
    }
    return i;
  }

  // Digits start numbers, which need no separate handling: they never match a keyword.
  private static boolean isWordChar(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '_'
        || c >= 0x80;
  }

  private static boolean keyword(String s, int p, int e, String upper) {
    return e - p == upper.length() && s.regionMatches(true, p, upper, 0, upper.length());
  }

  /**
   * True if the token {@code [p, e)} names {@code name}: a bare word or a quoted identifier ({@code
   * "…"}, {@code […]}, {@code `…`}), and with {@code stringToo} also {@code '…'}, which SQLite
   * accepts where it expects a name.
   */
  private static boolean nameIs(String s, int p, int e, String name, boolean stringToo) {
    int length = name.length();
    if (e - p == length) {
      return s.regionMatches(true, p, name, 0, length);
    }
    if (e - p != length + 2) {
      return false;
    }
    char c = s.charAt(p);
    boolean quoted = c == '"' || c == '[' || c == '`' || (stringToo && c == '\'');
    return quoted && s.regionMatches(true, p + 1, name, 0, length);
  }

  private static boolean isName(String s, int p) {
    char c = s.charAt(p);
    return c == '"' || c == '[' || c == '`' || c == '\'' || (isWordChar(c) && !isDigit(c));
  }

  /** A pragma value: a word, a number, a string or a quoted identifier (not a blob). */
  private static boolean isValue(String s, int p, int n) {
    char c = s.charAt(p);
    if ((c == 'x' || c == 'X') && p + 1 < n && s.charAt(p + 1) == '\'') {
      return false;
    }
    return c == '"' || c == '[' || c == '`' || c == '\'' || isWordChar(c);
  }

  private static boolean isSpace(char c) {
    return c == ' ' || (c >= '\t' && c <= '\r');
  }

  private static boolean isHexDigit(char c) {
    return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  /** After skipping, p is at the end of the text or of the statement. */
  private static boolean atEnd(String s, int p, int n) {
    return p >= n || s.charAt(p) == ';';
  }

  /** The first character of the next token after i, or 0 at the end. */
  private static char next(String s, int i, int n) {
    int p = skip(s, i, n);
    return p < n ? s.charAt(p) : 0;
  }

  /** Skips the keyword at p if it is {@code upper}; returns the next token's start either way. */
  private static int optional(String s, int p, int n, String upper) {
    if (p < n) {
      int e = end(s, p, n);
      if (keyword(s, p, e, upper)) {
        return skip(s, e, n);
      }
    }
    return p;
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
