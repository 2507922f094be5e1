package dev.sluice.error;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.sql.BatchUpdateException;
import java.sql.SQLDataException;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLSyntaxErrorException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransactionRollbackException;
import java.sql.SQLTransientConnectionException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * The only place that creates Sluice's {@link SQLException}s. Each message says what happened, with
 * numbers, then what to do. SQL is cut to 200 characters; bound values never appear. An error
 * SQLite reported stays a sqlite-jdbc {@link SQLiteException} with its result code and vendor code
 * (so {@code catch (SQLiteException e)} and {@code getErrorCode() == 5} checks keep working) and
 * gains the standard SQLState; errors of Sluice's own are the JDK's subclass for their SQLState
 * class. Stateless and thread-safe.
 */
public final class Errors {
  static final int MAX_SQL = 200;

  private static final String BUSY_HINT =
      "Another process holds the database; retry the unit of work.";
  private static final String SNAPSHOT_HINT =
      "Another connection wrote since this transaction started reading; retry the unit of work.";
  private static final String LOCKED_HINT =
      "A table is locked by an open statement on this connection or a shared-cache connection;"
          + " close open result sets or retry the unit of work.";
  private static final String READONLY_HINT =
      "The connection, transaction or file is read-only; write in a read-write transaction or"
          + " check the file permissions.";
  private static final String FULL_HINT = "Free disk space or raise PRAGMA max_page_count.";
  private static final String CANTOPEN_HINT =
      "Check that the directory exists and that the process may read and write it.";
  private static final String NOTADB_HINT =
      "The file is not an SQLite database: a wrong file, or an encrypted one.";
  private static final String CORRUPT_HINT =
      "The database file is damaged; run PRAGMA integrity_check and restore it from a backup.";
  private static final String MISMATCH_HINT =
      "A rowid or INTEGER PRIMARY KEY column takes integers only, and STRICT tables check every"
          + " column's type.";
  private static final String RANGE_HINT =
      "A parameter index is out of range; check the ? placeholders.";

  private Errors() {}

  /**
   * Maps a SQLite error (null SQLState) to the standard SQLState and matching subclass, keeping the
   * vendor code and the original as cause. Exceptions that already carry a SQLState, and SQLite
   * codes with no mapping, are returned unchanged. A {@link BatchUpdateException} stays one (its
   * update counts matter to callers) and only gains the SQLState and vendor code.
   *
   * <p>SQLITE_CANTOPEN here is a file a statement wanted ({@code ATTACH}, {@code VACUUM INTO}) on a
   * connection that is fine: it stays as plain's, without a SQLState. A class 08 state would make a
   * pool in front of Sluice (HikariCP evicts on 08xxx) close the connection and lose the
   * transaction the statement ran in. Opening a database fails through {@link #translateOpen}.
   */
  public static SQLException translate(SQLException e) {
    if (e == null || e.getSQLState() != null) {
      return e;
    }
    int extended = SqliteCodes.extended(e);
    String state = stateOf(extended);
    if (state == null) {
      return e;
    }
    SQLiteException sqlite = SqliteCodes.find(e);
    int vendor = sqlite != null ? sqlite.getErrorCode() : e.getErrorCode();
    String message = withHint(e.getMessage(), hintOf(extended));
    if (e instanceof BatchUpdateException batch) {
      // Its cause is SQLite's error, as the cause of plain's: callers look there for the code.
      return new BatchUpdateException(
          message, state, vendor, batch.getLargeUpdateCounts(), sqlite != null ? sqlite : e);
    }
    if (sqlite != null) {
      return new SqliteError(message, state, sqlite.getResultCode(), e);
    }
    switch (extended & 0xff) {
      case SqliteCodes.CONSTRAINT:
        return new SQLIntegrityConstraintViolationException(message, state, vendor, e);
      case SqliteCodes.BUSY:
      case SqliteCodes.LOCKED:
        return new SQLTransactionRollbackException(message, state, vendor, e);
      case SqliteCodes.NOTADB:
      case SqliteCodes.CORRUPT:
        return new SQLNonTransientConnectionException(message, state, vendor, e);
      case SqliteCodes.ERROR:
        return new SQLSyntaxErrorException(message, state, vendor, e);
      case SqliteCodes.TOOBIG:
      case SqliteCodes.MISMATCH:
      case SqliteCodes.RANGE:
        return new SQLDataException(message, state, vendor, e);
      case SqliteCodes.INTERRUPT:
        return new SQLTimeoutException(message, state, vendor, e);
      default:
        // READONLY (25006) and FULL (53100) have no dedicated JDBC subclass.
        return new SQLException(message, state, vendor, e);
    }
  }

