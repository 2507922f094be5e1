package dev.sluice.routing;

import java.io.InputStream;
import java.io.Reader;
import java.math.BigDecimal;
import java.net.URL;
import java.sql.Array;
import java.sql.Blob;
import java.sql.Clob;
import java.sql.Date;
import java.sql.NClob;
import java.sql.Ref;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.RowId;
import java.sql.SQLException;
import java.sql.SQLType;
import java.sql.SQLWarning;
import java.sql.SQLXML;
import java.sql.Statement;
import java.sql.Time;
import java.sql.Timestamp;
import java.util.Calendar;
import java.util.Map;

/**
 * Base of Sluice's result sets: every {@link ResultSet} method, default methods included, as a
 * one-line call to {@link #target()}. It exists because result sets are called once per row and
 * column, where a reflective proxy would cost an allocation and a lookup per call; subclasses
 * override only what they change. {@code ForwardingContractTest} fails when the JDK adds a method
 * that is not forwarded here. Thread-safe as far as the target is; result sets are meant for one
 * thread at a time.
 */
abstract class ForwardingResultSet implements ResultSet {

  /** The result set each call goes to; throws instead when this result set cannot be used. */
  protected abstract ResultSet target() throws SQLException;

  @Override
  public boolean absolute(int row) throws SQLException {
    return target().absolute(row);
  }

  @Override
  public void afterLast() throws SQLException {
    target().afterLast();
  }

  @Override
  public void beforeFirst() throws SQLException {
    target().beforeFirst();
  }

  @Override
  public void cancelRowUpdates() throws SQLException {
    target().cancelRowUpdates();
  }

  @Override
  public void clearWarnings() throws SQLException {
    target().clearWarnings();
  }

  @Override
  public void close() throws SQLException {
    target().close();
  }

  @Override
  public void deleteRow() throws SQLException {
    target().deleteRow();
  }

  @Override
  public int findColumn(String columnLabel) throws SQLException {
    return target().findColumn(columnLabel);
  }

  @Override
  public boolean first() throws SQLException {
    return target().first();
  }

  @Override
  public int getConcurrency() throws SQLException {
    return target().getConcurrency();
  }

  @Override
  public String getCursorName() throws SQLException {
    return target().getCursorName();
  }

  @Override
  public int getFetchDirection() throws SQLException {
    return target().getFetchDirection();
  }

  @Override
  public int getFetchSize() throws SQLException {
    return target().getFetchSize();
  }

  @Override
  public int getHoldability() throws SQLException {
    return target().getHoldability();
  }

  @Override
  public ResultSetMetaData getMetaData() throws SQLException {
    return target().getMetaData();
  }

  @Override
  public int getRow() throws SQLException {
    return target().getRow();
  }

  @Override
  public Statement getStatement() throws SQLException {
    return target().getStatement();
  }

  @Override
  public int getType() throws SQLException {
    return target().getType();
  }

  @Override
  public SQLWarning getWarnings() throws SQLException {
    return target().getWarnings();
  }

  @Override
  public void insertRow() throws SQLException {
    target().insertRow();
  }

  @Override
  public boolean isAfterLast() throws SQLException {
    return target().isAfterLast();
  }

  @Override
  public boolean isBeforeFirst() throws SQLException {
    return target().isBeforeFirst();
  }

  @Override
  public boolean isClosed() throws SQLException {
    return target().isClosed();
  }

  @Override
  public boolean isFirst() throws SQLException {
    return target().isFirst();
  }

  @Override
  public boolean isLast() throws SQLException {
    return target().isLast();
  }

  @Override
  public boolean last() throws SQLException {
    return target().last();
  }

  @Override
  public void moveToCurrentRow() throws SQLException {
    target().moveToCurrentRow();
  }

  @Override
  public void moveToInsertRow() throws SQLException {
    target().moveToInsertRow();
  }

  @Override
  public boolean next() throws SQLException {
    return target().next();
  }

  @Override
  public boolean previous() throws SQLException {
    return target().previous();
  }

  @Override
  public void refreshRow() throws SQLException {
    target().refreshRow();
  }

  @Override
  public boolean relative(int rows) throws SQLException {
    return target().relative(rows);
  }

  @Override
  public boolean rowDeleted() throws SQLException {
    return target().rowDeleted();
  }

  @Override
  public boolean rowInserted() throws SQLException {
    return target().rowInserted();
  }

  @Override
  public boolean rowUpdated() throws SQLException {
    return target().rowUpdated();
  }

