package dev.sluice.sql;

import static dev.sluice.sql.Lexer.atEnd;
import static dev.sluice.sql.Lexer.closingParenthesis;
import static dev.sluice.sql.Lexer.end;
import static dev.sluice.sql.Lexer.isName;
import static dev.sluice.sql.Lexer.keyword;
import static dev.sluice.sql.Lexer.nameIs;
import static dev.sluice.sql.Lexer.next;
import static dev.sluice.sql.Lexer.optional;
import static dev.sluice.sql.Lexer.skip;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Decides whether SQL text may run on a reader (opened with {@code PRAGMA query_only=1}) or must
 * run on the writer. The rule that matters: a statement that can write is never classified as a
 * read; whatever is not recognised, or is malformed, is a write.
 *
 * <p>This class holds the statement grammar: the kind of a statement from its leading keywords
 * ({@code head}) and its extent to the terminating {@code ;}, which is not inside a trigger body
 * ({@code scan}). Tokens come from {@link Lexer}, so keywords inside strings, comments and quoted
 * identifiers never count; the part after {@code PRAGMA} from {@link PragmaParser}. It is also the
 * package's entry point: {@link #statements}, {@link #pragma} and {@link #rewriteConnectionState}
 * delegate to {@link StatementSplitter}, {@link PragmaParser} and {@link ConnectionStateRewrite},
 * which in turn use this grammar, so that all of them end a statement at the same place.
 *
 * <p>{@link #classify} is on the hot path: it allocates nothing (positions are ints, keywords are
 * compared with {@code regionMatches}, results are shared {@link Classification} instances). {@link
 * #pragma}, {@link #statements} and {@link #rewriteConnectionState} are cold and may allocate.
 *
 * <p>Two SQLite behaviours shape the pragma rules. A pragma that sets a value takes effect while
 * the statement is prepared, so {@code EXPLAIN PRAGMA query_only = 0} switches {@code query_only}
 * off although EXPLAIN runs nothing; and it takes effect even when a syntax error follows it
 * ({@code PRAGMA query_only = 0 junk}). Both are therefore PRAGMA_WRITE. In a string of several
 * statements a PRAGMA_WRITE counts as connection state, like ATTACH.
 *
 * <p>Thread-safe: the only state is the cache of prepared classifications, a concurrent map.
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
  private static final ConcurrentHashMap<String, Classification> PREPARED =
      new ConcurrentHashMap<>();

  private static final int PREPARED_MAX = 4096;
  private static final int PREPARED_MAX_LENGTH = 2048;

  private static final ConcurrentHashMap<String, Boolean> REUSABLE = new ConcurrentHashMap<>();

  /**
   * True if a compiled statement of this prepared SQL may be kept and run again for a later
   * statement with the same text: one read statement ({@link StatementKind#READ}) with no {@code *}
   * result column. sqlite-jdbc reads a statement's column names once, at its first result set, so a
   * kept {@code SELECT *} would go on answering with the columns of its first run after a column
   * was added; a list of named columns cannot change that way. Remembered, bounded, as {@link
   * #classifyPrepared}.
   *
   * @param c the classification of {@code sql}
   */
  public static boolean reusable(String sql, Classification c) {
    if (sql == null
        || sql.length() > PREPARED_MAX_LENGTH
        || c.kind() != StatementKind.READ
        || c.multiple()) {
      return false;
    }
    Boolean r = REUSABLE.get(sql);
    if (r == null) {
      r = !selectsAllColumns(sql);
      if (REUSABLE.size() < PREPARED_MAX) {
        REUSABLE.put(sql, r);
      }
    }
    return r;
  }

  private static final ConcurrentHashMap<String, Boolean> REUSABLE_PLAIN =
      new ConcurrentHashMap<>();

  /**
   * {@link #reusable} for SQL run through a plain {@code Statement} (its text given at each
   * execution, classified there as {@code c}): also no parameter marker, and only from the second
   * time the text is seen. A plain statement binds nothing, so SQLite runs its markers as NULL;
   * they are left to the uncached path, which is plain sqlite-jdbc's own. Applications that build
   * SQL with literal values run most texts once, and keeping those would push the statements that
   * do run again out of a reader's cache. Remembered, bounded: when full, the memory starts again,
   * so a text that keeps running is soon kept again. Allocates only when it first sees a text.
   */
  public static boolean reusablePlain(String sql, Classification c) {
    if (sql == null
        || sql.length() > PREPARED_MAX_LENGTH
        || c.kind() != StatementKind.READ
        || c.multiple()) {
      return false;
    }
    Boolean r = REUSABLE_PLAIN.get(sql);
    if (r != null) {
      return r;
    }
    if (REUSABLE_PLAIN.size() >= PREPARED_MAX) {
      REUSABLE_PLAIN.clear();
    }
    REUSABLE_PLAIN.put(sql, !selectsAllColumns(sql) && !hasParameters(sql));
    return false;
  }

  /**
   * True if the text holds a parameter marker ({@code ?}, {@code ?1}, {@code :x}, {@code @x},
   * {@code $x}, {@code #x}; not inside strings, comments or quoted names), or cannot be read to its
   * end.
   */
  static boolean hasParameters(String sql) {
    int n = sql.length();
    int p = skip(sql, 0, n);
    while (p < n) {
      char ch = sql.charAt(p);
      if (ch == '?' || ch == ':' || ch == '@' || ch == '$' || ch == '#') {
        return true;
      }
      int e = end(sql, p, n);
      if (e > n) {
        return true;
      }
      p = skip(sql, e, n);
    }
    return false;
  }

  /**
   * True if a {@code *} stands for result columns anywhere in the text ({@code SELECT *}, {@code
   * SELECT DISTINCT *}, {@code , *}, {@code t.*}); a multiplication or {@code count(*)} does not.
   */
  static boolean selectsAllColumns(String sql) {
    int n = sql.length();
    int prev = -1;
    int prevEnd = -1;
    int p = skip(sql, 0, n);
    while (p < n) {
      int e = end(sql, p, n);
      if (e > n) {
        return true;
      }
      if (e - p == 1 && sql.charAt(p) == '*' && prev >= 0) {
        char before = sql.charAt(prev);
        if (prevEnd - prev == 1 && (before == ',' || before == '.')) {
          return true;
        }
        if (keyword(sql, prev, prevEnd, "SELECT")
            || keyword(sql, prev, prevEnd, "DISTINCT")
            || keyword(sql, prev, prevEnd, "ALL")) {
          return true;
        }
      }
      prev = p;
      prevEnd = e;
      p = skip(sql, e, n);
    }
    return false;
  }

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
   * Whether a {@code BEGIN} takes the write lock at once ({@code IMMEDIATE} or {@code EXCLUSIVE});
   * false for a deferred one and for any other statement.
   */
  public static boolean beginsWriteLocked(String sql) {
    int n = sql.length();
    int p = skip(sql, 0, n);
    if (p >= n) {
      return false;
    }
    int e = end(sql, p, n);
    if (!keyword(sql, p, e, "BEGIN")) {
      return false;
    }
    p = skip(sql, e, n);
    if (p >= n) {
      return false;
    }
    e = end(sql, p, n);
    return keyword(sql, p, e, "IMMEDIATE") || keyword(sql, p, e, "EXCLUSIVE");
  }

  /**
   * The statements of SQL text, each as its own string, split where {@link #classify} splits (never
   * inside strings, comments or trigger bodies). Cold path: used to check every statement of a
   * multi-statement string.
   */
  public static List<String> statements(String sql) {
    return StatementSplitter.split(sql);
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
    if (p < 0 || p >= n || !keyword(sql, p, end(sql, p, n), "PRAGMA")) {
      return null;
    }
    return PragmaParser.call(sql, end(sql, p, n), n);
  }

  /**
   * Replaces each call of {@code last_insert_rowid()}, {@code changes()} and {@code
   * total_changes()} by the given value as a literal (negative values in parentheses), outside
   * strings, comments and CREATE/ALTER/DROP statements (where the call is stored, not evaluated).
   * Each result column (of a SELECT or RETURNING, subqueries included) whose text this changes and
   * that has no alias gets {@code AS "<its text as written>"}, so its label stays what SQLite would
   * have given: {@code SELECT 1 + changes()} becomes {@code SELECT 1 + 3 AS "1 + changes()"}.
   * Returns {@code sql} itself if there is nothing to replace. Cold path.
   */
  public static String rewriteConnectionState(
      String sql, long lastInsertRowid, long changes, long totalChanges) {
    return ConnectionStateRewrite.apply(sql, lastInsertRowid, changes, totalChanges);
  }

  /**
   * The end of the statement that starts at {@code start}: the position of its terminating {@code
   * ;}, or {@code n}. Hands its connection-state calls to {@code rewrite}, when one is given, where
   * they are evaluated now (not in a stored CREATE/ALTER/DROP or an EXPLAIN).
   */
  static int statementEnd(String s, int start, int n, ConnectionStateRewrite rewrite) {
    int head = head(s, start, n);
    boolean evaluated = (head & HEAD_NOT_EVALUATED) == 0;
    long scan =
        scan(s, start, n, (head & HEAD_TRIGGER) != 0, evaluated, evaluated ? rewrite : null);
    return (int) (scan >>> 32);
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
          return PragmaParser.parse(s, e, n, null);
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
          int function = ConnectionStateRewrite.stateFunction(s, p, e);
          if (function >= 0) {
            int callEnd = ConnectionStateRewrite.emptyCallEnd(s, e, n);
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
}
