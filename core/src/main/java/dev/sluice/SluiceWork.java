package dev.sluice;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * A unit of work for {@link SluiceDataSource#inTransaction}: runs on the given connection, inside a
 * transaction that Sluice begins, commits, rolls back and, when the database was busy, repeats.
 * Implementations must be safe to run more than once.
 *
 * @param <T> what the work returns
 * @since 0.1
 */
@FunctionalInterface
public interface SluiceWork<T> {
  /** Does the work; do not commit, roll back or close the connection. */
  T run(Connection connection) throws SQLException;
}