  @Override
  public void setFetchDirection(int direction) throws SQLException {
    target().setFetchDirection(direction);
  }

  @Override
  public void setFetchSize(int rows) throws SQLException {
    target().setFetchSize(rows);
  }

  @Override
  public void updateRow() throws SQLException {
    target().updateRow();
  }

  @Override
  public boolean wasNull() throws SQLException {
    return target().wasNull();
  }

  @Override
  public Array getArray(int columnIndex) throws SQLException {
    return target().getArray(columnIndex);
  }

  @Override
  public Array getArray(String columnLabel) throws SQLException {
    return target().getArray(columnLabel);
  }

  @Override
  public InputStream getAsciiStream(int columnIndex) throws SQLException {
    return target().getAsciiStream(columnIndex);
  }

  @Override
  public InputStream getAsciiStream(String columnLabel) throws SQLException {
    return target().getAsciiStream(columnLabel);
  }

  @Override
  public BigDecimal getBigDecimal(int columnIndex) throws SQLException {
    return target().getBigDecimal(columnIndex);
  }

  @Override
  public BigDecimal getBigDecimal(String columnLabel) throws SQLException {
    return target().getBigDecimal(columnLabel);
  }

  @Deprecated
  @Override
  public BigDecimal getBigDecimal(int columnIndex, int scale) throws SQLException {
    return target().getBigDecimal(columnIndex, scale);
  }

  @Deprecated
  @Override
  public BigDecimal getBigDecimal(String columnLabel, int scale) throws SQLException {
    return target().getBigDecimal(columnLabel, scale);
  }

  @Override
  public InputStream getBinaryStream(int columnIndex) throws SQLException {
    return target().getBinaryStream(columnIndex);
  }

  @Override
  public InputStream getBinaryStream(String columnLabel) throws SQLException {
    return target().getBinaryStream(columnLabel);
  }

  @Override
  public Blob getBlob(int columnIndex) throws SQLException {
    return target().getBlob(columnIndex);
  }

  @Override
  public Blob getBlob(String columnLabel) throws SQLException {
    return target().getBlob(columnLabel);
  }

  @Override
  public boolean getBoolean(int columnIndex) throws SQLException {
    return target().getBoolean(columnIndex);
  }

  @Override
  public boolean getBoolean(String columnLabel) throws SQLException {
    return target().getBoolean(columnLabel);
  }

  @Override
  public byte getByte(int columnIndex) throws SQLException {
    return target().getByte(columnIndex);
  }

  @Override
  public byte getByte(String columnLabel) throws SQLException {
    return target().getByte(columnLabel);
  }

  @Override
  public byte[] getBytes(int columnIndex) throws SQLException {
    return target().getBytes(columnIndex);
  }

  @Override
  public byte[] getBytes(String columnLabel) throws SQLException {
    return target().getBytes(columnLabel);
  }

  @Override
  public Reader getCharacterStream(int columnIndex) throws SQLException {
    return target().getCharacterStream(columnIndex);
  }

  @Override
  public Reader getCharacterStream(String columnLabel) throws SQLException {
    return target().getCharacterStream(columnLabel);
  }

  @Override
  public Clob getClob(int columnIndex) throws SQLException {
    return target().getClob(columnIndex);
  }

  @Override
  public Clob getClob(String columnLabel) throws SQLException {
    return target().getClob(columnLabel);
  }

  @Override
  public Date getDate(int columnIndex) throws SQLException {
    return target().getDate(columnIndex);
  }

  @Override
  public Date getDate(String columnLabel) throws SQLException {
    return target().getDate(columnLabel);
  }

  @Override
  public Date getDate(int columnIndex, Calendar cal) throws SQLException {
    return target().getDate(columnIndex, cal);
  }

  @Override
  public Date getDate(String columnLabel, Calendar cal) throws SQLException {
    return target().getDate(columnLabel, cal);
  }

  @Override
  public double getDouble(int columnIndex) throws SQLException {
    return target().getDouble(columnIndex);
  }

  @Override
  public double getDouble(String columnLabel) throws SQLException {
    return target().getDouble(columnLabel);
  }

  @Override
  public float getFloat(int columnIndex) throws SQLException {
    return target().getFloat(columnIndex);
  }

  @Override
  public float getFloat(String columnLabel) throws SQLException {
    return target().getFloat(columnLabel);
  }

  @Override
  public int getInt(int columnIndex) throws SQLException {
    return target().getInt(columnIndex);
  }

