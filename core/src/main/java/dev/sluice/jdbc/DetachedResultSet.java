package dev.sluice.jdbc;

import dev.sluice.error.Errors;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringReader;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.sql.Types;
import java.util.Arrays;
import java.util.List;

/**
 * An in-memory, forward-only, read-only result set for answers Sluice computes itself rather than
 * reads from a connection, chiefly the generated keys after a write: the writer connection is
 * released before the caller asks for them, so the key is kept and served from here.
 *
 * <p>It answers like sqlite-jdbc's own generated-keys result set: one column labelled {@code
 * last_insert_rowid()} whose value is an Integer when it fits and a Long otherwise, typed INTEGER
 * or BIGINT accordingly; and, as there, a value read before the first {@code next()} is the first
 * row's, because code written against sqlite-jdbc calls {@code getGeneratedKeys().getLong(1)}
 * without {@code next()}. Unlike there, {@link #getStatement()} is the caller's statement.
 *
 * <p>Hand-written rather than built on {@code CachedRowSet}: that one is scrollable and updatable,
 * needs the {@code java.sql.rowset} module, and reports errors without SQLStates. Methods beyond
 * reading values (streams included) and metadata throw 0A000. Values are Integer, Long, Double,
 * String, byte[] or null, the types sqlite-jdbc returns. Not thread-safe: one thread at a time,
 * like any result set.
 */
public final class DetachedResultSet extends ForwardingResultSet {
  static final String KEY_LABEL = "last_insert_rowid()";

  private final List<Object[]> rows;
  private final Statement owner;
  private final Columns columns;
  // 0 before the first row, rows.size() + 1 after the last.
  private int position;
  private boolean wasNull;
  private boolean closed;

  /**
   * Rows must have one value per label, each of a type listed in the class comment; the first row
   * decides each column's reported type.
   */
  DetachedResultSet(List<String> labels, List<Object[]> rows, Statement owner) {
    for (Object[] row : rows) {
      if (row.length != labels.size()) {
        throw new IllegalArgumentException(
            "Row has " + row.length + " values for " + labels.size() + " columns");
      }
      for (Object value : row) {
        if (!(value == null
            || value instanceof Integer
            || value instanceof Long
            || value instanceof Double
            || value instanceof String
            || value instanceof byte[])) {
          throw new IllegalArgumentException("Unsupported value type " + value.getClass());
        }
      }
    }
    this.rows = List.copyOf(rows);
    this.owner = owner;
    this.columns = new Columns(labels, rows.isEmpty() ? null : rows.get(0));
  }

  /** The generated key of a write: one row holding {@code key}. */
  public static DetachedResultSet ofKey(long key, Statement owner) {
    Object[] row = new Object[1];
    // Like sqlite-jdbc: an Integer when it fits (a conditional expression would widen it to Long).
    if (key == (int) key) {
      row[0] = (int) key;
    } else {
      row[0] = key;
    }
    return new DetachedResultSet(List.of(KEY_LABEL), List.<Object[]>of(row), owner);
  }

  /** No rows and one column; sqlite-jdbc's own empty key set has the label {@code "1"}. */
  public static DetachedResultSet empty(String label, Statement owner) {
    return new DetachedResultSet(List.of(label), List.of(), owner);
  }

  @Override
  protected ResultSet target() throws SQLException {
    checkOpen();
    throw Errors.unsupported("This method on a Sluice-computed ResultSet (generated keys)");
  }

  private void checkOpen() throws SQLException {
    if (closed) {
      throw Errors.closed("ResultSet");
    }
  }

  @Override
  public boolean next() throws SQLException {
    checkOpen();
    if (position <= rows.size()) {
      position++;
    }
    return position <= rows.size();
  }

  @Override
  public void close() {
    closed = true;
  }

  @Override
  public boolean isClosed() {
    return closed;
  }

  @Override
  public Statement getStatement() throws SQLException {
    checkOpen();
    return owner;
  }

  @Override
  public ResultSetMetaData getMetaData() throws SQLException {
    checkOpen();
    return columns;
  }

  @Override
  public int findColumn(String columnLabel) throws SQLException {
    checkOpen();
    return columns.find(columnLabel);
  }

  @Override
  public boolean wasNull() throws SQLException {
    checkOpen();
    return wasNull;
  }

  @Override
  public boolean isBeforeFirst() throws SQLException {
    checkOpen();
    return position == 0 && !rows.isEmpty();
  }

