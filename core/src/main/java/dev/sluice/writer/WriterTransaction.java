package dev.sluice.writer;

import dev.sluice.jdbc.Physical;
import dev.sluice.retry.Retry;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * The one place that begins and commits a transaction on the writer. Physical connections stay in
 * sqlite-jdbc's auto-commit mode and transactions are SQL: {@code BEGIN IMMEDIATE} takes the write
 * lock up front, where SQLITE_BUSY can still be retried (a deferred transaction would meet it at
 * its first write, as BUSY_SNAPSHOT, which no wait cures); {@code BEGIN} and {@code COMMIT} are
 * retried under the engine's write policy; a unit of work is retried as a whole.
 *
 * <p>Stateless and thread-safe; the caller holds the writer.
 */
public final class WriterTransaction {
  private WriterTransaction() {}

  /** Work done inside a transaction of the writer. */
  @FunctionalInterface
  public interface Body<T> {
    T run(Connection writer) throws SQLException;
  }

  /** {@code BEGIN IMMEDIATE}, retried on SQLITE_BUSY/LOCKED. */
  public static void begin(Retry retry, Connection w) throws SQLException {
    retry.write(() -> Physical.exec(w, "BEGIN IMMEDIATE"));
  }

  /** {@code COMMIT}, retried on SQLITE_BUSY/LOCKED; on failure the transaction is still open. */
  public static void commit(Retry retry, Connection w) throws SQLException {
    retry.write(() -> Physical.exec(w, "COMMIT"));
  }

  /**
   * Runs {@code body} in one transaction, retried as a unit: BEGIN IMMEDIATE, the body, COMMIT; a
   * failed attempt is rolled back before the next.
   */
  public static <T> T unit(Retry retry, Connection w, Body<T> body) throws SQLException {
    return retry.write(
        () -> {
          Physical.exec(w, "BEGIN IMMEDIATE");
          try {
            T result = body.run(w);
            Physical.exec(w, "COMMIT");
            return result;
          } catch (SQLException e) {
            try {
              Physical.exec(w, "ROLLBACK");
            } catch (SQLException alreadyEnded) {
              e.addSuppressed(alreadyEnded);
            }
            throw e;
          }
        });
  }
}
