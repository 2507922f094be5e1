package dev.sluice.routing;

import dev.sluice.error.Errors;
import dev.sluice.jdbc.ForwardingResultSet;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The result set a caller sees for a query that ran on a borrowed physical connection. It forwards
 * to the physical result set, reports the logical statement as its owner, and on close gives the
 * physical connection back exactly once. It never hands out the physical result set, because that
 * belongs to a pooled connection that may serve someone else after close.
 *
 * <p>Like any JDBC result set it is meant for one thread at a time; {@link #close()} alone may be
 * called from any thread (a statement or connection closing it), so the closed flag is atomic and
 * the connection is never released twice.
 */
final class LogicalResultSet extends ForwardingResultSet {

  /** Gives back what the result set held, typically the borrowed physical connection. */
  @FunctionalInterface
  interface Release {
    void release() throws SQLException;
  }

  /** The physical result set; replaced once if the query moves to the writer mid-way. */
  private ResultSet physical;

  private final Statement statement;
  private final Release onClose;
  private final AtomicBoolean closed = new AtomicBoolean();

  @Override
  protected SQLException failure(SQLException e) {
    if (statement instanceof LogicalStatement logical && logical.conn.router.isClosed()) {
      return dev.sluice.error.Errors.closed("The Sluice data source", e);
    }
    return super.failure(e);
  }

  LogicalResultSet(ResultSet physical, Statement statement, Release onClose) {
    this.physical = physical;
    this.statement = statement;
    this.onClose = onClose;
  }

  @Override
  protected ResultSet target() throws SQLException {
    if (closed.get()) {
      throw Errors.closed("ResultSet");
    }
    return physical;
  }

  /**
   * Closes the physical result set, then releases; the release runs even when the close fails, and
   * the first failure is thrown with any later one suppressed. Later calls do nothing.
   */
  @Override
  public void close() throws SQLException {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    SQLException failure = null;
    try {
      physical.close();
    } catch (SQLException e) {
      failure = e;
    } finally {
      try {
        onClose.release();
      } catch (SQLException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  /** The last row was read and the physical connection given back. */
  private boolean exhausted;

  /** How many rows {@link #next()} has moved to, for a query that moves to the writer mid-way. */
  private long delivered;

  @Override
  public boolean next() throws SQLException {
    if (exhausted) {
      target();
      return false;
    }
    boolean more;
    try {
      more = target().next();
    } catch (SQLException e) {
      ResultSet moved =
          statement instanceof LogicalStatement logical
              ? logical.continueOnWriter(e, delivered)
              : null;
      if (moved == null) {
        throw failure(e);
      }
      physical = moved;
      try {
        more = moved.next();
      } catch (SQLException again) {
        throw failure(again);
      }
    }
    if (more) {
      delivered++;
    } else if (statement instanceof LogicalStatement logical) {
      exhausted = true;
      physical.close();
      logical.exhausted();
    }
    return more;
  }

  @Override
  public boolean isClosed() throws SQLException {
    return closed.get() || (!exhausted && physical.isClosed());
  }

  @Override
  public Statement getStatement() throws SQLException {
    if (closed.get()) {
      throw Errors.closed("ResultSet");
    }
    return statement;
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) {
    return iface != null && iface.isInstance(this);
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    if (isWrapperFor(iface)) {
      return iface.cast(this);
    }
    throw Errors.unsupported(
        "Unwrapping a Sluice ResultSet to "
            + (iface == null ? "null" : iface.getName())
            + " (its physical result set belongs to a pooled connection)");
  }
}
