package dev.sluice.error;

import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * A SQLite error as Sluice reports it: still a sqlite-jdbc {@link SQLiteException} with the same
 * result code and vendor code, so code written for plain sqlite-jdbc ({@code catch (SQLiteException
 * e)}, {@code e.getResultCode()}) keeps working, and with the standard SQLState that plain leaves
 * null, so frameworks that translate by SQLState can tell a duplicate key from a lock (design.md
 * "Errors": why not the JDK's subclasses). Immutable, thread-safe.
 */
final class SqliteError extends SQLiteException {
  private static final long serialVersionUID = 1L;

  private final String sqlState;

  SqliteError(String message, String sqlState, SQLiteErrorCode resultCode, Throwable cause) {
    super(message, resultCode);
    this.sqlState = sqlState;
    initCause(cause);
  }

  @Override
  public String getSQLState() {
    return sqlState;
  }
}
