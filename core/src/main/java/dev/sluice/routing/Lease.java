package dev.sluice.routing;

import java.sql.Connection;
import java.sql.SQLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One use of a physical connection by one statement: a reader borrowed from the pool, the writer
 * taken for one statement, or a connection the logical connection already holds for a transaction.
 * Ending the lease gives back what the statement borrowed, and nothing else.
 *
 * <p>Not thread-safe; used by the thread that runs the statement.
 */
final class Lease {
  private static final Logger LOG = LoggerFactory.getLogger(Lease.class);

  private static final int READER = 0;
  private static final int WRITER = 1;
  private static final int HELD = 2;

  final Connection connection;
  private final int kind;

  /** Whether the statement runs on the writer (the {@code route} tag of metrics). */
  final boolean onWriter;

  private Lease(Connection connection, int kind, boolean onWriter) {
    this.connection = connection;
    this.kind = kind;
    this.onWriter = onWriter;
  }

  static Lease reader(Connection c) {
    return new Lease(c, READER, false);
  }

  /** The writer, taken for this statement only. */
  static Lease writer(Connection c) {
    return new Lease(c, WRITER, true);
  }

  /** A connection the logical connection holds beyond this statement. */
  static Lease held(Connection c, boolean onWriter) {
    return new Lease(c, HELD, onWriter);
  }

  boolean isReader() {
    return kind == READER;
  }

  boolean isHeld() {
    return kind == HELD;
  }

  /** Gives back what this lease borrowed. Never throws: the statement's outcome is what counts. */
  void end(LogicalConnection owner, boolean broken) {
    if (kind == READER) {
      try {
        owner.router.returnReader(connection);
      } catch (SQLException e) {
        LOG.debug("Returning a reader failed", e);
      }
    } else if (kind == WRITER) {
      owner.router.releaseWriter(owner, broken);
    }
  }
}