  /**
   * Like {@link #translate} for failures while opening a database file: always 08001 {@link
   * SQLNonTransientConnectionException}, saying which file and what to do. An exception that
   * already has a class 08 SQLState is returned unchanged.
   */
  public static SQLException translateOpen(SQLException e, String file) {
    String state = e.getSQLState();
    if (state != null && state.startsWith("08")) {
      return e;
    }
    SQLiteException sqlite = SqliteCodes.find(e);
    int vendor = sqlite != null ? sqlite.getErrorCode() : e.getErrorCode();
    String message =
        withHint(
            "Cannot open SQLite database " + file + ": " + e.getMessage(),
            openAdvice(SqliteCodes.primary(e), file));
    if (sqlite != null) {
      return new SqliteError(message, SqlStates.CANNOT_CONNECT, sqlite.getResultCode(), e);
    }
    return new SQLNonTransientConnectionException(message, SqlStates.CANNOT_CONNECT, vendor, e);
  }

  /** Work cut short because the data source closed under it: 08003, with what failed. */
  public static SQLNonTransientConnectionException closed(String what, Throwable cause) {
    return new SQLNonTransientConnectionException(
        what + " was closed while this statement ran.", SqlStates.CONNECTION_DOES_NOT_EXIST, cause);
  }

  /** Use after close: 08003. {@code what} is e.g. "Connection" or "Statement". */
  public static SQLNonTransientConnectionException closed(String what) {
    return new SQLNonTransientConnectionException(
        what + " is closed.", SqlStates.CONNECTION_DOES_NOT_EXIST);
  }

  /** A write attempted in a read-only transaction or on a read-only connection: 25006. */
  public static SQLException readOnlyViolation(String sql, Throwable cause) {
    String message =
        "Cannot write in a read-only transaction: "
            + abbreviate(sql)
            + ". Run the write in a read-write transaction (Connection.setReadOnly(false)).";
    SQLiteException sqlite = SqliteCodes.find(cause);
    if (sqlite != null) {
      return new SqliteError(
          message, SqlStates.READ_ONLY_TRANSACTION, sqlite.getResultCode(), cause);
    }
    return new SQLException(message, SqlStates.READ_ONLY_TRANSACTION, vendorOf(cause), cause);
  }

  /**
   * The writer was not obtained within the acquire timeout: 08001, transient. {@code holderThread}
   * may be null when the writer was released in the meantime.
   */
  public static SQLTransientConnectionException writerTimeout(
      long waitedMillis,
      int queueLength,
      long heldMillis,
      String holderThread,
      Throwable acquiredAt) {
    String held =
        holderThread == null ? "" : "; held " + heldMillis + " ms by \"" + holderThread + "\"";
    return new SQLTransientConnectionException(
        "Writer not available after "
            + waitedMillis
            + " ms ("
            + queueLength
            + " waiting"
            + held
            + "). Shorten transactions or raise sluice.writer.acquireTimeout.",
        SqlStates.CANNOT_CONNECT,
        acquiredAt);
  }

