package dev.sluice.jdbc;

import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;

/**
 * Base of Sluice's result sets: every {@link ResultSet} method, default methods included, as a
 * one-line call to {@link #target()}. It exists because result sets are called once per row and
 * column, where a reflective proxy would cost an allocation and a lookup per call; subclasses
 * override only what they change. {@code ForwardingContractTest} fails when the JDK adds a method
 * that this class and its two bases do not forward. SQLite errors (a failing step in {@code
 * next()}, a bad column index) leave as Sluice's translated exceptions, with a SQLState.
 *
 * <p>The forwarding is split by concern over three classes so that no file passes the project's
 * 1,000-line limit: {@link ForwardingColumnReads} declares {@link #target()} and {@link #failure}
 * and forwards the column getters, {@link ForwardingColumnUpdates} the {@code update*} methods, and
 * this class the rest: cursor movement, row state, fetch settings, metadata, warnings, close and
 * unwrapping. This is the one to extend; the other two are package-private.
 *
 * <p>Thread-safe as far as the target is; result sets are meant for one thread at a time.
 */
public abstract class ForwardingResultSet extends ForwardingColumnUpdates {

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
