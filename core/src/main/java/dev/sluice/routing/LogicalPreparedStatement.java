package dev.sluice.routing;

import dev.sluice.error.Errors;
import dev.sluice.jdbc.DetachedMetaData;
import dev.sluice.jdbc.ParameterInfo;
import dev.sluice.jdbc.Parameters;
import dev.sluice.sql.Classification;
import dev.sluice.sql.SqlClassifier;
import dev.sluice.sql.StatementKind;
import dev.sluice.writer.GroupCommit;
import java.io.InputStream;
import java.io.Reader;
import java.math.BigDecimal;
import java.net.URL;
import java.sql.Array;
import java.sql.Blob;
import java.sql.Clob;
import java.sql.Connection;
import java.sql.Date;
import java.sql.NClob;
import java.sql.ParameterMetaData;
import java.sql.PreparedStatement;
import java.sql.Ref;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.RowId;
import java.sql.SQLException;
import java.sql.SQLType;
import java.sql.SQLXML;
import java.sql.Statement;
import java.sql.Time;
import java.sql.Timestamp;
import java.util.Calendar;

/**
 * A prepared statement of a logical connection. SQL is classified once, here; bound values are
 * recorded in {@link Parameters} and replayed on a physical statement prepared at each execution,
 * on whichever connection the routing rules pick.
 *
 * <p>Not thread-safe, like any JDBC statement.
 */
final class LogicalPreparedStatement extends LogicalStatement implements PreparedStatement {
  private final String sql;
  private final Classification classification;
  private final Parameters params;

  LogicalPreparedStatement(LogicalConnection conn, String sql) throws SQLException {
    super(conn);
    if (sql == null) {
      throw Errors.invalidArgument("prepareStatement: sql is null");
    }
    this.sql = sql;
    this.classification = SqlClassifier.classifyPrepared(sql);
    this.reusable = SqlClassifier.reusable(sql, classification);
    this.params = new Parameters(conn.checkCompiles(sql));
  }

  /** A compiled statement of this SQL may come from, and go back to, a reader's cache. */
  private final boolean reusable;

  @Override
  String reusableSql(String sqlToRun, Classification c, Op op) {
    // The SQL as prepared, for every form of execution: this statement's own is a prepared one.
    return reusable ? sql : null;
  }

  @Override
  void bind(PreparedStatement ps) throws SQLException {
    params.apply(ps);
    boundChanges = params.changes();
  }

  /** {@link Parameters#changes()} when values were last bound to a physical statement. */
  private int boundChanges;

  @Override
  boolean boundValuesCurrent() {
    return params.changes() == boundChanges;
  }

  @Override
  @SuppressWarnings("ReferenceEquality") // a rewrite for this run is another string
  boolean writerReusable(String sqlToRun, Classification c, Op op) {
    if (sqlToRun != sql) {
      return false;
    }
    // A query in a write transaction (read-then-write) compiles like a reader's: kept under the
    // readers' rules, and lent to its result set until that closes.
    return op == Op.UPDATE ? c.kind() == StatementKind.WRITE && c.dml() && !c.multiple() : reusable;
  }

  @Override
  GroupCommit.Binder binder() {
    return params::apply;
  }

  @Override
  Statement createPhysical(Connection c, String sqlToRun) throws SQLException {
    return bound(c.prepareStatement(sqlToRun));
  }

  @Override
  boolean physicalExecute(Statement s, String ignored, Op op) throws SQLException {
    return preparedExecute((PreparedStatement) s, op);
  }

  @Override
  public ResultSet executeQuery() throws SQLException {
    run(sql, classification, QUERY);
    return currentResultSet();
  }

  @Override
  public int executeUpdate() throws SQLException {
    run(sql, classification, UPDATE);
    // The count of the write that ran, even if the data source closed meanwhile (issue 18).
    return lastUpdateCount();
  }

  @Override
  public long executeLargeUpdate() throws SQLException {
    run(sql, classification, UPDATE);
    return lastLargeUpdateCount();
  }