  @Override
  public int getInt(String columnLabel) throws SQLException {
    return target().getInt(columnLabel);
  }

  @Override
  public long getLong(int columnIndex) throws SQLException {
    return target().getLong(columnIndex);
  }

  @Override
  public long getLong(String columnLabel) throws SQLException {
    return target().getLong(columnLabel);
  }

  @Override
  public Reader getNCharacterStream(int columnIndex) throws SQLException {
    return target().getNCharacterStream(columnIndex);
  }

  @Override
  public Reader getNCharacterStream(String columnLabel) throws SQLException {
    return target().getNCharacterStream(columnLabel);
  }

  @Override
  public NClob getNClob(int columnIndex) throws SQLException {
    return target().getNClob(columnIndex);
  }

  @Override
  public NClob getNClob(String columnLabel) throws SQLException {
    return target().getNClob(columnLabel);
  }

  @Override
  public String getNString(int columnIndex) throws SQLException {
    return target().getNString(columnIndex);
  }

  @Override
  public String getNString(String columnLabel) throws SQLException {
    return target().getNString(columnLabel);
  }

  @Override
  public Object getObject(int columnIndex) throws SQLException {
    return target().getObject(columnIndex);
  }

  @Override
  public Object getObject(String columnLabel) throws SQLException {
    return target().getObject(columnLabel);
  }

  @Override
  public <T> T getObject(int columnIndex, Class<T> type) throws SQLException {
    return target().getObject(columnIndex, type);
  }

  @Override
  public Object getObject(int columnIndex, Map<String, Class<?>> map) throws SQLException {
    return target().getObject(columnIndex, map);
  }

  @Override
  public <T> T getObject(String columnLabel, Class<T> type) throws SQLException {
    return target().getObject(columnLabel, type);
  }

  @Override
  public Object getObject(String columnLabel, Map<String, Class<?>> map) throws SQLException {
    return target().getObject(columnLabel, map);
  }

  @Override
  public Ref getRef(int columnIndex) throws SQLException {
    return target().getRef(columnIndex);
  }

  @Override
  public Ref getRef(String columnLabel) throws SQLException {
    return target().getRef(columnLabel);
  }

  @Override
  public RowId getRowId(int columnIndex) throws SQLException {
    return target().getRowId(columnIndex);
  }

  @Override
  public RowId getRowId(String columnLabel) throws SQLException {
    return target().getRowId(columnLabel);
  }

  @Override
  public SQLXML getSQLXML(int columnIndex) throws SQLException {
    return target().getSQLXML(columnIndex);
  }

  @Override
  public SQLXML getSQLXML(String columnLabel) throws SQLException {
    return target().getSQLXML(columnLabel);
  }

  @Override
  public short getShort(int columnIndex) throws SQLException {
    return target().getShort(columnIndex);
  }

  @Override
  public short getShort(String columnLabel) throws SQLException {
    return target().getShort(columnLabel);
  }

  @Override
  public String getString(int columnIndex) throws SQLException {
    return target().getString(columnIndex);
  }

  @Override
  public String getString(String columnLabel) throws SQLException {
    return target().getString(columnLabel);
  }

  @Override
  public Time getTime(int columnIndex) throws SQLException {
    return target().getTime(columnIndex);
  }

  @Override
  public Time getTime(String columnLabel) throws SQLException {
    return target().getTime(columnLabel);
  }

  @Override
  public Time getTime(int columnIndex, Calendar cal) throws SQLException {
    return target().getTime(columnIndex, cal);
  }

  @Override
  public Time getTime(String columnLabel, Calendar cal) throws SQLException {
    return target().getTime(columnLabel, cal);
  }

  @Override
  public Timestamp getTimestamp(int columnIndex) throws SQLException {
    return target().getTimestamp(columnIndex);
  }

  @Override
  public Timestamp getTimestamp(String columnLabel) throws SQLException {
    return target().getTimestamp(columnLabel);
  }

  @Override
  public Timestamp getTimestamp(int columnIndex, Calendar cal) throws SQLException {
    return target().getTimestamp(columnIndex, cal);
  }

  @Override
  public Timestamp getTimestamp(String columnLabel, Calendar cal) throws SQLException {
    return target().getTimestamp(columnLabel, cal);
  }

  @Override
  public URL getURL(int columnIndex) throws SQLException {
    return target().getURL(columnIndex);
  }

  @Override
  public URL getURL(String columnLabel) throws SQLException {
    return target().getURL(columnLabel);
  }