  @Override
  public boolean isAfterLast() throws SQLException {
    checkOpen();
    return position > rows.size() && !rows.isEmpty();
  }

  @Override
  public boolean isFirst() throws SQLException {
    checkOpen();
    return position == 1 && !rows.isEmpty();
  }

  @Override
  public boolean isLast() throws SQLException {
    checkOpen();
    return position == rows.size() && !rows.isEmpty();
  }

  @Override
  public int getRow() throws SQLException {
    checkOpen();
    return position <= rows.size() ? position : 0;
  }

  @Override
  public int getType() throws SQLException {
    checkOpen();
    return TYPE_FORWARD_ONLY;
  }

  @Override
  public int getConcurrency() throws SQLException {
    checkOpen();
    return CONCUR_READ_ONLY;
  }

  @Override
  public int getHoldability() throws SQLException {
    checkOpen();
    return CLOSE_CURSORS_AT_COMMIT;
  }

  @Override
  public int getFetchDirection() throws SQLException {
    checkOpen();
    return FETCH_FORWARD;
  }

  @Override
  public void setFetchDirection(int direction) throws SQLException {
    checkOpen();
    if (direction != FETCH_FORWARD) {
      throw Errors.unsupported("A fetch direction other than FETCH_FORWARD");
    }
  }

  @Override
  public int getFetchSize() throws SQLException {
    checkOpen();
    return 0;
  }

  @Override
  public void setFetchSize(int rows) throws SQLException {
    checkOpen();
    // Everything is in memory already, so any non-negative hint is accepted and changes nothing.
    if (rows < 0) {
      throw invalid("Fetch size " + rows + " is negative; use 0 or more.");
    }
  }

  @Override
  public SQLWarning getWarnings() throws SQLException {
    checkOpen();
    return null;
  }

  @Override
  public void clearWarnings() throws SQLException {
    checkOpen();
  }

