package dev.sluice.writer;

import dev.sluice.jdbc.StatementCache;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * Statements kept compiled on the writer connection: the transaction control of every group commit
 * and user transaction ({@code BEGIN IMMEDIATE}, {@code COMMIT}, {@code ROLLBACK}) and the prepared
 * writes the group commit runs for its callers. SQLite compiles a statement at every prepare and
 * sqlite-jdbc's {@code Statement.execute} prepares each time, so without this every transaction
 * compiled its BEGIN and COMMIT and every grouped write its SQL again.
 *
 * <p>A statement is used by the writer's holder only and goes back here as soon as its execution
 * ended (a write has no result set to keep it busy), reset by sqlite-jdbc: an idle statement holds
 * no lock and does not stand in the way of a checkpoint, a {@code VACUUM} or a {@code DROP TABLE}.
 * A statement sqlite-jdbc finalized after an error is noticed at the next {@link
 * StatementCache#take} and prepared again.
 *
 * <p>Not thread-safe on its own: the writer's semaphore orders its holders. One instance per
 * physical writer connection; a replaced connection gets a new one.
 */
public final class WriterStatements {
  private final Connection connection;

  /** Null when statements are not kept: each is prepared and closed, as sqlite-jdbc does. */
  private final StatementCache cache;

  /**
   * @param capacity how many statements to keep compiled; 0 keeps none
   */
  WriterStatements(Connection connection, int capacity) {
    this.connection = connection;
    this.cache = capacity > 0 ? new StatementCache(connection, capacity) : null;
  }

  /** The physical writer connection the statements belong to. */
  public Connection connection() {
    return connection;
  }

  /**
   * The cache behind {@link #take} and {@link #give}, for a holder that lends its statements the
   * way readers lend theirs; null when statements are not kept.
   */
  public StatementCache cache() {
    return cache;
  }

  /** A prepared statement for {@code sql}, lent to the holder until {@link #give}. */
  public PreparedStatement take(String sql) throws SQLException {
    return cache == null ? connection.prepareStatement(sql) : cache.take(sql);
  }

  /** Gives back a statement from {@link #take} whose execution has ended. */
  public void give(String sql, PreparedStatement ps) {
    if (cache == null) {
      try {
        ps.close();
      } catch (SQLException e) {
        // Closing a finished statement: nothing left to lose.
      }
    } else {
      cache.give(sql, ps);
    }
  }

  /** Runs a statement without result (transaction control) and discards its outcome. */
  public void exec(String sql) throws SQLException {
    PreparedStatement ps = take(sql);
    try {
      ps.execute();
    } finally {
      give(sql, ps);
    }
  }

  /** How many statements are kept now. */
  public int kept() {
    return cache == null ? 0 : cache.size();
  }

  /** Closes every kept statement (the connection is about to close or to run its last work). */
  void clear() {
    if (cache != null) {
      cache.clear();
    }
  }
}
