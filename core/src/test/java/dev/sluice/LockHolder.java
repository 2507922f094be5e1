package dev.sluice;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * SQLITE_BUSY on demand: a plain sqlite-jdbc connection (as another process would have) that holds
 * the database's write lock in {@code BEGIN IMMEDIATE} until {@link #release()}. Not thread-safe.
 */
public final class LockHolder implements AutoCloseable {
  private final Connection connection;
  private boolean holding;

  public LockHolder(String sqliteUrl) throws SQLException {
    connection = DriverManager.getConnection(sqliteUrl);
    try (Statement s = connection.createStatement()) {
      s.execute("PRAGMA busy_timeout=5000");
      s.execute("BEGIN IMMEDIATE");
    }
    holding = true;
  }

  /** Runs a statement inside the held transaction. */
  public void exec(String sql) throws SQLException {
    try (Statement s = connection.createStatement()) {
      s.execute(sql);
    }
  }

  /** Commits and lets others write. */
  public void release() throws SQLException {
    if (holding) {
      holding = false;
      exec("COMMIT");
    }
  }

  @Override
  public void close() throws SQLException {
    try {
      if (holding) {
        exec("ROLLBACK");
      }
    } finally {
      connection.close();
    }
  }
}