  @Deprecated
  @Override
  public InputStream getUnicodeStream(int columnIndex) throws SQLException {
    return target().getUnicodeStream(columnIndex);
  }

  @Deprecated
  @Override
  public InputStream getUnicodeStream(String columnLabel) throws SQLException {
    return target().getUnicodeStream(columnLabel);
  }

  @Override
  public void updateArray(int columnIndex, Array x) throws SQLException {
    target().updateArray(columnIndex, x);
  }

  @Override
  public void updateArray(String columnLabel, Array x) throws SQLException {
    target().updateArray(columnLabel, x);
  }

  @Override
  public void updateAsciiStream(int columnIndex, InputStream inputStream) throws SQLException {
    target().updateAsciiStream(columnIndex, inputStream);
  }

  @Override
  public void updateAsciiStream(String columnLabel, InputStream inputStream) throws SQLException {
    target().updateAsciiStream(columnLabel, inputStream);
  }

  @Override
  public void updateAsciiStream(int columnIndex, InputStream inputStream, int length)
      throws SQLException {
    target().updateAsciiStream(columnIndex, inputStream, length);
  }

  @Override
  public void updateAsciiStream(int columnIndex, InputStream inputStream, long length)
      throws SQLException {
    target().updateAsciiStream(columnIndex, inputStream, length);
  }

  @Override
  public void updateAsciiStream(String columnLabel, InputStream inputStream, int length)
      throws SQLException {
    target().updateAsciiStream(columnLabel, inputStream, length);
  }

  @Override
  public void updateAsciiStream(String columnLabel, InputStream inputStream, long length)
      throws SQLException {
    target().updateAsciiStream(columnLabel, inputStream, length);
  }

  @Override
  public void updateBigDecimal(int columnIndex, BigDecimal x) throws SQLException {
    target().updateBigDecimal(columnIndex, x);
  }

  @Override
  public void updateBigDecimal(String columnLabel, BigDecimal x) throws SQLException {
    target().updateBigDecimal(columnLabel, x);
  }

  @Override
  public void updateBinaryStream(int columnIndex, InputStream inputStream) throws SQLException {
    target().updateBinaryStream(columnIndex, inputStream);
  }

  @Override
  public void updateBinaryStream(String columnLabel, InputStream inputStream) throws SQLException {
    target().updateBinaryStream(columnLabel, inputStream);
  }

  @Override
  public void updateBinaryStream(int columnIndex, InputStream inputStream, int length)
      throws SQLException {
    target().updateBinaryStream(columnIndex, inputStream, length);
  }

  @Override
  public void updateBinaryStream(int columnIndex, InputStream inputStream, long length)
      throws SQLException {
    target().updateBinaryStream(columnIndex, inputStream, length);
  }

  @Override
  public void updateBinaryStream(String columnLabel, InputStream inputStream, int length)
      throws SQLException {
    target().updateBinaryStream(columnLabel, inputStream, length);
  }

  @Override
  public void updateBinaryStream(String columnLabel, InputStream inputStream, long length)
      throws SQLException {
    target().updateBinaryStream(columnLabel, inputStream, length);
  }

  @Override
  public void updateBlob(int columnIndex, InputStream inputStream) throws SQLException {
    target().updateBlob(columnIndex, inputStream);
  }

  @Override
  public void updateBlob(int columnIndex, Blob x) throws SQLException {
    target().updateBlob(columnIndex, x);
  }

  @Override
  public void updateBlob(String columnLabel, InputStream inputStream) throws SQLException {
    target().updateBlob(columnLabel, inputStream);
  }

  @Override
  public void updateBlob(String columnLabel, Blob x) throws SQLException {
    target().updateBlob(columnLabel, x);
  }

  @Override
  public void updateBlob(int columnIndex, InputStream inputStream, long length)
      throws SQLException {
    target().updateBlob(columnIndex, inputStream, length);
  }

  @Override
  public void updateBlob(String columnLabel, InputStream inputStream, long length)
      throws SQLException {
    target().updateBlob(columnLabel, inputStream, length);
  }

  @Override
  public void updateBoolean(int columnIndex, boolean x) throws SQLException {
    target().updateBoolean(columnIndex, x);
  }

  @Override
  public void updateBoolean(String columnLabel, boolean x) throws SQLException {
    target().updateBoolean(columnLabel, x);
  }

  @Override
  public void updateByte(int columnIndex, byte x) throws SQLException {
    target().updateByte(columnIndex, x);
  }

  @Override
  public void updateByte(String columnLabel, byte x) throws SQLException {
    target().updateByte(columnLabel, x);
  }

