package dev.sluice.jdbc;

import dev.sluice.error.SqliteCodes;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.sqlite.SQLiteConnection;

/**
 * Small operations on a physical sqlite-jdbc connection that several packages need: run one
 * statement, ask whether a transaction is open, read {@code changes()}.
 *
 * <p>Stateless and thread-safe; each call uses the connection of its caller, who owns it.
 */
public final class Physical {
  private Physical() {}

  /** Runs one statement and discards its outcome. */
  public static Void exec(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(sql);
    }
    return null;
  }

  /**
   * Runs one statement as sqlite-jdbc's own {@code commit()} and {@code rollback()} do, without the
   * check it makes after a statement in auto-commit mode (the mode Sluice's writer runs in): a
   * BEGIN and a COMMIT of its own, which fail beside a write statement still in progress (an {@code
   * INSERT ... RETURNING} not read to its end) and leave a transaction open behind a ROLLBACK that
   * succeeded.
   */
  public static void execAsTransactionControl(Connection c, String sql) throws SQLException {
    c.unwrap(SQLiteConnection.class).getDatabase().exec(sql, false);
  }

  /**
   * Makes the connection read the schema again if another connection changed it. SQLite checks its
   * cached schema when a statement reads a table, but a pragma such as {@code foreign_key_list}
   * answers from the cache: on a reader that has not read since the writer ran DDL it answers as if
   * the DDL never happened, again and again. Reading {@code sqlite_schema} refreshes the cache.
   * Inside a transaction begun with {@code BEGIN}, it also takes the transaction's read snapshot
   * now, which SQLite otherwise takes at the first read.
   */
  public static void refreshSchema(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT 1 FROM sqlite_schema LIMIT 0")) {
      r.next();
    }
  }

  /** Whether {@code c} is closed; a connection that cannot tell is taken as closed. */
  public static boolean isClosed(Connection c) {
    try {
      return c.isClosed();
    } catch (SQLException e) {
      return true;
    }
  }

  /**
   * Whether the physical connection is inside a transaction. sqlite-jdbc does not expose {@code
   * sqlite3_get_autocommit}, so probe: BEGIN succeeds only outside a transaction.
   */
  public static boolean inTransaction(Connection c) throws SQLException {
    // An interrupt (Statement.cancel) can outlive the statement it stopped: ask again.
    for (int attempt = 0; ; attempt++) {
      try {
        exec(c, "BEGIN");
        break;
      } catch (SQLException e) {
        if (SqliteCodes.primary(e) != SqliteCodes.INTERRUPT || attempt >= 3) {
          return true;
        }
      }
    }
    for (int attempt = 0; ; attempt++) {
      try {
        exec(c, "COMMIT");
        return false;
      } catch (SQLException e) {
        if (SqliteCodes.primary(e) != SqliteCodes.INTERRUPT || attempt >= 3) {
          throw e;
        }
      }
    }
  }

  /** {@code sqlite3_changes()} of the connection: rows changed by its last statement. */
  public static long changes(Connection c) throws SQLException {
    return c.unwrap(SQLiteConnection.class).getDatabase().changes();
  }

  /** {@code sqlite3_total_changes()} of the connection. */
  public static long totalChanges(Connection c) throws SQLException {
    return c.unwrap(SQLiteConnection.class).getDatabase().total_changes();
  }
}