  @Override
  public boolean execute() throws SQLException {
    return run(sql, classification, EXECUTE);
  }

  @Override
  public void addBatch() throws SQLException {
    checkOpen();
    params.addBatch();
  }

  // The Statement methods that take SQL text are refused on a prepared statement, as JDBC asks
  // and plain sqlite-jdbc does; the variants with keys come through these.

  @Override
  public ResultSet executeQuery(String sql) throws SQLException {
    throw notHere("executeQuery(String)");
  }

  @Override
  public int executeUpdate(String sql) throws SQLException {
    throw notHere("executeUpdate(String)");
  }

  @Override
  public long executeLargeUpdate(String sql) throws SQLException {
    throw notHere("executeLargeUpdate(String)");
  }

  @Override
  public boolean execute(String sql) throws SQLException {
    throw notHere("execute(String)");
  }

  @Override
  public void addBatch(String sql) throws SQLException {
    throw notHere("addBatch(String)");
  }

  private SQLException notHere(String method) throws SQLException {
    checkOpen();
    return Errors.notOnPreparedStatement(method);
  }

  @Override
  public void clearBatch() throws SQLException {
    checkOpen();
    params.clearBatch();
    // As plain sqlite-jdbc: clearing the batch unbinds the values set since, too.
    params.clear();
  }

  @Override
  public int[] executeBatch() throws SQLException {
    return toInts(executeLargeBatch());
  }

  @Override
  public long[] executeLargeBatch() throws SQLException {
    checkOpen();
    int rows = params.batchSize();
    if (rows == 0) {
      return new long[0];
    }
    try {
      return runBatch(
          new BatchBody() {
            @Override
            public Statement prepare(Connection c) throws SQLException {
              PreparedStatement ps = c.prepareStatement(sql);
              try {
                for (int i = 0; i < rows; i++) {
                  params.applyBatchRow(i, ps);
                  ps.addBatch();
                }
              } catch (SQLException | RuntimeException e) {
                ps.close();
                throw e;
              }
              return ps;
            }

            @Override
            public int size() {
              return rows;
            }

            @Override
            public boolean inserts() {
              return classification.insert();
            }
          });
    } finally {
      params.clearBatch();
      // As plain sqlite-jdbc: after a batch ran, succeeded or not, no value stays bound.
      params.clear();
    }
  }

  @Override
  public void clearParameters() throws SQLException {
    checkOpen();
    params.clear();
  }

  /**
   * The current result set's metadata; before an execution, the metadata of the statement prepared
   * on a reader (columns are known without running it): a query's columns, or those of an INSERT,
   * UPDATE or DELETE ... RETURNING. Null for a statement without columns (design.md).
   */
  @Override
  public ResultSetMetaData getMetaData() throws SQLException {
    checkOpen();
    ResultSet current = peekResultSet();
    if (current != null) {
      return current.getMetaData();
    }
    if (!classification.isRead() && !(classification.dml() && !classification.multiple())) {
      // Not compiled: some statements (pragmas) act as SQLite prepares them.
      return null;
    }
    return conn.withCompiled(sql, (ps, onReader) -> DetachedMetaData.ofColumns(ps.getMetaData()));
  }

  @Override
  public ParameterMetaData getParameterMetaData() throws SQLException {
    checkOpen();
    int count =
        conn.withCompiled(sql, (ps, onReader) -> ps.getParameterMetaData().getParameterCount());
    return new ParameterInfo(count, this::parameterType);
  }

  /**
   * What plain sqlite-jdbc answers for the type of a parameter: that of the value bound now, asked
   * of a physical statement with the current binds (a cold path; its answers depend on the
   * connection's date settings, which only sqlite-jdbc knows).
   */
  private int parameterType(int param) throws SQLException {
    checkOpen();
    if (!params.everSet()) {
      throw Errors.functionSequence(
          "getParameterType(" + param + "): no parameter has been set yet; bind the values first.");
    }
    return conn.withCompiled(
        sql,
        (ps, onReader) -> {
          params.apply(ps);
          try {
            return ps.getParameterMetaData().getParameterType(param);
          } catch (SQLException e) {
            // sqlite-jdbc's own "Parameter index is invalid" has no SQLState: 22023.
            throw Errors.translateResultSet(e);
          }
        });
  }

