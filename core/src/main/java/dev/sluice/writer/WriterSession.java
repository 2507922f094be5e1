package dev.sluice.writer;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * The connection-scoped settings (pragmas such as {@code foreign_keys}) a holder needs on the
 * writer while it runs. Implementations are immutable values: equal sessions need no change of the
 * physical connection, which is how writes of many logical connections with the same settings still
 * share one group commit.
 */
public interface WriterSession {
  /**
   * Changes the physical writer from {@code previous} to this session.
   *
   * @param previous the session last applied to {@code writer}, or null for the engine's values
   */
  void applyTo(Connection writer, WriterSession previous) throws SQLException;
}
