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
 * retried under the engine's write policy; a unit of work is retried as a whole. The three are kept
 * compiled on the writer ({@link WriterStatements}).
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
  public static void begin(Retry retry, WriterStatements w) throws SQLException {
    retry.write(() -> exec(w, BEGIN));
  }

  /** {@code COMMIT}, retried on SQLITE_BUSY/LOCKED; on failure the transaction is still open. */
  public static void commit(Retry retry, WriterStatements w) throws SQLException {
    retry.write(() -> exec(w, COMMIT));
  }

  /**
   * {@code COMMIT}, once: beside another open statement of the same connection, SQLITE_BUSY means
   * "statements in progress", which no wait ends.
   */
  public static void commitOnce(WriterStatements w) throws SQLException {
    w.exec(COMMIT);
  }

  /** {@code ROLLBACK}, once. */
  public static void rollback(WriterStatements w) throws SQLException {
    // Not through the kept statements: beside an INSERT ... RETURNING still being read,
    // sqlite-jdbc's
    // auto-commit check after it would fail and leave a transaction open.
    Physical.execAsTransactionControl(w.connection(), ROLLBACK);
  }

  private static final String BEGIN = "BEGIN IMMEDIATE";
  private static final String COMMIT = "COMMIT";
  private static final String ROLLBACK = "ROLLBACK";

  private static Void exec(WriterStatements w, String sql) throws SQLException {
    w.exec(sql);
    return null;
  }

  /**
   * Runs {@code body} in one transaction, retried as a unit: BEGIN IMMEDIATE, the body, COMMIT; a
   * failed attempt is rolled back before the next.
   */
  public static <T> T unit(Retry retry, WriterStatements w, Body<T> body) throws SQLException {
    return retry.write(
        () -> {
          w.exec(BEGIN);
          try {
            T result = body.run(w.connection());
            w.exec(COMMIT);
            return result;
          } catch (SQLException e) {
            try {
              w.exec(ROLLBACK);
            } catch (SQLException alreadyEnded) {
              e.addSuppressed(alreadyEnded);
            }
            throw e;
          }
        });
  }
}