  /** This thread already holds the writer through another logical connection: 25001. */
  public static SQLException writerReentry(String holderThread) {
    return new SQLException(
        "Thread \""
            + holderThread
            + "\" already holds the writer through another connection; waiting for it would"
            + " deadlock (e.g. a REQUIRES_NEW transaction inside a write transaction on the same"
            + " thread). Reuse the outer connection, or run the inner work after the outer"
            + " transaction commits.",
        SqlStates.ACTIVE_TRANSACTION);
  }

  /**
   * A database file that cannot be opened, found before SQLite tries (a directory, a missing
   * folder, a missing resource): 08001 as a SQLITE_CANTOPEN {@link SQLiteException}, the error
   * plain sqlite-jdbc raises for the same path, with a message that says what is wrong.
   */
  public static SQLException cannotOpenFile(String message) {
    return new SqliteError(
        message, SqlStates.CANNOT_CONNECT, SQLiteErrorCode.SQLITE_CANTOPEN, null);
  }

  /**
   * A query whose later row writes could not move on to the writer because the database changed
   * since it began: SQLITE_BUSY_SNAPSHOT with 40001, as plain sqlite-jdbc's one connection fails
   * when its read cannot become a write on a stale snapshot.
   */
  public static SQLException staleSnapshot(String sql, Throwable cause) {
    return new SqliteError(
        "[SQLITE_BUSY_SNAPSHOT] A row of "
            + abbreviate(sql)
            + " called a function that writes, and the database changed since the query began, so"
            + " the write cannot run on the query's snapshot. Run the query again (or inside a"
            + " write transaction).",
        SqlStates.SERIALIZATION_FAILURE,
        SQLiteErrorCode.SQLITE_BUSY_SNAPSHOT,
        cause);
  }

  /**
   * The first write of a transaction that stepped aside for another connection of its thread
   * (design.md "A transaction that has only read"), after the database changed since its snapshot:
   * SQLITE_BUSY_SNAPSHOT with 40001, as plain sqlite-jdbc's deferred transaction fails there.
   */
  public static SQLException staleTransaction() {
    return new SqliteError(
        "[SQLITE_BUSY_SNAPSHOT] This transaction read the database before another connection on"
            + " the same thread changed it, so it cannot write on what it read. Roll back and run"
            + " the transaction again.",
        SqlStates.SERIALIZATION_FAILURE,
        SQLiteErrorCode.SQLITE_BUSY_SNAPSHOT,
        null);
  }

  /** A JDBC call made out of order where plain sqlite-jdbc refuses it too: HY010. */
  public static SQLException functionSequence(String message) {
    return new SQLException(message, SqlStates.FUNCTION_SEQUENCE);
  }

  /** A database or engine could not be opened: 08001. */
  public static SQLNonTransientConnectionException cannotOpen(String message, Throwable cause) {
    return new SQLNonTransientConnectionException(
        message, SqlStates.CANNOT_CONNECT, vendorOf(cause), cause);
  }

  /** An option has an invalid value, e.g. "sluice.readers must be >= 1 (was 0)": 08001. */
  public static SQLNonTransientConnectionException invalidOption(
      String option, String value, String requirement) {
    return new SQLNonTransientConnectionException(
        option + " " + requirement + " (was " + value + ")", SqlStates.CANNOT_CONNECT);
  }

  /** An unknown sluice.* option: 08001, listing the known ones in sorted order. */
  public static SQLNonTransientConnectionException unknownOption(
      String option, Collection<String> known) {
    List<String> sorted = new ArrayList<>(known);
    sorted.sort(null);
    return new SQLNonTransientConnectionException(
        "Unknown option "
            + option
            + ". Fix the name; known options: "
            + String.join(", ", sorted)
            + ".",
        SqlStates.CANNOT_CONNECT);
  }

