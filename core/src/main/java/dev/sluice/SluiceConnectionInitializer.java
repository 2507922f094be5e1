package dev.sluice;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Runs on every physical connection Sluice opens, the writer and every reader, after its pragmas:
 * the place to register user functions, collations, aggregates, extensions and hooks (for example
 * {@code org.sqlite.Function.create(connection, "regexp", ...)}), so that they are usable by every
 * statement whatever its route. Given to {@link SluiceDataSource.Builder#connectionInitializer}, or
 * named by class in the option {@code sluice.connectionInitializer} (a public class with a public
 * no-argument constructor).
 *
 * <p>Implementations must be thread-safe: readers open on any thread.
 *
 * @since 0.2
 */
@FunctionalInterface
public interface SluiceConnectionInitializer {
  /**
   * Prepares one physical sqlite-jdbc connection. A failure fails the open (08001).
   *
   * @param connection the physical connection (an {@code org.sqlite.SQLiteConnection}); keep no
   *     reference to it
   */
  void initialize(Connection connection) throws SQLException;
}
