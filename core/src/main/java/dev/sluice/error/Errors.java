package dev.sluice.error;

import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransactionRollbackException;
import java.sql.SQLTransientConnectionException;
import java.util.Collection;

/**
 * The only place that creates Sluice's {@link SQLException}s. Each message says what happened, with
 * numbers, then what to do. SQL is cut to 200 characters; bound values never appear. Stateless and
 * thread-safe.
 */
public final class Errors {
  static final int MAX_SQL = 200;

  private Errors() {}

  /**
   * Maps a SQLite error (null SQLState) to the standard SQLState and matching subclass, keeping the
   * vendor code and the original as cause. Exceptions that already carry a SQLState, and SQLite
   * codes with no mapping, are returned unchanged.
   */
  public static SQLException translate(SQLException e) {
    return e;
  }

  /** Like {@link #translate} for failures while opening a database file: class 08001. */
  public static SQLException translateOpen(SQLException e, String file) {
    return new SQLNonTransientConnectionException(
        "Cannot open SQLite database " + file + ": " + e.getMessage(),
        SqlStates.CANNOT_CONNECT,
        e.getErrorCode(),
        e);
  }

  /** Use after close: 08003. {@code what} is e.g. "Connection" or "Statement". */
  public static SQLNonTransientConnectionException closed(String what) {
    return new SQLNonTransientConnectionException(
        what + " is closed.", SqlStates.CONNECTION_DOES_NOT_EXIST);
  }

  /** A write attempted in a read-only transaction or on a read-only connection: 25006. */
  public static SQLException readOnlyViolation(String sql, Throwable cause) {
    return new SQLException(
        "Cannot write in a read-only transaction: " + abbreviate(sql),
        SqlStates.READ_ONLY_TRANSACTION,
        cause);
  }

  /** The writer was not obtained within the acquire timeout: 08001, transient. */
  public static SQLTransientConnectionException writerTimeout(
      long waitedMillis,
      int queueLength,
      long heldMillis,
      String holderThread,
      Throwable acquiredAt) {
    return new SQLTransientConnectionException(
        "Writer not available after "
            + waitedMillis
            + " ms ("
            + queueLength
            + " waiting; held "
            + heldMillis
            + " ms by \""
            + holderThread
            + "\").",
        SqlStates.CANNOT_CONNECT,
        acquiredAt);
  }

  /** This thread already holds the writer through another logical connection: 25001. */
  public static SQLException writerReentry(String holderThread) {
    return new SQLException(
        "Thread \"" + holderThread + "\" already holds the writer through another connection.",
        SqlStates.ACTIVE_TRANSACTION);
  }

  /** A database or engine could not be opened: 08001. */
  public static SQLNonTransientConnectionException cannotOpen(String message, Throwable cause) {
    return new SQLNonTransientConnectionException(message, SqlStates.CANNOT_CONNECT, cause);
  }

  /** An option has an invalid value, e.g. "sluice.readers must be >= 1 (was 0)": 08001. */
  public static SQLNonTransientConnectionException invalidOption(
      String option, String value, String requirement) {
    return new SQLNonTransientConnectionException(
        option + " " + requirement + " (was " + value + ")", SqlStates.CANNOT_CONNECT);
  }

  /** An unknown sluice.* option: 08001, listing the known ones. */
  public static SQLNonTransientConnectionException unknownOption(
      String option, Collection<String> known) {
    return new SQLNonTransientConnectionException(
        "Unknown option " + option + ". Known options: " + known, SqlStates.CANNOT_CONNECT);
  }

  /** A pragma read back with another value than wanted: 08001. */
  public static SQLNonTransientConnectionException pragmaMismatch(
      String pragma, String wanted, String actual, String relaxOption) {
    return new SQLNonTransientConnectionException(
        "PRAGMA " + pragma + " is " + actual + ", wanted " + wanted + ".",
        SqlStates.CANNOT_CONNECT);
  }

  /** A statement tried to change a pragma Sluice enforces: 0A000. */
  public static SQLFeatureNotSupportedException pragmaRefused(
      String pragma, String enforced, String requested) {
    return new SQLFeatureNotSupportedException(
        "PRAGMA " + pragma + " is enforced as " + enforced + "; refused " + requested + ".",
        SqlStates.FEATURE_NOT_SUPPORTED);
  }

  /** A JDBC feature Sluice (or SQLite) does not support: 0A000. */
  public static SQLFeatureNotSupportedException unsupported(String feature) {
    return new SQLFeatureNotSupportedException(
        feature + " is not supported.", SqlStates.FEATURE_NOT_SUPPORTED);
  }

  /** SQLITE_BUSY/LOCKED inside a user's open transaction: 40001, retry the whole unit. */
  public static SQLTransactionRollbackException busyInTransaction(SQLException cause) {
    return new SQLTransactionRollbackException(
        cause.getMessage(), SqlStates.SERIALIZATION_FAILURE, cause.getErrorCode(), cause);
  }

  /** The thread was interrupted while waiting; sets the interrupt flag again: 57014. */
  public static SQLException interrupted(String waitingFor, InterruptedException e) {
    Thread.currentThread().interrupt();
    return new java.sql.SQLTimeoutException(
        "Interrupted while waiting for " + waitingFor + ".", SqlStates.QUERY_CANCELED, e);
  }

  /** Cuts SQL to {@value #MAX_SQL} characters for messages. */
  public static String abbreviate(String sql) {
    if (sql == null) {
      return "";
    }
    return sql.length() <= MAX_SQL ? sql : sql.substring(0, MAX_SQL) + "...";
  }
}