  @Override
  public String getCursorName() throws SQLException {
    checkOpen();
    return null;
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
        "Unwrapping a Sluice-computed ResultSet to " + (iface == null ? "null" : iface.getName()));
  }

  @Override
  public Object getObject(int columnIndex) throws SQLException {
    return value(columnIndex);
  }

  @Override
  public Object getObject(String columnLabel) throws SQLException {
    return getObject(findColumn(columnLabel));
  }

  @Override
  public <T> T getObject(int columnIndex, Class<T> type) throws SQLException {
    if (type == null) {
      throw invalid("The type to read column " + columnIndex + " as is null.");
    }
    Object value = value(columnIndex);
    if (value == null) {
      return null;
    }
    Object converted;
    if (type == Object.class) {
      converted = value;
    } else if (type == Long.class) {
      converted = number(value).longValue();
    } else if (type == Integer.class) {
      converted = number(value).intValue();
    } else if (type == Short.class) {
      converted = number(value).shortValue();
    } else if (type == Byte.class) {
      converted = number(value).byteValue();
    } else if (type == Double.class) {
      converted = number(value).doubleValue();
    } else if (type == Float.class) {
      converted = number(value).floatValue();
    } else if (type == Boolean.class) {
      converted = number(value).intValue() != 0;
    } else if (type == BigDecimal.class) {
      converted = decimal(columnIndex, value);
    } else if (type == String.class) {
      converted = text(value);
    } else if (type == byte[].class) {
      converted = bytes(value);
    } else {
      throw Errors.unsupported("Reading a Sluice-computed column as " + type.getName());
    }
    return type.cast(converted);
  }

  @Override
  public <T> T getObject(String columnLabel, Class<T> type) throws SQLException {
    return getObject(findColumn(columnLabel), type);
  }

  @Override
  public long getLong(int columnIndex) throws SQLException {
    Object value = value(columnIndex);
    return value == null ? 0 : number(value).longValue();
  }

  @Override
  public long getLong(String columnLabel) throws SQLException {
    return getLong(findColumn(columnLabel));
  }

  @Override
  public int getInt(int columnIndex) throws SQLException {
    Object value = value(columnIndex);
    return value == null ? 0 : number(value).intValue();
  }

  @Override
  public int getInt(String columnLabel) throws SQLException {
    return getInt(findColumn(columnLabel));
  }

  @Override
  public short getShort(int columnIndex) throws SQLException {
    Object value = value(columnIndex);
    return value == null ? 0 : number(value).shortValue();
  }

  @Override
  public short getShort(String columnLabel) throws SQLException {
    return getShort(findColumn(columnLabel));
  }

  @Override
  public byte getByte(int columnIndex) throws SQLException {
    Object value = value(columnIndex);
    return value == null ? 0 : number(value).byteValue();
  }

  @Override
  public byte getByte(String columnLabel) throws SQLException {
    return getByte(findColumn(columnLabel));
  }

  @Override
  public double getDouble(int columnIndex) throws SQLException {
    Object value = value(columnIndex);
    return value == null ? 0 : number(value).doubleValue();
  }

  @Override
  public double getDouble(String columnLabel) throws SQLException {
    return getDouble(findColumn(columnLabel));
  }

  @Override
  public float getFloat(int columnIndex) throws SQLException {
    Object value = value(columnIndex);
    return value == null ? 0 : number(value).floatValue();
  }

  @Override
  public float getFloat(String columnLabel) throws SQLException {
    return getFloat(findColumn(columnLabel));
  }

  @Override
  public boolean getBoolean(int columnIndex) throws SQLException {
    return getInt(columnIndex) != 0;
  }

  @Override
  public boolean getBoolean(String columnLabel) throws SQLException {
    return getBoolean(findColumn(columnLabel));
  }

  @Override
  public BigDecimal getBigDecimal(int columnIndex) throws SQLException {
    Object value = value(columnIndex);
    return value == null ? null : decimal(columnIndex, value);
  }

  @Override
  public BigDecimal getBigDecimal(String columnLabel) throws SQLException {
    return getBigDecimal(findColumn(columnLabel));
  }

  @Override
  public String getString(int columnIndex) throws SQLException {
    Object value = value(columnIndex);
    return value == null ? null : text(value);
  }

  @Override
  public String getString(String columnLabel) throws SQLException {
    return getString(findColumn(columnLabel));
  }

  @Override
  public byte[] getBytes(int columnIndex) throws SQLException {
    Object value = value(columnIndex);
    return value == null ? null : bytes(value);
  }

  @Override
  public byte[] getBytes(String columnLabel) throws SQLException {
    return getBytes(findColumn(columnLabel));
  }

  // As plain sqlite-jdbc: a stream over the value getString/getBytes answer, null for NULL.
  @Override
  public Reader getCharacterStream(int columnIndex) throws SQLException {
    String value = getString(columnIndex);
    return value == null ? null : new StringReader(value);
  }

  @Override
  public Reader getCharacterStream(String columnLabel) throws SQLException {
    return getCharacterStream(findColumn(columnLabel));
  }

  @Override
  public InputStream getBinaryStream(int columnIndex) throws SQLException {
    byte[] value = getBytes(columnIndex);
    return value == null ? null : new ByteArrayInputStream(value);
  }

  @Override
  public InputStream getBinaryStream(String columnLabel) throws SQLException {
    return getBinaryStream(findColumn(columnLabel));
  }

  /** Reads a value and records whether it was NULL. */
  private Object value(int columnIndex) throws SQLException {
    checkOpen();
    columns.check(columnIndex);
    // Before the first next() sqlite-jdbc already holds the first row; see the class comment.
    int row = position == 0 ? 1 : position;
    Object value = row <= rows.size() ? rows.get(row - 1)[columnIndex - 1] : null;
    wasNull = value == null;
    return value;
  }

  private static Number number(Object value) {
    if (value instanceof Number number) {
      return number;
    }
    try {
      return new BigDecimal(text(value).trim());
    } catch (NumberFormatException e) {
      // SQLite reads text that is no number as 0.
      return 0;
    }
  }

  private static BigDecimal decimal(int columnIndex, Object value) throws SQLException {
    if (value instanceof Integer || value instanceof Long) {
      return BigDecimal.valueOf(((Number) value).longValue());
    }
    try {
      return new BigDecimal(text(value).trim());
    } catch (NumberFormatException e) {
      throw invalid("Column " + columnIndex + " holds no number.");
    }
  }

  private static String text(Object value) {
    return value instanceof byte[] bytes
        ? new String(bytes, StandardCharsets.UTF_8)
        : value.toString();
  }

  private static byte[] bytes(Object value) {
    return value instanceof byte[] bytes
        ? bytes.clone()
        : value.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static SQLException invalid(String message) {
    return Errors.invalidArgument(message);
  }

  /** The columns' metadata; immutable, so thread-safe, and valid after the result set closes. */
  private static final class Columns implements ResultSetMetaData {
    private final String[] labels;
    private final int[] types;

    Columns(List<String> labels, Object[] firstRow) {
      this.labels = labels.toArray(new String[0]);
      this.types = new int[this.labels.length];
      for (int i = 0; i < types.length; i++) {
        types[i] = typeOf(firstRow == null ? null : firstRow[i]);
      }
    }

    // The types sqlite-jdbc reports for an expression column, from the value it holds.
    private static int typeOf(Object value) {
      if (value instanceof Integer) {
        return Types.INTEGER;
      } else if (value instanceof Long) {
        return Types.BIGINT;
      } else if (value instanceof Double) {
        return Types.FLOAT;
      } else if (value instanceof String) {
        return Types.VARCHAR;
      } else if (value instanceof byte[]) {
        return Types.BLOB;
      }
      return Types.NUMERIC;
    }

    int find(String label) throws SQLException {
      for (int i = 0; i < labels.length; i++) {
        if (labels[i].equalsIgnoreCase(label)) {
          return i + 1;
        }
      }
      throw invalid(
          "No column is labelled '"
              + label
              + "'; the columns are "
              + Arrays.toString(labels)
              + ".");
    }

    void check(int column) throws SQLException {
      if (column < 1 || column > labels.length) {
        throw invalid(
            "Column " + column + " is out of range: there are " + labels.length + " columns.");
      }
    }

    @Override
    public int getColumnCount() {
      return labels.length;
    }

    @Override
    public String getColumnLabel(int column) throws SQLException {
      check(column);
      return labels[column - 1];
    }

    @Override
    public String getColumnName(int column) throws SQLException {
      return getColumnLabel(column);
    }

    @Override
    public int getColumnType(int column) throws SQLException {
      check(column);
      return types[column - 1];
    }

    @Override
    public String getColumnTypeName(int column) throws SQLException {
      switch (getColumnType(column)) {
        case Types.INTEGER:
        case Types.BIGINT:
          return "INTEGER";
        case Types.FLOAT:
          return "FLOAT";
        case Types.VARCHAR:
          return "TEXT";
        case Types.BLOB:
          return "BLOB";
        default:
          return "NUMERIC";
      }
    }

    @Override
    public String getColumnClassName(int column) throws SQLException {
      switch (getColumnType(column)) {
        case Types.INTEGER:
          return Integer.class.getName();
        case Types.BIGINT:
          return Long.class.getName();
        case Types.FLOAT:
          return Double.class.getName();
        case Types.VARCHAR:
          return String.class.getName();
        default:
          return Object.class.getName();
      }
    }

    @Override
    public String getTableName(int column) throws SQLException {
      check(column);
      return "";
    }

    @Override
    public String getSchemaName(int column) throws SQLException {
      check(column);
      return "";
    }

    @Override
    public String getCatalogName(int column) throws SQLException {
      check(column);
      return "";
    }

    @Override
    public int isNullable(int column) throws SQLException {
      check(column);
      return columnNullable;
    }

    @Override
    public boolean isAutoIncrement(int column) throws SQLException {
      check(column);
      return false;
    }

    @Override
    public boolean isCaseSensitive(int column) throws SQLException {
      check(column);
      return true;
    }

    @Override
    public boolean isSearchable(int column) throws SQLException {
      check(column);
      return true;
    }

    @Override
    public boolean isCurrency(int column) throws SQLException {
      check(column);
      return false;
    }

    @Override
    public boolean isSigned(int column) throws SQLException {
      check(column);
      return true;
    }

    @Override
    public int getColumnDisplaySize(int column) throws SQLException {
      check(column);
      return Integer.MAX_VALUE;
    }

    @Override
    public int getPrecision(int column) throws SQLException {
      check(column);
      return 0;
    }

    @Override
    public int getScale(int column) throws SQLException {
      check(column);
      return 0;
    }

    @Override
    public boolean isReadOnly(int column) throws SQLException {
      check(column);
      return true;
    }

    @Override
    public boolean isWritable(int column) throws SQLException {
      check(column);
      return false;
    }

    @Override
    public boolean isDefinitelyWritable(int column) throws SQLException {
      check(column);
      return false;
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
          "Unwrapping Sluice-computed metadata to " + (iface == null ? "null" : iface.getName()));
    }
  }
}