  @Override
  public String toString() {
    return "SluicePreparedStatement[" + Errors.abbreviate(sql) + "]";
  }

  @Override
  public void setNull(int index, int sqlType) throws SQLException {
    checkOpen();
    params.setNull(index, sqlType);
  }

  @Override
  public void setNull(int index, int sqlType, String typeName) throws SQLException {
    checkOpen();
    params.setNull(index, sqlType, typeName);
  }

  @Override
  public void setBoolean(int index, boolean value) throws SQLException {
    checkOpen();
    params.setBoolean(index, value);
  }

  @Override
  public void setByte(int index, byte value) throws SQLException {
    checkOpen();
    params.setByte(index, value);
  }

  @Override
  public void setShort(int index, short value) throws SQLException {
    checkOpen();
    params.setShort(index, value);
  }

  @Override
  public void setInt(int index, int value) throws SQLException {
    checkOpen();
    params.setInt(index, value);
  }

  @Override
  public void setLong(int index, long value) throws SQLException {
    checkOpen();
    params.setLong(index, value);
  }

  @Override
  public void setFloat(int index, float value) throws SQLException {
    checkOpen();
    params.setFloat(index, value);
  }

  @Override
  public void setDouble(int index, double value) throws SQLException {
    checkOpen();
    params.setDouble(index, value);
  }

  @Override
  public void setBigDecimal(int index, BigDecimal value) throws SQLException {
    checkOpen();
    params.setBigDecimal(index, value);
  }

  @Override
  public void setString(int index, String value) throws SQLException {
    checkOpen();
    params.setString(index, value);
  }

  @Override
  public void setNString(int index, String value) throws SQLException {
    checkOpen();
    params.setNString(index, value);
  }

  @Override
  public void setBytes(int index, byte[] value) throws SQLException {
    checkOpen();
    params.setBytes(index, value);
  }

  @Override
  public void setDate(int index, Date value) throws SQLException {
    checkOpen();
    params.setDate(index, value);
  }

  @Override
  public void setDate(int index, Date value, Calendar cal) throws SQLException {
    checkOpen();
    params.setDate(index, value, cal);
  }

  @Override
  public void setTime(int index, Time value) throws SQLException {
    checkOpen();
    params.setTime(index, value);
  }

  @Override
  public void setTime(int index, Time value, Calendar cal) throws SQLException {
    checkOpen();
    params.setTime(index, value, cal);
  }

  @Override
  public void setTimestamp(int index, Timestamp value) throws SQLException {
    checkOpen();
    params.setTimestamp(index, value);
  }

  @Override
  public void setTimestamp(int index, Timestamp value, Calendar cal) throws SQLException {
    checkOpen();
    params.setTimestamp(index, value, cal);
  }

  @Override
  public void setObject(int index, Object value) throws SQLException {
    checkOpen();
    params.setObject(index, value);
  }

  @Override
  public void setObject(int index, Object value, int targetSqlType) throws SQLException {
    checkOpen();
    params.setObject(index, value, targetSqlType);
  }

  @Override
  public void setObject(int index, Object value, int targetSqlType, int scaleOrLength)
      throws SQLException {
    checkOpen();
    params.setObject(index, value, targetSqlType, scaleOrLength);
  }

  @Override
  public void setObject(int index, Object value, SQLType targetSqlType) throws SQLException {
    checkOpen();
    params.setObject(index, value, targetSqlType);
  }

  @Override
  public void setObject(int index, Object value, SQLType targetSqlType, int scaleOrLength)
      throws SQLException {
    checkOpen();
    params.setObject(index, value, targetSqlType, scaleOrLength);
  }

