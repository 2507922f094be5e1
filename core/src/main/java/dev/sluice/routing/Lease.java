package dev.sluice.routing;

import java.sql.Connection;

/**
 * One use of a physical connection by one statement (or one metadata call): the writer, the reader
 * the logical connection holds, or a reader borrowed for this statement alone. The logical
 * connection counts the uses of what it holds and gives each back when its last use ends ({@link
 * LogicalConnection#end}).
 *
 * <p>Immutable.
 */
final class Lease {
  final Connection connection;
  private final boolean reader;
  private final boolean shared;

  /** The statement runs in auto-commit on this connection, so it may be repeated after BUSY. */
  final boolean retryable;

  private Lease(Connection connection, boolean reader, boolean shared, boolean retryable) {
    this.connection = connection;
    this.reader = reader;
    this.shared = shared;
    this.retryable = retryable;
  }

  /**
   * @param shared the logical connection's own reader (false: borrowed for this statement alone)
   * @param retryable outside a read-only transaction
   */
  static Lease reader(Connection c, boolean shared, boolean retryable) {
    return new Lease(c, true, shared, retryable);
  }

  static Lease writer(Connection c, boolean retryable) {
    return new Lease(c, false, true, retryable);
  }

  boolean isReader() {
    return reader;
  }

  boolean onWriter() {
    return !reader;
  }

  /** Held by the logical connection beyond this use (false: given back when this use ends). */
  boolean isShared() {
    return shared;
  }
}
