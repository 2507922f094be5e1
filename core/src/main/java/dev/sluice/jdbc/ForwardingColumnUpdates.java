package dev.sluice.jdbc;

import java.io.InputStream;
import java.io.Reader;
import java.math.BigDecimal;
import java.sql.Array;
import java.sql.Blob;
import java.sql.Clob;
import java.sql.Date;
import java.sql.NClob;
import java.sql.Ref;
import java.sql.ResultSet;
import java.sql.RowId;
import java.sql.SQLException;
import java.sql.SQLType;
import java.sql.SQLXML;
import java.sql.Time;
import java.sql.Timestamp;

/**
 * The middle of the {@link ForwardingResultSet} chain: every {@code update*} method of {@link
 * ResultSet}, by index and by label, as a one-line call to {@link #target()} whose failure leaves
 * through {@link #failure}. SQLite's result sets are read-only; whatever the target answers to an
 * update passes through, a failure translated like any other.
 *
 * <p>A class of its own only to keep each file of the forwarder under the project's 1,000-line
 * limit; see {@link ForwardingColumnReads} for the split. Package-private: other packages extend
 * {@link ForwardingResultSet}. Thread-safe as far as the target is; result sets are meant for one
 * thread at a time.
 */
abstract class ForwardingColumnUpdates extends ForwardingColumnReads {

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
}
