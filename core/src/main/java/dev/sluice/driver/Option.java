package dev.sluice.driver;

import dev.sluice.error.Errors;
import java.sql.SQLException;
import java.util.Locale;

/**
 * Every {@code sluice.*} option: name, type, default and meaning. The URL parser, {@code
 * Driver.getPropertyInfo}, the Spring metadata and the README table all derive from this enum.
 * Immutable, thread-safe.
 */
public enum Option {
  NAME(
      "sluice.name",
      Type.STRING,
      "",
      "Name of the data source: the `datasource` tag of every"
          + " meter and the prefix of thread and pool names. Empty means the database file name."),
  READERS("sluice.readers", Type.INT, "8", "Size of the reader pool (HikariCP), at least 1."),
  READER_ACQUIRE_TIMEOUT(
      "sluice.reader.acquireTimeout",
      Type.MILLIS,
      "30000",
      "How long a read waits for a free reader connection, in ms."),
  READER_LEAK_DETECTION(
      "sluice.reader.leakDetectionThreshold",
      Type.MILLIS,
      "0",
      "A reader held longer than this (an open result set, a read-only transaction) is logged"
          + " with the stack of where it was taken (checked by the housekeeping thread at least"
          + " every second); off by default, as HikariCP's, since every borrow then captures a"
          + " stack; 0 turns it off, values under 2000 too, in ms."),
  READER_STATEMENT_CACHE(
      "sluice.reader.statementCache",
      Type.INT,
      "64",
      "SELECTs kept compiled on each reader connection for the next execution of the same SQL"
          + " text, prepared or run through a plain Statement (from the second run of its text,"
          + " without parameter markers), least recently used dropped first (SQLite compiles a"
          + " statement each time it is prepared; sqlite-jdbc and HikariCP keep no statement"
          + " cache). SELECTs with a * result column are never kept; 0 turns the cache off."),
  WRITER_ACQUIRE_TIMEOUT(
      "sluice.writer.acquireTimeout",
      Type.MILLIS,
      "30000",
      "How long a write waits in the writer queue before it fails with SQLState 08001, in ms."),
  WRITER_HOLD_WARNING(
      "sluice.writer.holdWarning",
      Type.MILLIS,
      "5000",
      "A writer held longer than this is logged once, with the stack of where it was acquired"
          + " (for a statement still running, its thread's stack at that moment); 0 turns the"
          + " warning off, in ms. A hold that can outlive its call (a transaction, a pinned"
          + " connection) captures that stack when it begins; 0 also saves that cost."),
  WRITER_GROUP_COMMIT(
      "sluice.writer.groupCommit",
      Type.BOOLEAN,
      "true",
      "When auto-commit writes queue for the writer, the engine's group commit thread runs the"
          + " queued ones (up to sluice.writer.groupMax) in one transaction and answers each after"
          + " the single COMMIT. An uncontended write runs at once on its own thread."),
  WRITER_GROUP_MAX(
      "sluice.writer.groupMax",
      Type.INT,
      "256",
      "The most auto-commit writes one group commit runs."),
  WRITER_STATEMENT_CACHE(
      "sluice.writer.statementCache",
      Type.INT,
      "64",
      "Statements kept compiled on the writer connection: BEGIN IMMEDIATE, COMMIT and ROLLBACK,"
          + " the prepared writes, and the prepared queries of write transactions, least recently"
          + " used dropped first"
          + " (SQLite compiles a statement each time it is prepared); 0 turns the cache off."),
  WRITER_PROCESS_LOCK(
      "sluice.writer.processLock",
      Type.BOOLEAN,
      "true",
      "Sluice engines in several processes on one database file queue for the write lock through"
          + " an OS lock on a file beside the database (<database>-sluice-lock): a waiting process"
          + " sleeps until the writer is free instead of polling SQLite's lock. Processes that do"
          + " not use Sluice still meet SQLite's lock and Sluice's retry. false turns it off."),
  PRAGMA(
      "sluice.pragma.",
      Type.PREFIX,
      "",
      "`sluice.pragma.<name>=<value>` sets a pragma on every"
          + " connection (overrides the defaults); the value `default` leaves the pragma unset."),
  PRAGMA_RELAX(
      "sluice.pragma.relax",
      Type.STRING,
      "",
      "Comma-separated pragma names whose read-back"
          + " mismatch is logged as a warning instead of failing the open."),
  RETRY_ATTEMPTS(
      "sluice.retry.attempts",
      Type.INT,
      "10",
      "Attempts of a statement, BEGIN IMMEDIATE, COMMIT or auto-commit batch that meets"
          + " SQLITE_BUSY/LOCKED (the first included); 1 turns retry off."),
  RETRY_INITIAL_DELAY(
      "sluice.retry.initialDelay",
      Type.MILLIS,
      "10",
      "Delay before the first retry, in ms; it doubles up to sluice.retry.maxDelay."),
  RETRY_MAX_DELAY(
      "sluice.retry.maxDelay", Type.MILLIS, "1000", "Longest delay between two attempts, in ms."),
  RETRY_MAX_DURATION(
      "sluice.retry.maxDuration",
      Type.MILLIS,
      "5000",
      "Bound of all attempts and delays together, in ms."),
  RETRY_JITTER(
      "sluice.retry.jitter",
      Type.FRACTION,
      "0.25",
      "Random share of each delay (0 to 1), so that processes do not retry in lockstep."),
  BREAKER_FAILURES(
      "sluice.breaker.failures",
      Type.INT,
      "0",
      "Consecutive writes that exhaust their retries on SQLITE_BUSY/LOCKED before writes fail"
          + " fast (circuit breaker); 0 turns the breaker off. Recommended: 3."),
  BREAKER_DELAY(
      "sluice.breaker.delay",
      Type.MILLIS,
      "10000",
      "How long the breaker stays open before one probe write is let through, in ms."),
  CHECKPOINT(
      "sluice.checkpoint.mode",
      Type.STRING,
      "auto",
      "`auto`: Sluice checkpoints the WAL (TRUNCATE) whenever it grows past"
          + " sluice.checkpoint.walLimit, even while readers keep snapshots open (writes pause,"
          + " sluice.checkpoint.writerYield), and at close."
          + " `external`: Sluice never checkpoints and turns SQLite's auto-checkpoint off"
          + " (wal_autocheckpoint=0), leaving checkpoints to a replicator such as Litestream;"
          + " past the limit its writer yields (sluice.checkpoint.writerYield) so that the"
          + " replicator's checkpoint gets the write lock."),
  CHECKPOINT_WAL_LIMIT(
      "sluice.checkpoint.walLimit",
      Type.INT,
      "16777216",
      "WAL size in bytes above which the background checkpointer runs (in mode external: the"
          + " live log above which the writer yields)."),
  CHECKPOINT_INTERVAL(
      "sluice.checkpoint.interval",
      Type.MILLIS,
      "100",
      "How often the background checkpointer looks at the WAL size, in ms."),
  CHECKPOINT_WRITER_YIELD(
      "sluice.checkpoint.writerYield",
      Type.MILLIS,
      "2000",
      "Past sluice.checkpoint.walLimit, the longest writes pause so that a checkpoint can reset"
          + " the WAL while readers keep snapshots open (mode auto: Sluice's TRUNCATE; mode"
          + " external: the replicator's own checkpoint, which then gets the write lock); ends as"
          + " soon as the log restarts, and reads never wait. A snapshot held longer makes the"
          + " pause give way and retry later. 0 turns it off, in ms."),
  METRICS(
      "sluice.metrics",
      Type.BOOLEAN,
      "true",
      "Whether Sluice records its meters and HikariCP's reader-pool meters; false records none."),
  CONNECTION_INITIALIZER(
      "sluice.connectionInitializer",
      Type.STRING,
      "",
      "Class name of a dev.sluice.SluiceConnectionInitializer (public, no-argument constructor)"
          + " run on every physical connection after its pragmas: user functions, collations,"
          + " extensions. Empty means none."),
  LOG_QUERIES(
      "sluice.log.queries",
      Type.BOOLEAN,
      "false",
      "Logs every statement with its timing through SLF4J at DEBUG (datasource-proxy)."),
  LOG_SLOW_QUERIES(
      "sluice.log.slowQueries",
      Type.MILLIS,
      "0",
      "Logs statements slower than this many ms through SLF4J at WARN; 0 turns it off."),
  CLOSE_TIMEOUT(
      "sluice.close.timeout",
      Type.MILLIS,
      "10000",
      "How long close() waits for in-flight work before it closes connections, in ms.");

