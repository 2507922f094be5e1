package dev.sluice.jdbc;

import dev.sluice.error.Errors;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;

/**
 * A copy of a result set's column metadata that outlives the physical statement it came from: what
 * {@code PreparedStatement.getMetaData()} answers before the statement ran, when the statement was
 * prepared on a borrowed connection only to learn its columns.
 *
 * <p>Immutable, thread-safe.
 */
public final class DetachedMetaData implements ResultSetMetaData {
  private final String[] labels;
  private final String[] names;
  private final String[] tables;
  private final int[] types;
  private final String[] typeNames;
  private final int[] nullable;
  private final boolean[] autoIncrement;

  private DetachedMetaData(int n) {
    labels = new String[n];
    names = new String[n];
    tables = new String[n];
    types = new int[n];
    typeNames = new String[n];
    nullable = new int[n];
    autoIncrement = new boolean[n];
  }

  /** Copies {@code m} while its statement is still open. */
  public static DetachedMetaData of(ResultSetMetaData m) throws SQLException {
    int n = m.getColumnCount();
    DetachedMetaData d = new DetachedMetaData(n);
    for (int i = 0; i < n; i++) {
      int c = i + 1;
      d.labels[i] = m.getColumnLabel(c);
      d.names[i] = m.getColumnName(c);
      d.tables[i] = m.getTableName(c);
      d.types[i] = m.getColumnType(c);
      d.typeNames[i] = m.getColumnTypeName(c);
      d.nullable[i] = m.isNullable(c);
      d.autoIncrement[i] = m.isAutoIncrement(c);
    }
    return d;
  }

  private int at(int column) throws SQLException {
    if (column < 1 || column > labels.length) {
      throw Errors.invalidArgument(
          "Column " + column + " out of range 1.." + labels.length + " of the result's columns");
    }
    return column - 1;
  }

  @Override
  public int getColumnCount() {
    return labels.length;
  }

  @Override
  public boolean isAutoIncrement(int column) throws SQLException {
    return autoIncrement[at(column)];
  }

  @Override
  public boolean isCaseSensitive(int column) throws SQLException {
    at(column);
    return true;
  }

  @Override
  public boolean isSearchable(int column) throws SQLException {
    at(column);
    return true;
  }

  @Override
  public boolean isCurrency(int column) throws SQLException {
    at(column);
    return false;
  }

  @Override
  public int isNullable(int column) throws SQLException {
    return nullable[at(column)];
  }

  @Override
  public boolean isSigned(int column) throws SQLException {
    at(column);
    return true;
  }

  @Override
  public int getColumnDisplaySize(int column) throws SQLException {
    at(column);
    return Integer.MAX_VALUE;
  }

  @Override
  public String getColumnLabel(int column) throws SQLException {
    return labels[at(column)];
  }

  @Override
  public String getColumnName(int column) throws SQLException {
    return names[at(column)];
  }

  @Override
  public String getSchemaName(int column) throws SQLException {
    at(column);
    return "";
  }

  @Override
  public int getPrecision(int column) throws SQLException {
    at(column);
    return 0;
  }

  @Override
  public int getScale(int column) throws SQLException {
    at(column);
    return 0;
  }

  @Override
  public String getTableName(int column) throws SQLException {
    return tables[at(column)];
  }

  @Override
  public String getCatalogName(int column) throws SQLException {
    at(column);
    return "";
  }

  @Override
  public int getColumnType(int column) throws SQLException {
    return types[at(column)];
  }

  @Override
  public String getColumnTypeName(int column) throws SQLException {
    return typeNames[at(column)];
  }

  @Override
  public boolean isReadOnly(int column) throws SQLException {
    at(column);
    return false;
  }

  @Override
  public boolean isWritable(int column) throws SQLException {
    at(column);
    return true;
  }

  @Override
  public boolean isDefinitelyWritable(int column) throws SQLException {
    at(column);
    return false;
  }

  @Override
  public String getColumnClassName(int column) throws SQLException {
    at(column);
    return Object.class.getName();
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    if (iface.isInstance(this)) {
      return iface.cast(this);
    }
    throw Errors.unsupported("unwrap(" + iface.getName() + ") of detached result set metadata");
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) {
    return iface.isInstance(this);
  }
}
