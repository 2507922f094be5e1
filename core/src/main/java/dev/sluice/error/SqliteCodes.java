package dev.sluice.error;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.sqlite.SQLiteException;

/**
 * Reads SQLite result codes out of exceptions, for retry and routing decisions. sqlite-jdbc leaves
 * the SQLState null, puts the primary code in {@code getErrorCode()} and the extended code only in
 * {@link SQLiteException#getResultCode()}; exceptions made by {@link Errors} keep the {@code
 * SQLiteException} in their cause chain, so every helper here walks that chain and answers the same
 * for a raw and a translated exception. Stateless and thread-safe.
 */
public final class SqliteCodes {
  /** Returned when no SQLite result code is found (SQLITE_OK is never an error). */
  public static final int NONE = 0;

  public static final int ERROR = 1;
  public static final int BUSY = 5;
  public static final int LOCKED = 6;
  public static final int READONLY = 8;
  public static final int INTERRUPT = 9;
  public static final int IOERR = 10;
  public static final int CORRUPT = 11;
  public static final int FULL = 13;
  public static final int CANTOPEN = 14;
  public static final int TOOBIG = 18;
  public static final int CONSTRAINT = 19;
  public static final int MISMATCH = 20;
  public static final int MISUSE = 21;
  public static final int RANGE = 25;
  public static final int NOTADB = 26;

  public static final int BUSY_SNAPSHOT = 517;
  public static final int CONSTRAINT_CHECK = 275;
  public static final int CONSTRAINT_FOREIGNKEY = 787;
  public static final int CONSTRAINT_NOTNULL = 1299;
  public static final int CONSTRAINT_PRIMARYKEY = 1555;
  public static final int CONSTRAINT_UNIQUE = 2067;

  // SQLITE_WARNING (28) is the highest primary code; 100/101 (ROW/DONE) are not errors.
  private static final int LAST_PRIMARY = 28;
  // Guards against cause cycles; real chains are two or three deep.
  private static final int MAX_DEPTH = 16;

  private SqliteCodes() {}

  /**
   * The extended result code (e.g. 2067 for CONSTRAINT_UNIQUE), or {@link #NONE}. Taken from the
   * first {@link SQLiteException} in the cause chain; failing that, from the vendor code of an
   * exception without SQLState (a driver-level exception that copied the primary code only).
   */
  public static int extended(SQLException e) {
    SQLiteException sqlite = find(e);
    if (sqlite != null) {
      // UNKNOWN_ERROR is -1: the raw code is only in the message, which we never parse.
      int code = sqlite.getResultCode().code;
      return code > 0 ? code : NONE;
    }
    if (e != null && e.getSQLState() == null) {
      int vendor = e.getErrorCode();
      if (vendor > 0 && vendor <= LAST_PRIMARY) {
        return vendor;
      }
    }
    return NONE;
  }

  /**
   * The primary result code (extended code & 0xff, e.g. 19 for any constraint), or {@link #NONE}.
   */
  public static int primary(SQLException e) {
    return extended(e) & 0xff;
  }

  /** SQLITE_BUSY or any BUSY_* code: another connection holds a lock on the file. */
  public static boolean isBusy(SQLException e) {
    return primary(e) == BUSY;
  }

  /** SQLITE_LOCKED or any LOCKED_* code: a conflict inside this connection or its shared cache. */
  public static boolean isLocked(SQLException e) {
    return primary(e) == LOCKED;
  }

  /** BUSY* or LOCKED*: the conflicts a retry of the statement or unit can resolve. */
  public static boolean isBusyOrLocked(SQLException e) {
    int primary = primary(e);
    return primary == BUSY || primary == LOCKED;
  }

  /** SQLITE_READONLY or any READONLY_* code. */
  public static boolean isReadOnly(SQLException e) {
    return primary(e) == READONLY;
  }

  /**
   * Whether the physical connection that threw {@code e} should be discarded: a non-transient
   * SQLState of class 08, or an SQLite code that leaves the connection unusable (MISUSE, IOERR*,
   * CORRUPT*, NOTADB). {@link SQLTransientConnectionException} is excluded: Sluice uses it for a
   * writer not obtained in time, and HikariCP for a pool timeout, where no connection broke.
   * CANTOPEN* is excluded, raw or translated (08001): on an open connection it is a file the
   * statement named ({@code ATTACH}, {@code VACUUM INTO}) or a temp file, and the connection, with
   * its transaction, is fine.
   */
  public static boolean isConnectionBroken(SQLException e) {
    if (e == null || primary(e) == CANTOPEN) {
      return false;
    }
    String state = e.getSQLState();
    if (state != null
        && state.startsWith("08")
        && !(e instanceof SQLTransientConnectionException)) {
      return true;
    }
    return switch (primary(e)) {
      case MISUSE, IOERR, CORRUPT, NOTADB -> true;
      default -> false;
    };
  }

  /**
   * The first {@link SQLiteException} in the cause chain of {@code t} (itself included), or null.
   */
  static SQLiteException find(Throwable t) {
    SQLiteException translated = null;
    Throwable current = t;
    for (int depth = 0; current != null && depth < MAX_DEPTH; depth++) {
      if (current instanceof SqliteError mine) {
        // Sluice's own carries the same code; the one SQLite raised has the original message.
        translated = translated == null ? mine : translated;
      } else if (current instanceof SQLiteException sqlite) {
        return sqlite;
      }
      current = current.getCause();
    }
    return translated;
  }
}