  @Override
  public void setAsciiStream(int index, InputStream value) throws SQLException {
    checkOpen();
    params.setAsciiStream(index, value);
  }

  @Override
  public void setAsciiStream(int index, InputStream value, int length) throws SQLException {
    checkOpen();
    params.setAsciiStream(index, value, length);
  }

  @Override
  public void setAsciiStream(int index, InputStream value, long length) throws SQLException {
    checkOpen();
    params.setAsciiStream(index, value, length);
  }

  @Override
  @Deprecated
  public void setUnicodeStream(int index, InputStream value, int length) throws SQLException {
    checkOpen();
    params.setUnicodeStream(index, value, length);
  }

  @Override
  public void setBinaryStream(int index, InputStream value) throws SQLException {
    checkOpen();
    params.setBinaryStream(index, value);
  }

  @Override
  public void setBinaryStream(int index, InputStream value, int length) throws SQLException {
    checkOpen();
    params.setBinaryStream(index, value, length);
  }

  @Override
  public void setBinaryStream(int index, InputStream value, long length) throws SQLException {
    checkOpen();
    params.setBinaryStream(index, value, length);
  }

  @Override
  public void setCharacterStream(int index, Reader value) throws SQLException {
    checkOpen();
    params.setCharacterStream(index, value);
  }

  @Override
  public void setCharacterStream(int index, Reader value, int length) throws SQLException {
    checkOpen();
    params.setCharacterStream(index, value, length);
  }

  @Override
  public void setCharacterStream(int index, Reader value, long length) throws SQLException {
    checkOpen();
    params.setCharacterStream(index, value, length);
  }

  @Override
  public void setNCharacterStream(int index, Reader value) throws SQLException {
    checkOpen();
    params.setNCharacterStream(index, value);
  }

  @Override
  public void setNCharacterStream(int index, Reader value, long length) throws SQLException {
    checkOpen();
    params.setNCharacterStream(index, value, length);
  }

  @Override
  public void setBlob(int index, Blob value) throws SQLException {
    checkOpen();
    params.setBlob(index, value);
  }

  @Override
  public void setBlob(int index, InputStream value) throws SQLException {
    checkOpen();
    params.setBlob(index, value);
  }

  @Override
  public void setBlob(int index, InputStream value, long length) throws SQLException {
    checkOpen();
    params.setBlob(index, value, length);
  }

  @Override
  public void setClob(int index, Clob value) throws SQLException {
    checkOpen();
    params.setClob(index, value);
  }

  @Override
  public void setClob(int index, Reader value) throws SQLException {
    checkOpen();
    params.setClob(index, value);
  }

  @Override
  public void setClob(int index, Reader value, long length) throws SQLException {
    checkOpen();
    params.setClob(index, value, length);
  }

  @Override
  public void setNClob(int index, NClob value) throws SQLException {
    checkOpen();
    params.setNClob(index, value);
  }

  @Override
  public void setNClob(int index, Reader value) throws SQLException {
    checkOpen();
    params.setNClob(index, value);
  }

  @Override
  public void setNClob(int index, Reader value, long length) throws SQLException {
    checkOpen();
    params.setNClob(index, value, length);
  }

  @Override
  public void setURL(int index, URL value) throws SQLException {
    checkOpen();
    params.setURL(index, value);
  }

  @Override
  public void setRowId(int index, RowId value) throws SQLException {
    checkOpen();
    params.setRowId(index, value);
  }

  @Override
  public void setArray(int index, Array value) throws SQLException {
    checkOpen();
    params.setArray(index, value);
  }

  @Override
  public void setRef(int index, Ref value) throws SQLException {
    checkOpen();
    params.setRef(index, value);
  }

  @Override
  public void setSQLXML(int index, SQLXML value) throws SQLException {
    checkOpen();
    params.setSQLXML(index, value);
  }
}