  /** The kinds of value an option takes. */
  public enum Type {
    STRING,
    INT,
    MILLIS,
    FRACTION,
    BOOLEAN,
    PREFIX
  }

  private final String key;
  private final Type type;
  private final String defaultValue;
  private final String description;

  Option(String key, Type type, String defaultValue, String description) {
    this.key = key;
    this.type = type;
    this.defaultValue = defaultValue;
    this.description = description;
  }

  public String key() {
    return key;
  }

  public Type type() {
    return type;
  }

  public String defaultValue() {
    return defaultValue;
  }

  public String description() {
    return description;
  }

  /** The option a {@code sluice.*} key names, or null if it names none. */
  static Option forKey(String key) {
    for (Option o : values()) {
      if (o.type == Type.PREFIX ? key.startsWith(o.key) && !isExact(key) : o.key.equals(key)) {
        return o;
      }
    }
    return null;
  }

  private static boolean isExact(String key) {
    for (Option o : values()) {
      if (o.type != Type.PREFIX && o.key.equals(key)) {
        return true;
      }
    }
    return false;
  }

  int parseInt(String value, int min) throws SQLException {
    try {
      int v = Integer.parseInt(value.trim());
      if (v < min) {
        throw Errors.invalidOption(key, value, "must be >= " + min);
      }
      return v;
    } catch (NumberFormatException e) {
      throw Errors.invalidOption(key, value, "must be a whole number");
    }
  }

