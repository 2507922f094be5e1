package dev.sluice.jdbc;

import dev.sluice.error.Errors;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;

/**
 * A copy of a result set's column metadata that outlives the physical statement it came from: what
 * {@code PreparedStatement.getMetaData()} answers before the statement ran, when the statement was
 * prepared on a borrowed connection only to learn its columns.
 *
 * <p>Effectively immutable once made, thread-safe.
 */
public final class DetachedMetaData implements ResultSetMetaData {
  /** One answer of the source for a column, boxed; an exception where the source failed. */
  @FunctionalInterface
  private interface Question {
    Object ask(ResultSetMetaData m, int column) throws SQLException;
  }

  // The questions, in the order of their constants below.
  private static final Question[] QUESTIONS = {
    ResultSetMetaData::isAutoIncrement,
    ResultSetMetaData::isCaseSensitive,
    ResultSetMetaData::isSearchable,
    ResultSetMetaData::isCurrency,
    ResultSetMetaData::isNullable,
    ResultSetMetaData::isSigned,
    ResultSetMetaData::getColumnDisplaySize,
    ResultSetMetaData::getColumnLabel,
    ResultSetMetaData::getColumnName,
    ResultSetMetaData::getSchemaName,
    ResultSetMetaData::getPrecision,
    ResultSetMetaData::getScale,
    ResultSetMetaData::getTableName,
    ResultSetMetaData::getCatalogName,
    ResultSetMetaData::getColumnType,
    ResultSetMetaData::getColumnTypeName,
    ResultSetMetaData::isReadOnly,
    ResultSetMetaData::isWritable,
    ResultSetMetaData::isDefinitelyWritable,
    ResultSetMetaData::getColumnClassName,
  };

  private static final int IS_AUTO_INCREMENT = 0;
  private static final int IS_CASE_SENSITIVE = 1;
  private static final int IS_SEARCHABLE = 2;
  private static final int IS_CURRENCY = 3;
  private static final int IS_NULLABLE = 4;
  private static final int IS_SIGNED = 5;
  private static final int GET_COLUMN_DISPLAY_SIZE = 6;
  private static final int GET_COLUMN_LABEL = 7;
  private static final int GET_COLUMN_NAME = 8;
  private static final int GET_SCHEMA_NAME = 9;
  private static final int GET_PRECISION = 10;
  private static final int GET_SCALE = 11;
  private static final int GET_TABLE_NAME = 12;
  private static final int GET_CATALOG_NAME = 13;
  private static final int GET_COLUMN_TYPE = 14;
  private static final int GET_COLUMN_TYPE_NAME = 15;
  private static final int IS_READ_ONLY = 16;
  private static final int IS_WRITABLE = 17;
  private static final int IS_DEFINITELY_WRITABLE = 18;
  private static final int GET_COLUMN_CLASS_NAME = 19;

  private final int count;

  // answers[c][q]: the source's answer to question q for column c (1..count); answers[0] those
  // for a column out of range (plain sqlite-jdbc answers some questions for any index).
  private final Object[][] answers;

  private DetachedMetaData(int count) {
    this.count = count;
    this.answers = new Object[count + 1][QUESTIONS.length];
  }

  /**
   * Copies every answer of {@code m} while its statement is still open: a column's metadata as the
   * source gives it, failures included, so the copy answers as the source would have.
   */
  public static DetachedMetaData of(ResultSetMetaData m) throws SQLException {
    DetachedMetaData d = new DetachedMetaData(m.getColumnCount());
    for (int c = 0; c <= d.count; c++) {
      for (int q = 0; q < QUESTIONS.length; q++) {
        Object answer;
        try {
          answer = QUESTIONS[q].ask(m, c);
        } catch (SQLException e) {
          answer = e;
        }
        d.answers[c][q] = answer;
      }
    }
    return d;
  }

  /**
   * The copy of {@code m} of a compiled statement, or null when the statement returns no columns
   * (sqlite-jdbc's metadata of such a statement fails at every call, its column count included).
   */
  public static DetachedMetaData ofColumns(ResultSetMetaData m) throws SQLException {
    if (m == null) {
      return null;
    }
    try {
      if (m.getColumnCount() == 0) {
        return null;
      }
    } catch (SQLException noColumns) {
      // sqlite-jdbc's "column 1 out of bounds [1,0]": the statement has no columns.
      return null;
    }
    return of(m);
  }

  private Object answer(int column, int question) throws SQLException {
    boolean inRange = column >= 1 && column <= count;
    Object answer = answers[inRange ? column : 0][question];
    if (answer instanceof SQLException e) {
      if (!inRange) {
        throw Errors.invalidArgument(
            "Column " + column + " out of range 1.." + count + " of the result's columns");
      }
      throw Errors.translateResultSet(e);
    }
    return answer;
  }

  @Override
  public int getColumnCount() {
    return count;
  }

  @Override
  public boolean isAutoIncrement(int column) throws SQLException {
    return (Boolean) answer(column, IS_AUTO_INCREMENT);
  }

  @Override
  public boolean isCaseSensitive(int column) throws SQLException {
    return (Boolean) answer(column, IS_CASE_SENSITIVE);
  }

  @Override
  public boolean isSearchable(int column) throws SQLException {
    return (Boolean) answer(column, IS_SEARCHABLE);
  }

  @Override
  public boolean isCurrency(int column) throws SQLException {
    return (Boolean) answer(column, IS_CURRENCY);
  }

  @Override
  public int isNullable(int column) throws SQLException {
    return (Integer) answer(column, IS_NULLABLE);
  }

  @Override
  public boolean isSigned(int column) throws SQLException {
    return (Boolean) answer(column, IS_SIGNED);
  }

  @Override
  public int getColumnDisplaySize(int column) throws SQLException {
    return (Integer) answer(column, GET_COLUMN_DISPLAY_SIZE);
  }

  @Override
  public String getColumnLabel(int column) throws SQLException {
    return (String) answer(column, GET_COLUMN_LABEL);
  }

  @Override
  public String getColumnName(int column) throws SQLException {
    return (String) answer(column, GET_COLUMN_NAME);
  }

  @Override
  public String getSchemaName(int column) throws SQLException {
    return (String) answer(column, GET_SCHEMA_NAME);
  }

  @Override
  public int getPrecision(int column) throws SQLException {
    return (Integer) answer(column, GET_PRECISION);
  }

  @Override
  public int getScale(int column) throws SQLException {
    return (Integer) answer(column, GET_SCALE);
  }

  @Override
  public String getTableName(int column) throws SQLException {
    return (String) answer(column, GET_TABLE_NAME);
  }

  @Override
  public String getCatalogName(int column) throws SQLException {
    return (String) answer(column, GET_CATALOG_NAME);
  }

  @Override
  public int getColumnType(int column) throws SQLException {
    return (Integer) answer(column, GET_COLUMN_TYPE);
  }

  @Override
  public String getColumnTypeName(int column) throws SQLException {
    return (String) answer(column, GET_COLUMN_TYPE_NAME);
  }

  @Override
  public boolean isReadOnly(int column) throws SQLException {
    return (Boolean) answer(column, IS_READ_ONLY);
  }

  @Override
  public boolean isWritable(int column) throws SQLException {
    return (Boolean) answer(column, IS_WRITABLE);
  }

  @Override
  public boolean isDefinitelyWritable(int column) throws SQLException {
    return (Boolean) answer(column, IS_DEFINITELY_WRITABLE);
  }

  @Override
  public String getColumnClassName(int column) throws SQLException {
    return (String) answer(column, GET_COLUMN_CLASS_NAME);
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
