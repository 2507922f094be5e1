package dev.sluice.jdbc;

import dev.sluice.error.Errors;
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
 * that is not forwarded here. SQLite errors (a failing step in {@code next()}, a bad column index)
 * leave as Sluice's translated exceptions, with a SQLState. Thread-safe as far as the target is;
 * result sets are meant for one thread at a time.
 */
public abstract class ForwardingResultSet implements ResultSet {

  /** The result set each call goes to; throws instead when this result set cannot be used. */
  protected abstract ResultSet target() throws SQLException;

  /** The exception a failed call throws: SQLite's translated, sqlite-jdbc's own as 22023. */
  protected SQLException failure(SQLException e) {
    return Errors.translateResultSet(e);
  }

  @Override
  public boolean absolute(int row) throws SQLException {
    try {
      return target().absolute(row);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void afterLast() throws SQLException {
    try {
      target().afterLast();
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void beforeFirst() throws SQLException {
    try {
      target().beforeFirst();
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void cancelRowUpdates() throws SQLException {
    try {
      target().cancelRowUpdates();
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void clearWarnings() throws SQLException {
    try {
      target().clearWarnings();
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void close() throws SQLException {
    try {
      target().close();
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void deleteRow() throws SQLException {
    try {
      target().deleteRow();
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public int findColumn(String columnLabel) throws SQLException {
    try {
      return target().findColumn(columnLabel);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public boolean first() throws SQLException {
    try {
      return target().first();
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public int getConcurrency() throws SQLException {
    try {
      return target().getConcurrency();
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public String getCursorName() throws SQLException {
    try {
      return target().getCursorName();
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public int getFetchDirection() throws SQLException {
    try {
      return target().getFetchDirection();
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public int getFetchSize() throws SQLException {
    try {
      return target().getFetchSize();
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public int getHoldability() throws SQLException {
    try {
      return target().getHoldability();
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public ResultSetMetaData getMetaData() throws SQLException {
    try {
      return target().getMetaData();
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public int getRow() throws SQLException {
    try {
      return target().getRow();
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public Statement getStatement() throws SQLException {
    try {
      return target().getStatement();
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public int getType() throws SQLException {
    try {
      return target().getType();
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public SQLWarning getWarnings() throws SQLException {
    try {
      return target().getWarnings();
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void insertRow() throws SQLException {
    try {
      target().insertRow();
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public boolean isAfterLast() throws SQLException {
    try {
      return target().isAfterLast();
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public boolean isBeforeFirst() throws SQLException {
    try {
      return target().isBeforeFirst();
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public boolean isClosed() throws SQLException {
    try {
      return target().isClosed();
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public boolean isFirst() throws SQLException {
    try {
      return target().isFirst();
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public boolean isLast() throws SQLException {
    try {
      return target().isLast();
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public boolean last() throws SQLException {
    try {
      return target().last();
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void moveToCurrentRow() throws SQLException {
    try {
      target().moveToCurrentRow();
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void moveToInsertRow() throws SQLException {
    try {
      target().moveToInsertRow();
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public boolean next() throws SQLException {
    try {
      return target().next();
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public boolean previous() throws SQLException {
    try {
      return target().previous();
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void refreshRow() throws SQLException {
    try {
      target().refreshRow();
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public boolean relative(int rows) throws SQLException {
    try {
      return target().relative(rows);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public boolean rowDeleted() throws SQLException {
    try {
      return target().rowDeleted();
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public boolean rowInserted() throws SQLException {
    try {
      return target().rowInserted();
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public boolean rowUpdated() throws SQLException {
    try {
      return target().rowUpdated();
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void setFetchDirection(int direction) throws SQLException {
    try {
      target().setFetchDirection(direction);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void setFetchSize(int rows) throws SQLException {
    try {
      target().setFetchSize(rows);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void updateRow() throws SQLException {
    try {
      target().updateRow();
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public boolean wasNull() throws SQLException {
    try {
      return target().wasNull();
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public Array getArray(int columnIndex) throws SQLException {
    try {
      return target().getArray(columnIndex);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public Array getArray(String columnLabel) throws SQLException {
    try {
      return target().getArray(columnLabel);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public InputStream getAsciiStream(int columnIndex) throws SQLException {
    try {
      return target().getAsciiStream(columnIndex);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public InputStream getAsciiStream(String columnLabel) throws SQLException {
    try {
      return target().getAsciiStream(columnLabel);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public BigDecimal getBigDecimal(int columnIndex) throws SQLException {
    try {
      return target().getBigDecimal(columnIndex);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public BigDecimal getBigDecimal(String columnLabel) throws SQLException {
    try {
      return target().getBigDecimal(columnLabel);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Deprecated
  @Override
  public BigDecimal getBigDecimal(int columnIndex, int scale) throws SQLException {
    try {
      return target().getBigDecimal(columnIndex, scale);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Deprecated
  @Override
  public BigDecimal getBigDecimal(String columnLabel, int scale) throws SQLException {
    try {
      return target().getBigDecimal(columnLabel, scale);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public InputStream getBinaryStream(int columnIndex) throws SQLException {
    try {
      return target().getBinaryStream(columnIndex);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public InputStream getBinaryStream(String columnLabel) throws SQLException {
    try {
      return target().getBinaryStream(columnLabel);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public Blob getBlob(int columnIndex) throws SQLException {
    try {
      return target().getBlob(columnIndex);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public Blob getBlob(String columnLabel) throws SQLException {
    try {
      return target().getBlob(columnLabel);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public boolean getBoolean(int columnIndex) throws SQLException {
    try {
      return target().getBoolean(columnIndex);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public boolean getBoolean(String columnLabel) throws SQLException {
    try {
      return target().getBoolean(columnLabel);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public byte getByte(int columnIndex) throws SQLException {
    try {
      return target().getByte(columnIndex);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public byte getByte(String columnLabel) throws SQLException {
    try {
      return target().getByte(columnLabel);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public byte[] getBytes(int columnIndex) throws SQLException {
    try {
      return target().getBytes(columnIndex);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public byte[] getBytes(String columnLabel) throws SQLException {
    try {
      return target().getBytes(columnLabel);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public Reader getCharacterStream(int columnIndex) throws SQLException {
    try {
      return target().getCharacterStream(columnIndex);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public Reader getCharacterStream(String columnLabel) throws SQLException {
    try {
      return target().getCharacterStream(columnLabel);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public Clob getClob(int columnIndex) throws SQLException {
    try {
      return target().getClob(columnIndex);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public Clob getClob(String columnLabel) throws SQLException {
    try {
      return target().getClob(columnLabel);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public Date getDate(int columnIndex) throws SQLException {
    try {
      return target().getDate(columnIndex);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public Date getDate(String columnLabel) throws SQLException {
    try {
      return target().getDate(columnLabel);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public Date getDate(int columnIndex, Calendar cal) throws SQLException {
    try {
      return target().getDate(columnIndex, cal);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public Date getDate(String columnLabel, Calendar cal) throws SQLException {
    try {
      return target().getDate(columnLabel, cal);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public double getDouble(int columnIndex) throws SQLException {
    try {
      return target().getDouble(columnIndex);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public double getDouble(String columnLabel) throws SQLException {
    try {
      return target().getDouble(columnLabel);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public float getFloat(int columnIndex) throws SQLException {
    try {
      return target().getFloat(columnIndex);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public float getFloat(String columnLabel) throws SQLException {
    try {
      return target().getFloat(columnLabel);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public int getInt(int columnIndex) throws SQLException {
    try {
      return target().getInt(columnIndex);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public int getInt(String columnLabel) throws SQLException {
    try {
      return target().getInt(columnLabel);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public long getLong(int columnIndex) throws SQLException {
    try {
      return target().getLong(columnIndex);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public long getLong(String columnLabel) throws SQLException {
    try {
      return target().getLong(columnLabel);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public Reader getNCharacterStream(int columnIndex) throws SQLException {
    try {
      return target().getNCharacterStream(columnIndex);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public Reader getNCharacterStream(String columnLabel) throws SQLException {
    try {
      return target().getNCharacterStream(columnLabel);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public NClob getNClob(int columnIndex) throws SQLException {
    try {
      return target().getNClob(columnIndex);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public NClob getNClob(String columnLabel) throws SQLException {
    try {
      return target().getNClob(columnLabel);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public String getNString(int columnIndex) throws SQLException {
    try {
      return target().getNString(columnIndex);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public String getNString(String columnLabel) throws SQLException {
    try {
      return target().getNString(columnLabel);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public Object getObject(int columnIndex) throws SQLException {
    try {
      return target().getObject(columnIndex);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public Object getObject(String columnLabel) throws SQLException {
    try {
      return target().getObject(columnLabel);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public <T> T getObject(int columnIndex, Class<T> type) throws SQLException {
    try {
      return target().getObject(columnIndex, type);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public Object getObject(int columnIndex, Map<String, Class<?>> map) throws SQLException {
    try {
      return target().getObject(columnIndex, map);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public <T> T getObject(String columnLabel, Class<T> type) throws SQLException {
    try {
      return target().getObject(columnLabel, type);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public Object getObject(String columnLabel, Map<String, Class<?>> map) throws SQLException {
    try {
      return target().getObject(columnLabel, map);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public Ref getRef(int columnIndex) throws SQLException {
    try {
      return target().getRef(columnIndex);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public Ref getRef(String columnLabel) throws SQLException {
    try {
      return target().getRef(columnLabel);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public RowId getRowId(int columnIndex) throws SQLException {
    try {
      return target().getRowId(columnIndex);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public RowId getRowId(String columnLabel) throws SQLException {
    try {
      return target().getRowId(columnLabel);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public SQLXML getSQLXML(int columnIndex) throws SQLException {
    try {
      return target().getSQLXML(columnIndex);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public SQLXML getSQLXML(String columnLabel) throws SQLException {
    try {
      return target().getSQLXML(columnLabel);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public short getShort(int columnIndex) throws SQLException {
    try {
      return target().getShort(columnIndex);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public short getShort(String columnLabel) throws SQLException {
    try {
      return target().getShort(columnLabel);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public String getString(int columnIndex) throws SQLException {
    try {
      return target().getString(columnIndex);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public String getString(String columnLabel) throws SQLException {
    try {
      return target().getString(columnLabel);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public Time getTime(int columnIndex) throws SQLException {
    try {
      return target().getTime(columnIndex);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public Time getTime(String columnLabel) throws SQLException {
    try {
      return target().getTime(columnLabel);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public Time getTime(int columnIndex, Calendar cal) throws SQLException {
    try {
      return target().getTime(columnIndex, cal);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public Time getTime(String columnLabel, Calendar cal) throws SQLException {
    try {
      return target().getTime(columnLabel, cal);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public Timestamp getTimestamp(int columnIndex) throws SQLException {
    try {
      return target().getTimestamp(columnIndex);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public Timestamp getTimestamp(String columnLabel) throws SQLException {
    try {
      return target().getTimestamp(columnLabel);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public Timestamp getTimestamp(int columnIndex, Calendar cal) throws SQLException {
    try {
      return target().getTimestamp(columnIndex, cal);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public Timestamp getTimestamp(String columnLabel, Calendar cal) throws SQLException {
    try {
      return target().getTimestamp(columnLabel, cal);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public URL getURL(int columnIndex) throws SQLException {
    try {
      return target().getURL(columnIndex);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public URL getURL(String columnLabel) throws SQLException {
    try {
      return target().getURL(columnLabel);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Deprecated
  @Override
  public InputStream getUnicodeStream(int columnIndex) throws SQLException {
    try {
      return target().getUnicodeStream(columnIndex);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Deprecated
  @Override
  public InputStream getUnicodeStream(String columnLabel) throws SQLException {
    try {
      return target().getUnicodeStream(columnLabel);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void updateArray(int columnIndex, Array x) throws SQLException {
    try {
      target().updateArray(columnIndex, x);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void updateArray(String columnLabel, Array x) throws SQLException {
    try {
      target().updateArray(columnLabel, x);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void updateAsciiStream(int columnIndex, InputStream inputStream) throws SQLException {
    try {
      target().updateAsciiStream(columnIndex, inputStream);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void updateAsciiStream(String columnLabel, InputStream inputStream) throws SQLException {
    try {
      target().updateAsciiStream(columnLabel, inputStream);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void updateAsciiStream(int columnIndex, InputStream inputStream, int length)
      throws SQLException {
    try {
      target().updateAsciiStream(columnIndex, inputStream, length);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void updateAsciiStream(int columnIndex, InputStream inputStream, long length)
      throws SQLException {
    try {
      target().updateAsciiStream(columnIndex, inputStream, length);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void updateAsciiStream(String columnLabel, InputStream inputStream, int length)
      throws SQLException {
    try {
      target().updateAsciiStream(columnLabel, inputStream, length);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void updateAsciiStream(String columnLabel, InputStream inputStream, long length)
      throws SQLException {
    try {
      target().updateAsciiStream(columnLabel, inputStream, length);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void updateBigDecimal(int columnIndex, BigDecimal x) throws SQLException {
    try {
      target().updateBigDecimal(columnIndex, x);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void updateBigDecimal(String columnLabel, BigDecimal x) throws SQLException {
    try {
      target().updateBigDecimal(columnLabel, x);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void updateBinaryStream(int columnIndex, InputStream inputStream) throws SQLException {
    try {
      target().updateBinaryStream(columnIndex, inputStream);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void updateBinaryStream(String columnLabel, InputStream inputStream) throws SQLException {
    try {
      target().updateBinaryStream(columnLabel, inputStream);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void updateBinaryStream(int columnIndex, InputStream inputStream, int length)
      throws SQLException {
    try {
      target().updateBinaryStream(columnIndex, inputStream, length);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void updateBinaryStream(int columnIndex, InputStream inputStream, long length)
      throws SQLException {
    try {
      target().updateBinaryStream(columnIndex, inputStream, length);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void updateBinaryStream(String columnLabel, InputStream inputStream, int length)
      throws SQLException {
    try {
      target().updateBinaryStream(columnLabel, inputStream, length);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void updateBinaryStream(String columnLabel, InputStream inputStream, long length)
      throws SQLException {
    try {
      target().updateBinaryStream(columnLabel, inputStream, length);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void updateBlob(int columnIndex, InputStream inputStream) throws SQLException {
    try {
      target().updateBlob(columnIndex, inputStream);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void updateBlob(int columnIndex, Blob x) throws SQLException {
    try {
      target().updateBlob(columnIndex, x);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void updateBlob(String columnLabel, InputStream inputStream) throws SQLException {
    try {
      target().updateBlob(columnLabel, inputStream);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void updateBlob(String columnLabel, Blob x) throws SQLException {
    try {
      target().updateBlob(columnLabel, x);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void updateBlob(int columnIndex, InputStream inputStream, long length)
      throws SQLException {
    try {
      target().updateBlob(columnIndex, inputStream, length);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void updateBlob(String columnLabel, InputStream inputStream, long length)
      throws SQLException {
    try {
      target().updateBlob(columnLabel, inputStream, length);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void updateBoolean(int columnIndex, boolean x) throws SQLException {
    try {
      target().updateBoolean(columnIndex, x);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void updateBoolean(String columnLabel, boolean x) throws SQLException {
    try {
      target().updateBoolean(columnLabel, x);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void updateByte(int columnIndex, byte x) throws SQLException {
    try {
      target().updateByte(columnIndex, x);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void updateByte(String columnLabel, byte x) throws SQLException {
    try {
      target().updateByte(columnLabel, x);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void updateBytes(int columnIndex, byte[] x) throws SQLException {
    try {
      target().updateBytes(columnIndex, x);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void updateBytes(String columnLabel, byte[] x) throws SQLException {
    try {
      target().updateBytes(columnLabel, x);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void updateCharacterStream(int columnIndex, Reader reader) throws SQLException {
    try {
      target().updateCharacterStream(columnIndex, reader);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void updateCharacterStream(String columnLabel, Reader reader) throws SQLException {
    try {
      target().updateCharacterStream(columnLabel, reader);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void updateCharacterStream(int columnIndex, Reader reader, int length)
      throws SQLException {
    try {
      target().updateCharacterStream(columnIndex, reader, length);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void updateCharacterStream(int columnIndex, Reader reader, long length)
      throws SQLException {
    try {
      target().updateCharacterStream(columnIndex, reader, length);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void updateCharacterStream(String columnLabel, Reader reader, int length)
      throws SQLException {
    try {
      target().updateCharacterStream(columnLabel, reader, length);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void updateCharacterStream(String columnLabel, Reader reader, long length)
      throws SQLException {
    try {
      target().updateCharacterStream(columnLabel, reader, length);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void updateClob(int columnIndex, Reader reader) throws SQLException {
    try {
      target().updateClob(columnIndex, reader);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void updateClob(int columnIndex, Clob x) throws SQLException {
    try {
      target().updateClob(columnIndex, x);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void updateClob(String columnLabel, Reader reader) throws SQLException {
    try {
      target().updateClob(columnLabel, reader);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void updateClob(String columnLabel, Clob x) throws SQLException {
    try {
      target().updateClob(columnLabel, x);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void updateClob(int columnIndex, Reader reader, long length) throws SQLException {
    try {
      target().updateClob(columnIndex, reader, length);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void updateClob(String columnLabel, Reader reader, long length) throws SQLException {
    try {
      target().updateClob(columnLabel, reader, length);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void updateDate(int columnIndex, Date x) throws SQLException {
    try {
      target().updateDate(columnIndex, x);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void updateDate(String columnLabel, Date x) throws SQLException {
    try {
      target().updateDate(columnLabel, x);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void updateDouble(int columnIndex, double x) throws SQLException {
    try {
      target().updateDouble(columnIndex, x);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void updateDouble(String columnLabel, double x) throws SQLException {
    try {
      target().updateDouble(columnLabel, x);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void updateFloat(int columnIndex, float x) throws SQLException {
    try {
      target().updateFloat(columnIndex, x);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void updateFloat(String columnLabel, float x) throws SQLException {
    try {
      target().updateFloat(columnLabel, x);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void updateInt(int columnIndex, int x) throws SQLException {
    try {
      target().updateInt(columnIndex, x);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void updateInt(String columnLabel, int x) throws SQLException {
    try {
      target().updateInt(columnLabel, x);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void updateLong(int columnIndex, long x) throws SQLException {
    try {
      target().updateLong(columnIndex, x);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void updateLong(String columnLabel, long x) throws SQLException {
    try {
      target().updateLong(columnLabel, x);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void updateNCharacterStream(int columnIndex, Reader reader) throws SQLException {
    try {
      target().updateNCharacterStream(columnIndex, reader);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void updateNCharacterStream(String columnLabel, Reader reader) throws SQLException {
    try {
      target().updateNCharacterStream(columnLabel, reader);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void updateNCharacterStream(int columnIndex, Reader reader, long length)
      throws SQLException {
    try {
      target().updateNCharacterStream(columnIndex, reader, length);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void updateNCharacterStream(String columnLabel, Reader reader, long length)
      throws SQLException {
    try {
      target().updateNCharacterStream(columnLabel, reader, length);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void updateNClob(int columnIndex, Reader reader) throws SQLException {
    try {
      target().updateNClob(columnIndex, reader);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void updateNClob(int columnIndex, NClob x) throws SQLException {
    try {
      target().updateNClob(columnIndex, x);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void updateNClob(String columnLabel, Reader reader) throws SQLException {
    try {
      target().updateNClob(columnLabel, reader);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void updateNClob(String columnLabel, NClob x) throws SQLException {
    try {
      target().updateNClob(columnLabel, x);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void updateNClob(int columnIndex, Reader reader, long length) throws SQLException {
    try {
      target().updateNClob(columnIndex, reader, length);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void updateNClob(String columnLabel, Reader reader, long length) throws SQLException {
    try {
      target().updateNClob(columnLabel, reader, length);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void updateNString(int columnIndex, String x) throws SQLException {
    try {
      target().updateNString(columnIndex, x);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void updateNString(String columnLabel, String x) throws SQLException {
    try {
      target().updateNString(columnLabel, x);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void updateNull(int columnIndex) throws SQLException {
    try {
      target().updateNull(columnIndex);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void updateNull(String columnLabel) throws SQLException {
    try {
      target().updateNull(columnLabel);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void updateObject(int columnIndex, Object x) throws SQLException {
    try {
      target().updateObject(columnIndex, x);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void updateObject(String columnLabel, Object x) throws SQLException {
    try {
      target().updateObject(columnLabel, x);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void updateObject(int columnIndex, Object x, int scaleOrLength) throws SQLException {
    try {
      target().updateObject(columnIndex, x, scaleOrLength);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void updateObject(int columnIndex, Object x, SQLType targetSqlType) throws SQLException {
    try {
      target().updateObject(columnIndex, x, targetSqlType);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void updateObject(String columnLabel, Object x, int scaleOrLength) throws SQLException {
    try {
      target().updateObject(columnLabel, x, scaleOrLength);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void updateObject(String columnLabel, Object x, SQLType targetSqlType)
      throws SQLException {
    try {
      target().updateObject(columnLabel, x, targetSqlType);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void updateObject(int columnIndex, Object x, SQLType targetSqlType, int scaleOrLength)
      throws SQLException {
    try {
      target().updateObject(columnIndex, x, targetSqlType, scaleOrLength);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void updateObject(String columnLabel, Object x, SQLType targetSqlType, int scaleOrLength)
      throws SQLException {
    try {
      target().updateObject(columnLabel, x, targetSqlType, scaleOrLength);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void updateRef(int columnIndex, Ref x) throws SQLException {
    try {
      target().updateRef(columnIndex, x);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void updateRef(String columnLabel, Ref x) throws SQLException {
    try {
      target().updateRef(columnLabel, x);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void updateRowId(int columnIndex, RowId x) throws SQLException {
    try {
      target().updateRowId(columnIndex, x);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void updateRowId(String columnLabel, RowId x) throws SQLException {
    try {
      target().updateRowId(columnLabel, x);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void updateSQLXML(int columnIndex, SQLXML x) throws SQLException {
    try {
      target().updateSQLXML(columnIndex, x);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void updateSQLXML(String columnLabel, SQLXML x) throws SQLException {
    try {
      target().updateSQLXML(columnLabel, x);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void updateShort(int columnIndex, short x) throws SQLException {
    try {
      target().updateShort(columnIndex, x);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void updateShort(String columnLabel, short x) throws SQLException {
    try {
      target().updateShort(columnLabel, x);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void updateString(int columnIndex, String x) throws SQLException {
    try {
      target().updateString(columnIndex, x);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void updateString(String columnLabel, String x) throws SQLException {
    try {
      target().updateString(columnLabel, x);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void updateTime(int columnIndex, Time x) throws SQLException {
    try {
      target().updateTime(columnIndex, x);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void updateTime(String columnLabel, Time x) throws SQLException {
    try {
      target().updateTime(columnLabel, x);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void updateTimestamp(int columnIndex, Timestamp x) throws SQLException {
    try {
      target().updateTimestamp(columnIndex, x);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public void updateTimestamp(String columnLabel, Timestamp x) throws SQLException {
    try {
      target().updateTimestamp(columnLabel, x);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) throws SQLException {
    try {
      return target().isWrapperFor(iface);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    try {
      return target().unwrap(iface);
    } catch (SQLException e) {
      throw failure(e);
    }
  }
}
