package dev.sluice.routing;

import dev.sluice.error.Errors;
import dev.sluice.jdbc.DetachedMetaData;
import dev.sluice.jdbc.ForwardingResultSet;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
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
    if (exhausted && !closed.get()) {
      // A column read past the last row: say so, not what sqlite-jdbc says of its closed statement.
      return Errors.invalidArgument(
          "No current row: next() returned false. Read columns only while next() returns true.", e);
    }
    return super.failure(e);
  }

  /**
   * The SQL that made the rows, compiled again for metadata first asked after the last row; null
   * when there is none to compile (a {@code DatabaseMetaData} answer): then the metadata is copied
   * at the last row.
   */
  private final String sql;

  LogicalResultSet(ResultSet physical, Statement statement, Release onClose) {
    this(physical, statement, onClose, null);
  }

  LogicalResultSet(ResultSet physical, Statement statement, Release onClose, String sql) {
    this.physical = physical;
    this.statement = statement;
    this.onClose = onClose;
    this.sql = sql;
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

  /** How many rows {@link #next()} has moved to. */
  long delivered() {
    return delivered;
  }

  /**
   * Goes on from {@code moved}, the same query run again elsewhere and stepped over the rows
   * delivered so far (a transaction that stepped aside from the writer); the old one is closed.
   */
  void moveTo(ResultSet moved) {
    ResultSet old = physical;
    physical = moved;
    try {
      old.close();
    } catch (SQLException e) {
      // Its statement is closed or given back next, which ends it too.
    }
  }

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
      endOfRows();
      logical.exhausted();
    }
    return more;
  }

  /**
   * Closes the physical result set at its end, keeping what the caller may still ask: the cursor
   * state (two fields of sqlite-jdbc's result set) and, only where it is already asked for or
   * cannot be had later, a copy of the metadata (design.md, Routing details).
   */
  private void endOfRows() throws SQLException {
    exhausted = true;
    rowAtEnd = physical.getRow();
    afterLast = physical.isAfterLast();
    if (metaData != null || sql == null) {
      columns = DetachedMetaData.of(physical.getMetaData());
    }
    physical.close();
  }

  // Kept at the end of rows, when the physical result set closes: see endOfRows().
  private int rowAtEnd;
  private boolean afterLast;
  private DetachedMetaData columns;

  /** The metadata handed out, which outlives the physical result set; null until asked for. */
  private ResultSetMetaData metaData;

  @Override
  public ResultSetMetaData getMetaData() throws SQLException {
    target();
    if (metaData == null) {
      metaData = new Columns();
    }
    return metaData;
  }

  /** The columns' metadata now: the physical result set's, or after its end the copy. */
  private ResultSetMetaData columns() throws SQLException {
    if (!exhausted || closed.get()) {
      // Closed: the physical result set's metadata fails as plain sqlite-jdbc's does.
      return physical.getMetaData();
    }
    if (columns == null) {
      // First asked after the last row: compile the query again to learn its columns (cold).
      DetachedMetaData described =
          ((LogicalStatement) statement)
              .conn.withCompiled(
                  sql, (ps, onReader) -> DetachedMetaData.ofColumns(ps.getMetaData()));
      if (described == null) {
        throw Errors.functionSequence("The columns of this result are no longer known.");
      }
      columns = described;
    }
    return columns;
  }

  @Override
  public int findColumn(String columnLabel) throws SQLException {
    if (!exhausted) {
      return super.findColumn(columnLabel);
    }
    target();
    // As sqlite-jdbc: the first column whose label matches, ignoring case.
    ResultSetMetaData m = columns();
    for (int i = 1; i <= m.getColumnCount(); i++) {
      if (m.getColumnLabel(i).equalsIgnoreCase(columnLabel)) {
        return i;
      }
    }
    throw Errors.invalidArgument("no such column: '" + columnLabel + "'");
  }

  @Override
  public boolean isAfterLast() throws SQLException {
    return exhausted ? target() != null && afterLast : super.isAfterLast();
  }

  @Override
  public boolean isBeforeFirst() throws SQLException {
    return exhausted ? target() == null : super.isBeforeFirst();
  }

  @Override
  public boolean isFirst() throws SQLException {
    return exhausted ? target() != null && rowAtEnd == 1 : super.isFirst();
  }

  @Override
  public int getRow() throws SQLException {
    return exhausted ? rowOf(target()) : super.getRow();
  }

  private int rowOf(ResultSet open) {
    return open == null ? 0 : rowAtEnd;
  }

  @Override
  public boolean isClosed() throws SQLException {
    return closed.get() || (!exhausted && physical.isClosed());
  }

  /**
   * The metadata a caller holds: it answers from the physical result set while that is open and
   * from the copy after its end, so a {@code getMetaData()} taken before the loop still answers
   * after it, as on plain (whose result set is its own metadata and stays open at its end).
   */
  private final class Columns implements ResultSetMetaData {
    @Override
    public int getColumnCount() throws SQLException {
      return columns().getColumnCount();
    }

    @Override
    public boolean isAutoIncrement(int column) throws SQLException {
      return columns().isAutoIncrement(column);
    }

    @Override
    public boolean isCaseSensitive(int column) throws SQLException {
      return columns().isCaseSensitive(column);
    }

    @Override
    public boolean isSearchable(int column) throws SQLException {
      return columns().isSearchable(column);
    }

    @Override
    public boolean isCurrency(int column) throws SQLException {
      return columns().isCurrency(column);
    }

    @Override
    public int isNullable(int column) throws SQLException {
      return columns().isNullable(column);
    }

    @Override
    public boolean isSigned(int column) throws SQLException {
      return columns().isSigned(column);
    }

    @Override
    public int getColumnDisplaySize(int column) throws SQLException {
      return columns().getColumnDisplaySize(column);
    }

    @Override
    public String getColumnLabel(int column) throws SQLException {
      return columns().getColumnLabel(column);
    }

    @Override
    public String getColumnName(int column) throws SQLException {
      return columns().getColumnName(column);
    }

    @Override
    public String getSchemaName(int column) throws SQLException {
      return columns().getSchemaName(column);
    }

    @Override
    public int getPrecision(int column) throws SQLException {
      return columns().getPrecision(column);
    }

    @Override
    public int getScale(int column) throws SQLException {
      return columns().getScale(column);
    }

    @Override
    public String getTableName(int column) throws SQLException {
      return columns().getTableName(column);
    }

    @Override
    public String getCatalogName(int column) throws SQLException {
      return columns().getCatalogName(column);
    }

    @Override
    public int getColumnType(int column) throws SQLException {
      return columns().getColumnType(column);
    }

    @Override
    public String getColumnTypeName(int column) throws SQLException {
      return columns().getColumnTypeName(column);
    }

    @Override
    public boolean isReadOnly(int column) throws SQLException {
      return columns().isReadOnly(column);
    }

    @Override
    public boolean isWritable(int column) throws SQLException {
      return columns().isWritable(column);
    }

    @Override
    public boolean isDefinitelyWritable(int column) throws SQLException {
      return columns().isDefinitelyWritable(column);
    }

    @Override
    public String getColumnClassName(int column) throws SQLException {
      return columns().getColumnClassName(column);
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
      if (iface != null && iface.isInstance(this)) {
        return iface.cast(this);
      }
      throw Errors.unsupported(
          "unwrap(" + (iface == null ? "null" : iface.getName()) + ") of Sluice's metadata");
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
      return iface != null && iface.isInstance(this);
    }
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