  /**
   * A pragma read back with another value than wanted: 08001. {@code relaxOption} names the option
   * (with its value) that accepts the mismatch; null when there is none.
   */
  public static SQLNonTransientConnectionException pragmaMismatch(
      String pragma, String wanted, String actual, String relaxOption) {
    String relax = relaxOption == null ? "" : " or relax it with " + relaxOption;
    String advice;
    if ("journal_mode".equalsIgnoreCase(pragma) && "wal".equalsIgnoreCase(wanted)) {
      advice =
          "memory".equalsIgnoreCase(actual)
              ? "An in-memory database cannot use WAL; use a file" + relax + "."
              : "WAL cannot be used on this file system (network share?); use a local disk"
                  + relax
                  + ".";
    } else {
      advice =
          "SQLite kept its own value (read-only file or SQLite build?); check the file"
              + relax
              + ".";
    }
    return new SQLNonTransientConnectionException(
        "PRAGMA " + pragma + " is " + actual + ", wanted " + wanted + ". " + advice,
        SqlStates.CANNOT_CONNECT);
  }

  /** A statement tried to change a pragma Sluice enforces: 0A000. */
  public static SQLFeatureNotSupportedException pragmaRefused(
      String pragma, String enforced, String requested) {
    String name = pragma.toLowerCase(Locale.ROOT);
    return new SQLFeatureNotSupportedException(
        "PRAGMA "
            + pragma
            + "="
            + requested
            + " refused: Sluice enforces "
            + pragma
            + "="
            + enforced
            + " on every connection. Set sluice.pragma."
            + name
            + " instead.",
        SqlStates.FEATURE_NOT_SUPPORTED);
  }

  /**
   * {@code PRAGMA locking_mode} set to anything but NORMAL: 0A000. Sluice's readers keep the
   * database open beside the writer, so an exclusive writer could never get its lock.
   */
  public static SQLFeatureNotSupportedException lockingModeRefused(String requested) {
    return new SQLFeatureNotSupportedException(
        "PRAGMA locking_mode="
            + requested
            + " refused: Sluice's readers keep the database open beside its single writer, so an"
            + " exclusive lock would never be granted and every write would fail as busy. The"
            + " single writer already keeps writes one at a time; leave locking_mode NORMAL.",
        SqlStates.FEATURE_NOT_SUPPORTED);
  }

  /**
   * A batch run statement by statement stopped at entry {@code index}: the counts of the entries
   * before it (0 from it on, as sqlite-jdbc reports them), with the entry's own failure as cause,
   * SQLState and vendor code.
   */
  public static BatchUpdateException batchFailed(int index, long[] counts, SQLException cause) {
    return new BatchUpdateException(
        "Batch entry " + index + " failed: " + cause.getMessage(),
        cause.getSQLState(),
        cause.getErrorCode(),
        counts,
        cause);
  }

  /**
   * An auto-commit batch's own transaction failed as a whole at its end (a deferred constraint at
   * COMMIT): nothing of it is kept, so no entry has a count. The failure's SQLState and vendor
   * code, itself as cause.
   */
  public static BatchUpdateException batchRolledBack(SQLException cause) {
    SQLException translated = translate(cause);
    return new BatchUpdateException(
        "Batch rolled back as a whole, nothing of it kept: " + translated.getMessage(),
        translated.getSQLState(),
        translated.getErrorCode(),
        new long[0],
        translated);
  }

  /** A JDBC feature Sluice (or SQLite) does not support: 0A000. */
  public static SQLFeatureNotSupportedException unsupported(String feature) {
    return new SQLFeatureNotSupportedException(
        feature + " is not supported.", SqlStates.FEATURE_NOT_SUPPORTED);
  }

  /** SQLITE_BUSY/LOCKED inside a user's open transaction: 40001, retry the whole unit. */
  public static SQLException busyInTransaction(SQLException cause) {
    return serializationFailure(
        sqliteMessage(cause)
            + " inside a transaction. Roll back and retry the whole unit of work; a statement"
            + " inside a transaction is never retried alone.",
        cause);
  }