  @Override
  public void updateBytes(int columnIndex, byte[] x) throws SQLException {
    target().updateBytes(columnIndex, x);
  }

  @Override
  public void updateBytes(String columnLabel, byte[] x) throws SQLException {
    target().updateBytes(columnLabel, x);
  }

  @Override
  public void updateCharacterStream(int columnIndex, Reader reader) throws SQLException {
    target().updateCharacterStream(columnIndex, reader);
  }

  @Override
  public void updateCharacterStream(String columnLabel, Reader reader) throws SQLException {
    target().updateCharacterStream(columnLabel, reader);
  }

  @Override
  public void updateCharacterStream(int columnIndex, Reader reader, int length)
      throws SQLException {
    target().updateCharacterStream(columnIndex, reader, length);
  }

  @Override
  public void updateCharacterStream(int columnIndex, Reader reader, long length)
      throws SQLException {
    target().updateCharacterStream(columnIndex, reader, length);
  }

  @Override
  public void updateCharacterStream(String columnLabel, Reader reader, int length)
      throws SQLException {
    target().updateCharacterStream(columnLabel, reader, length);
  }

  @Override
  public void updateCharacterStream(String columnLabel, Reader reader, long length)
      throws SQLException {
    target().updateCharacterStream(columnLabel, reader, length);
  }

  @Override
  public void updateClob(int columnIndex, Reader reader) throws SQLException {
    target().updateClob(columnIndex, reader);
  }

  @Override
  public void updateClob(int columnIndex, Clob x) throws SQLException {
    target().updateClob(columnIndex, x);
  }

  @Override
  public void updateClob(String columnLabel, Reader reader) throws SQLException {
    target().updateClob(columnLabel, reader);
  }

  @Override
  public void updateClob(String columnLabel, Clob x) throws SQLException {
    target().updateClob(columnLabel, x);
  }

  @Override
  public void updateClob(int columnIndex, Reader reader, long length) throws SQLException {
    target().updateClob(columnIndex, reader, length);
  }

  @Override
  public void updateClob(String columnLabel, Reader reader, long length) throws SQLException {
    target().updateClob(columnLabel, reader, length);
  }

  @Override
  public void updateDate(int columnIndex, Date x) throws SQLException {
    target().updateDate(columnIndex, x);
  }

  @Override
  public void updateDate(String columnLabel, Date x) throws SQLException {
    target().updateDate(columnLabel, x);
  }

  @Override
  public void updateDouble(int columnIndex, double x) throws SQLException {
    target().updateDouble(columnIndex, x);
  }

  @Override
  public void updateDouble(String columnLabel, double x) throws SQLException {
    target().updateDouble(columnLabel, x);
  }

  @Override
  public void updateFloat(int columnIndex, float x) throws SQLException {
    target().updateFloat(columnIndex, x);
  }

  @Override
  public void updateFloat(String columnLabel, float x) throws SQLException {
    target().updateFloat(columnLabel, x);
  }

  @Override
  public void updateInt(int columnIndex, int x) throws SQLException {
    target().updateInt(columnIndex, x);
  }

  @Override
  public void updateInt(String columnLabel, int x) throws SQLException {
    target().updateInt(columnLabel, x);
  }

  @Override
  public void updateLong(int columnIndex, long x) throws SQLException {
    target().updateLong(columnIndex, x);
  }

  @Override
  public void updateLong(String columnLabel, long x) throws SQLException {
    target().updateLong(columnLabel, x);
  }

  @Override
  public void updateNCharacterStream(int columnIndex, Reader reader) throws SQLException {
    target().updateNCharacterStream(columnIndex, reader);
  }

  @Override
  public void updateNCharacterStream(String columnLabel, Reader reader) throws SQLException {
    target().updateNCharacterStream(columnLabel, reader);
  }

  @Override
  public void updateNCharacterStream(int columnIndex, Reader reader, long length)
      throws SQLException {
    target().updateNCharacterStream(columnIndex, reader, length);
  }

  @Override
  public void updateNCharacterStream(String columnLabel, Reader reader, long length)
      throws SQLException {
    target().updateNCharacterStream(columnLabel, reader, length);
  }

  @Override
  public void updateNClob(int columnIndex, Reader reader) throws SQLException {
    target().updateNClob(columnIndex, reader);
  }

  @Override
  public void updateNClob(int columnIndex, NClob x) throws SQLException {
    target().updateNClob(columnIndex, x);
  }