  long parseMillis(String value, long min) throws SQLException {
    try {
      long v = Long.parseLong(value.trim().toLowerCase(Locale.ROOT).replace("ms", ""));
      if (v < min) {
        throw Errors.invalidOption(key, value, "must be >= " + min + " ms");
      }
      return v;
    } catch (NumberFormatException e) {
      throw Errors.invalidOption(key, value, "must be a number of milliseconds");
    }
  }

  double parseFraction(String value) throws SQLException {
    try {
      double v = Double.parseDouble(value.trim());
      if (!(v >= 0 && v <= 1)) {
        throw Errors.invalidOption(key, value, "must be between 0 and 1");
      }
      return v;
    } catch (NumberFormatException e) {
      throw Errors.invalidOption(key, value, "must be a number between 0 and 1");
    }
  }

  boolean parseBoolean(String value) throws SQLException {
    String v = value.trim().toLowerCase(Locale.ROOT);
    if (v.equals("true") || v.equals("on") || v.equals("1")) {
      return true;
    }
    if (v.equals("false") || v.equals("off") || v.equals("0")) {
      return false;
    }
    throw Errors.invalidOption(key, value, "must be true or false");
  }

  /** A markdown table of every option, for the README. */
  public static String markdownTable() {
    StringBuilder b =
        new StringBuilder("| option | type | default | meaning |\n| --- | --- | --- | --- |\n");
    for (Option o : values()) {
      b.append("| `")
          .append(o.type == Type.PREFIX ? o.key + "<name>" : o.key)
          .append("` | ")
          .append(o.type.name().toLowerCase(Locale.ROOT))
          .append(" | ")
          .append(o.defaultValue.isEmpty() ? "" : "`" + o.defaultValue + "`")
          .append(" | ")
          .append(o.description)
          .append(" |\n");
    }
    return b.toString();
  }
}