  /**
   * 40001 for a lock SQLite reported: a {@link SQLiteException} with the SQLite result code when
   * there is one (as plain sqlite-jdbc throws), else the JDK's rollback exception.
   */
  private static SQLException serializationFailure(String message, SQLException cause) {
    SQLiteException sqlite = SqliteCodes.find(cause);
    if (sqlite != null) {
      return new SqliteError(
          message, SqlStates.SERIALIZATION_FAILURE, sqlite.getResultCode(), cause);
    }
    return new SQLTransactionRollbackException(
        message, SqlStates.SERIALIZATION_FAILURE, vendorOf(cause), cause);
  }

  /**
   * SQLITE_BUSY/LOCKED still there after the retry policy gave up: 40001, so the caller may retry
   * the unit later.
   */
  public static SQLException retriesExhausted(
      SQLException cause, int attempts, long elapsedMillis) {
    return serializationFailure(
        "Gave up after "
            + attempts
            + " attempts over "
            + elapsedMillis
            + " ms: "
            + sqliteMessage(cause)
            + ". Another connection kept the database locked; retry the unit of work later or"
            + " shorten the other side's transactions.",
        cause);
  }

  /** The thread was interrupted while waiting; sets the interrupt flag again: 57014. */
  public static SQLException interrupted(String waitingFor, InterruptedException e) {
    Thread.currentThread().interrupt();
    return new SQLTimeoutException(
        "Interrupted while waiting for "
            + waitingFor
            + "; the interrupt flag is set again. Stop the work or retry it on a thread that is"
            + " not interrupted.",
        SqlStates.QUERY_CANCELED,
        e);
  }

  /** Cuts SQL to {@value #MAX_SQL} characters for messages. */
  public static String abbreviate(String sql) {
    if (sql == null) {
      return "";
    }
    return sql.length() <= MAX_SQL ? sql : sql.substring(0, MAX_SQL) + "...";
  }

  /** The SQLState for an extended SQLite code, or null when Sluice leaves the error unchanged. */
  private static String stateOf(int extended) {
    switch (extended & 0xff) {
      case SqliteCodes.CONSTRAINT:
        return switch (extended) {
          case SqliteCodes.CONSTRAINT_UNIQUE, SqliteCodes.CONSTRAINT_PRIMARYKEY ->
              SqlStates.UNIQUE_VIOLATION;
          case SqliteCodes.CONSTRAINT_FOREIGNKEY -> SqlStates.FOREIGN_KEY_VIOLATION;
          case SqliteCodes.CONSTRAINT_NOTNULL -> SqlStates.NOT_NULL_VIOLATION;
          case SqliteCodes.CONSTRAINT_CHECK -> SqlStates.CHECK_VIOLATION;
          default -> SqlStates.INTEGRITY_CONSTRAINT;
        };
      case SqliteCodes.BUSY:
      case SqliteCodes.LOCKED:
        return SqlStates.SERIALIZATION_FAILURE;
      case SqliteCodes.READONLY:
        return SqlStates.READ_ONLY_TRANSACTION;
      case SqliteCodes.FULL:
        return SqlStates.DISK_FULL;
      case SqliteCodes.NOTADB:
      case SqliteCodes.CORRUPT:
        return SqlStates.CANNOT_CONNECT;
      case SqliteCodes.ERROR:
        return SqlStates.SYNTAX_OR_ACCESS;
      case SqliteCodes.TOOBIG:
        return SqlStates.STRING_TOO_LONG;
      case SqliteCodes.MISMATCH:
        return SqlStates.DATATYPE_MISMATCH;
      case SqliteCodes.RANGE:
        return SqlStates.INVALID_PARAMETER_VALUE;
      case SqliteCodes.INTERRUPT:
        return SqlStates.QUERY_CANCELED;
      default:
        return null;
    }
  }

