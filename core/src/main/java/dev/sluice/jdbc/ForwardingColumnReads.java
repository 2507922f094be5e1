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
import java.sql.RowId;
import java.sql.SQLException;
import java.sql.SQLXML;
import java.sql.Time;
import java.sql.Timestamp;
import java.util.Calendar;
import java.util.Map;

/**
 * The root of {@link ForwardingResultSet}: where calls go ({@link #target()}), how a failed call is
 * reported ({@link #failure}), and the column reads, each a one-line call to the target: every
 * getter by index and by label, {@code findColumn} and {@code wasNull}. These run once per row and
 * column, which is why they are written out rather than served by a reflective proxy: no allocation
 * and no lookup per call.
 *
 * <p>Why a separate class: the forwarder covers all of {@link ResultSet}, nearly two hundred
 * methods, more than fits the project's limit of 1,000 lines per file. So it is one chain split by
 * concern, {@code ForwardingColumnReads} (this), {@link ForwardingColumnUpdates} and {@link
 * ForwardingResultSet}, with no code beyond the forwarding calls. The two bases are package-private
 * (other packages extend {@link ForwardingResultSet}); for the public methods they declare, javac
 * gives {@link ForwardingResultSet} public bridge methods, a plain call the JIT inlines, with no
 * allocation. {@code ForwardingContractTest} checks the chain as a whole.
 *
 * <p>Thread-safe as far as the target is; result sets are meant for one thread at a time.
 */
abstract class ForwardingColumnReads implements ResultSet {

  /** The result set each call goes to; throws instead when this result set cannot be used. */
  protected abstract ResultSet target() throws SQLException;

  /** The exception a failed call throws: SQLite's translated, sqlite-jdbc's own as 22023. */
  protected SQLException failure(SQLException e) {
    return Errors.translateResultSet(e);
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
  public boolean wasNull() throws SQLException {
    try {
      return target().wasNull();
    } catch (SQLException e) {
      throw failure(e);
    }
  }
}