  @Override
  public void updateNClob(String columnLabel, Reader reader) throws SQLException {
    target().updateNClob(columnLabel, reader);
  }

  @Override
  public void updateNClob(String columnLabel, NClob x) throws SQLException {
    target().updateNClob(columnLabel, x);
  }

  @Override
  public void updateNClob(int columnIndex, Reader reader, long length) throws SQLException {
    target().updateNClob(columnIndex, reader, length);
  }

  @Override
  public void updateNClob(String columnLabel, Reader reader, long length) throws SQLException {
    target().updateNClob(columnLabel, reader, length);
  }

  @Override
  public void updateNString(int columnIndex, String x) throws SQLException {
    target().updateNString(columnIndex, x);
  }

  @Override
  public void updateNString(String columnLabel, String x) throws SQLException {
    target().updateNString(columnLabel, x);
  }

  @Override
  public void updateNull(int columnIndex) throws SQLException {
    target().updateNull(columnIndex);
  }

  @Override
  public void updateNull(String columnLabel) throws SQLException {
    target().updateNull(columnLabel);
  }

  @Override
  public void updateObject(int columnIndex, Object x) throws SQLException {
    target().updateObject(columnIndex, x);
  }

  @Override
  public void updateObject(String columnLabel, Object x) throws SQLException {
    target().updateObject(columnLabel, x);
  }

  @Override
  public void updateObject(int columnIndex, Object x, int scaleOrLength) throws SQLException {
    target().updateObject(columnIndex, x, scaleOrLength);
  }

  @Override
  public void updateObject(int columnIndex, Object x, SQLType targetSqlType) throws SQLException {
    target().updateObject(columnIndex, x, targetSqlType);
  }

  @Override
  public void updateObject(String columnLabel, Object x, int scaleOrLength) throws SQLException {
    target().updateObject(columnLabel, x, scaleOrLength);
  }

  @Override
  public void updateObject(String columnLabel, Object x, SQLType targetSqlType)
      throws SQLException {
    target().updateObject(columnLabel, x, targetSqlType);
  }

  @Override
  public void updateObject(int columnIndex, Object x, SQLType targetSqlType, int scaleOrLength)
      throws SQLException {
    target().updateObject(columnIndex, x, targetSqlType, scaleOrLength);
  }

  @Override
  public void updateObject(String columnLabel, Object x, SQLType targetSqlType, int scaleOrLength)
      throws SQLException {
    target().updateObject(columnLabel, x, targetSqlType, scaleOrLength);
  }

  @Override
  public void updateRef(int columnIndex, Ref x) throws SQLException {
    target().updateRef(columnIndex, x);
  }

  @Override
  public void updateRef(String columnLabel, Ref x) throws SQLException {
    target().updateRef(columnLabel, x);
  }

  @Override
  public void updateRowId(int columnIndex, RowId x) throws SQLException {
    target().updateRowId(columnIndex, x);
  }

  @Override
  public void updateRowId(String columnLabel, RowId x) throws SQLException {
    target().updateRowId(columnLabel, x);
  }

  @Override
  public void updateSQLXML(int columnIndex, SQLXML x) throws SQLException {
    target().updateSQLXML(columnIndex, x);
  }

  @Override
  public void updateSQLXML(String columnLabel, SQLXML x) throws SQLException {
    target().updateSQLXML(columnLabel, x);
  }

  @Override
  public void updateShort(int columnIndex, short x) throws SQLException {
    target().updateShort(columnIndex, x);
  }

  @Override
  public void updateShort(String columnLabel, short x) throws SQLException {
    target().updateShort(columnLabel, x);
  }

  @Override
  public void updateString(int columnIndex, String x) throws SQLException {
    target().updateString(columnIndex, x);
  }

  @Override
  public void updateString(String columnLabel, String x) throws SQLException {
    target().updateString(columnLabel, x);
  }

  @Override
  public void updateTime(int columnIndex, Time x) throws SQLException {
    target().updateTime(columnIndex, x);
  }

  @Override
  public void updateTime(String columnLabel, Time x) throws SQLException {
    target().updateTime(columnLabel, x);
  }

  @Override
  public void updateTimestamp(int columnIndex, Timestamp x) throws SQLException {
    target().updateTimestamp(columnIndex, x);
  }

  @Override
  public void updateTimestamp(String columnLabel, Timestamp x) throws SQLException {
    target().updateTimestamp(columnLabel, x);
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) throws SQLException {
    return target().isWrapperFor(iface);
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    return target().unwrap(iface);
  }
}