  /** What to do about a translated SQLite error, or null where the SQLite message says enough. */
  private static String hintOf(int extended) {
    if (extended == SqliteCodes.BUSY_SNAPSHOT) {
      return SNAPSHOT_HINT;
    }
    return switch (extended & 0xff) {
      case SqliteCodes.BUSY -> BUSY_HINT;
      case SqliteCodes.LOCKED -> LOCKED_HINT;
      case SqliteCodes.READONLY -> READONLY_HINT;
      case SqliteCodes.FULL -> FULL_HINT;
      case SqliteCodes.NOTADB -> NOTADB_HINT;
      case SqliteCodes.CORRUPT -> CORRUPT_HINT;
      case SqliteCodes.MISMATCH -> MISMATCH_HINT;
      case SqliteCodes.RANGE -> RANGE_HINT;
      default -> null;
    };
  }

  /** What to do when opening {@code file} failed with {@code primary}; looks at the disk. */
  private static String openAdvice(int primary, String file) {
    switch (primary) {
      case SqliteCodes.CANTOPEN:
        return cantOpenAdvice(file);
      case SqliteCodes.NOTADB:
        return NOTADB_HINT;
      case SqliteCodes.CORRUPT:
        return CORRUPT_HINT;
      case SqliteCodes.READONLY:
        return "The file or its directory is read-only; give the process write permission (WAL"
            + " also creates the -wal and -shm files beside the database).";
      case SqliteCodes.BUSY:
      case SqliteCodes.LOCKED:
        return "Another process holds the database; open it again when that process is done.";
      default:
        return "Check the path and the file's permissions.";
    }
  }

  private static String cantOpenAdvice(String file) {
    Path path;
    try {
      path = file == null ? null : Path.of(file).toAbsolutePath();
    } catch (InvalidPathException e) {
      return "The path is not valid here; fix it.";
    }
    if (path == null) {
      return CANTOPEN_HINT;
    }
    Path parent = path.getParent();
    if (parent != null && !Files.isDirectory(parent)) {
      return "The directory " + parent + " does not exist; create it or fix the path.";
    }
    if (Files.isDirectory(path)) {
      return "The path is a directory; name a database file.";
    }
    if (Files.exists(path) && !(Files.isReadable(path) && Files.isWritable(path))) {
      return "The process may not read and write the file; fix its permissions.";
    }
    return CANTOPEN_HINT;
  }

  /** The SQLite driver's own message (it names the code), else the exception's. */
  private static String sqliteMessage(SQLException e) {
    SQLiteException sqlite = SqliteCodes.find(e);
    return sqlite != null ? sqlite.getMessage() : e.getMessage();
  }

  private static int vendorOf(Throwable cause) {
    SQLiteException sqlite = SqliteCodes.find(cause);
    if (sqlite != null) {
      return sqlite.getErrorCode();
    }
    return cause instanceof SQLException sql ? sql.getErrorCode() : 0;
  }

  private static String withHint(String message, String hint) {
    if (hint == null) {
      return message;
    }
    if (message == null || message.isEmpty()) {
      return hint;
    }
    return message + (message.endsWith(".") ? " " : ". ") + hint;
  }

  /** A call that is not valid in the connection's current transaction state: 25000. */
  public static SQLException invalidTransactionState(String message) {
    return new SQLException(message, SqlStates.INVALID_TRANSACTION_STATE);
  }

  /**
   * A {@code Statement} method that takes SQL text, called on a {@code PreparedStatement}: 42000,
   * refused before anything runs (plain sqlite-jdbc refuses it with no SQLState).
   */
  public static SQLSyntaxErrorException notOnPreparedStatement(String method) {
    return new SQLSyntaxErrorException(
        method
            + " cannot be called on a PreparedStatement. Run its own SQL with execute(),"
            + " executeQuery() or executeUpdate() without arguments, or use a Statement for other"
            + " SQL.",
        SqlStates.SYNTAX_OR_ACCESS);
  }

  /** An argument out of its valid range (negative timeout, bad index): 22023. */
  public static SQLException invalidArgument(String message) {
    return invalidArgument(message, null);
  }

  /** An argument out of its valid range, with the failure that revealed it: 22023. */
  public static SQLException invalidArgument(String message, Throwable cause) {
    return new java.sql.SQLDataException(message, SqlStates.INVALID_PARAMETER_VALUE, cause);
  }

  /** The write breaker is open: fail fast, 08001 (transient). */
  public static SQLTransientConnectionException breakerOpen(
      String name, long lockedMillis, long retryInMillis, int failures) {
    return new SQLTransientConnectionException(
        "Database \""
            + name
            + "\" has been locked by another process for "
            + lockedMillis
            + " ms ("
            + failures
            + " writes in a row gave up); writes fail fast and Sluice tries again in "
            + retryInMillis
            + " ms. Find the other process holding the lock (a backup, a migration, a long"
            + " transaction).",
        SqlStates.CANNOT_CONNECT);
  }

  /** SQLite rolled back the user's transaction after an error: 40001, roll back and retry. */
  public static SQLTransactionRollbackException transactionAborted() {
    return new SQLTransactionRollbackException(
        "The transaction was rolled back by SQLite after an earlier error (an interrupt or an OR"
            + " ROLLBACK conflict); nothing of it will be committed. Call rollback() and retry the"
            + " unit of work.",
        SqlStates.SERIALIZATION_FAILURE);
  }

  /**
   * The group commit thread failed unexpectedly before the group's outcome was known: 40003.
   * Whether the statement took effect must be checked before it is repeated.
   */
  public static SQLException groupFailed(Throwable cause) {
    return new SQLTransactionRollbackException(
        "The group commit this statement was queued in failed unexpectedly ("
            + cause
            + "); whether the statement took effect is unknown. Check before repeating it.",
        SqlStates.COMPLETION_UNKNOWN,
        cause);
  }

  /** Statement.cancel() reached a write still queued for the writer: 57014; it never ran. */
  public static SQLException cancelledWhileQueued() {
    return new SQLException(
        "Statement cancelled while queued for the writer; it never ran.", SqlStates.QUERY_CANCELED);
  }

  /** A statement waited longer than its query timeout for the database lock: 57014. */
  public static java.sql.SQLTimeoutException queryTimeout(int seconds, SQLException cause) {
    return new java.sql.SQLTimeoutException(
        "Query timeout of "
            + seconds
            + " s expired while the database was locked by another connection: "
            + cause.getMessage(),
        SqlStates.QUERY_CANCELED,
        cause.getErrorCode(),
        cause);
  }

  /** No reader connection became free in time: 08001 (transient). */
  public static SQLTransientConnectionException readerTimeout(SQLException cause) {
    return new SQLTransientConnectionException(
        "No reader connection available: "
            + cause.getMessage()
            + ". Close result sets and read-only transactions sooner, or raise sluice.readers or"
            + " sluice.reader.acquireTimeout.",
        SqlStates.CANNOT_CONNECT,
        cause);
  }

  /**
   * Errors while reading a result set: SQLite's are translated; sqlite-jdbc's own, which carry no
   * SQLState (a column index out of range, a bad label), become 22023 with the original as cause.
   */
  public static SQLException translateResultSet(SQLException e) {
    if (e.getSQLState() != null || SqliteCodes.find(e) != null) {
      return translate(e);
    }
    if (e instanceof SQLFeatureNotSupportedException) {
      // What sqlite-jdbc's result sets cannot do (isLast, deleteRow, refreshRow ...): still the
      // class callers catch to fall back, now with 0A000.
      return new SQLFeatureNotSupportedException(
          e.getMessage(), SqlStates.FEATURE_NOT_SUPPORTED, e);
    }
    return invalidArgument(e.getMessage(), e);
  }

  /** No reader connection became free within the acquire timeout: 08001 (transient). */
  public static SQLTransientConnectionException readerTimeout(long waitedMillis) {
    return new SQLTransientConnectionException(
        "No reader connection became free within "
            + waitedMillis
            + " ms. Close result sets and read-only transactions sooner, or raise sluice.readers"
            + " or sluice.reader.acquireTimeout.",
        SqlStates.CANNOT_CONNECT);
  }
}
