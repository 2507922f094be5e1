package dev.sluice.jdbc;

import dev.sluice.error.Errors;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.math.BigDecimal;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Blob;
import java.sql.Clob;
import java.sql.Date;
import java.sql.JDBCType;
import java.sql.NClob;
import java.sql.PreparedStatement;
import java.sql.Ref;
import java.sql.RowId;
import java.sql.SQLException;
import java.sql.SQLType;
import java.sql.SQLXML;
import java.sql.Time;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Calendar;
import java.util.List;

/**
 * The parameters bound to one logical {@link PreparedStatement}, plus its batch rows. A logical
 * statement holds no physical statement between executions, so it records each setter here and
 * replays the recording onto a physical statement when it runs, and again if it is re-run on the
 * writer or retried.
 *
 * <p>Each index stores an int tag naming the setter, a long for primitive values and int arguments,
 * the value object, and an extra object (Calendar or type name) in growable arrays, so a bound
 * primitive allocates nothing. Values that sqlite-jdbc converts at set time are converted here at
 * set time too, so that a later change to a reused object or stream cannot change a recorded row:
 * streams, readers, Blobs and Clobs are read eagerly into bytes or a String, dates and calendars
 * are copied, and objects without a SQLite mapping become their {@code toString()}. Byte arrays are
 * kept by reference, as sqlite-jdbc keeps them.
 *
 * <p>Where sqlite-jdbc 3.54 throws for a setter whose value SQLite can store anyway (the national
 * character setters, Blob and Clob objects, {@link SQLType}), the value is replayed through its
 * plain counterpart ({@code setString}, {@code setBytes}, {@code setObject} with an int type).
 *
 * <p>Not thread-safe: it belongs to one statement, which is used by one thread at a time.
 */
public final class Parameters {
  /** sqlite-jdbc's SQLITE_MAX_VARIABLE_NUMBER; a larger index could never bind, only allocate. */
  static final int MAX_INDEX = 250_000;

  private static final int UNSET = 0;
  private static final int NULL = 1;
  private static final int NULL_TYPE_NAME = 2;
  private static final int BOOLEAN = 3;
  private static final int BYTE = 4;
  private static final int SHORT = 5;
  private static final int INT = 6;
  private static final int LONG = 7;
  private static final int FLOAT = 8;
  private static final int DOUBLE = 9;
  private static final int BIG_DECIMAL = 10;
  private static final int STRING = 11;
  private static final int BYTES = 12;
  private static final int DATE = 13;
  private static final int DATE_CALENDAR = 14;
  private static final int TIME = 15;
  private static final int TIME_CALENDAR = 16;
  private static final int TIMESTAMP = 17;
  private static final int TIMESTAMP_CALENDAR = 18;
  private static final int OBJECT = 19;
  private static final int OBJECT_TYPE = 20;
  private static final int OBJECT_TYPE_SCALE = 21;

  private static final int[] NO_TAGS = {};
  private static final long[] NO_NUMBERS = {};
  private static final Object[] NO_VALUES = {};

  private final Row current;
  // Made by the first addBatch(): most statements never batch.
  private List<Row> batch;

  // Set by clear() only, so that setters stay as cheap as they were; see everSet().
  private boolean everSet;

  /** Values for a statement whose parameters are not known: made at the first bind. */
  public Parameters() {
    this(0);
  }

  /** Values for a statement of {@code parameters} parameters, made at that size. */
  public Parameters(int parameters) {
    current = new Row(parameters);
  }

  public void setNull(int index, int sqlType) throws SQLException {
    put(index, NULL, sqlType, null, null);
  }

  public void setNull(int index, int sqlType, String typeName) throws SQLException {
    put(index, NULL_TYPE_NAME, sqlType, null, typeName);
  }

  public void setBoolean(int index, boolean value) throws SQLException {
    put(index, BOOLEAN, value ? 1 : 0, null, null);
  }

  public void setByte(int index, byte value) throws SQLException {
    put(index, BYTE, value, null, null);
  }

  public void setShort(int index, short value) throws SQLException {
    put(index, SHORT, value, null, null);
  }

  public void setInt(int index, int value) throws SQLException {
    put(index, INT, value, null, null);
  }

  public void setLong(int index, long value) throws SQLException {
    put(index, LONG, value, null, null);
  }

  public void setFloat(int index, float value) throws SQLException {
    put(index, FLOAT, Float.floatToRawIntBits(value), null, null);
  }

  public void setDouble(int index, double value) throws SQLException {
    put(index, DOUBLE, Double.doubleToRawLongBits(value), null, null);
  }

  public void setBigDecimal(int index, BigDecimal value) throws SQLException {
    put(index, BIG_DECIMAL, 0, value, null);
  }

  public void setString(int index, String value) throws SQLException {
    put(index, STRING, 0, value, null);
  }

  public void setNString(int index, String value) throws SQLException {
    setString(index, value);
  }

  public void setBytes(int index, byte[] value) throws SQLException {
    put(index, BYTES, 0, value, null);
  }

  public void setDate(int index, Date value) throws SQLException {
    put(index, DATE, 0, value == null ? null : new Date(value.getTime()), null);
  }

  public void setDate(int index, Date value, Calendar cal) throws SQLException {
    put(index, DATE_CALENDAR, 0, value == null ? null : new Date(value.getTime()), copy(cal));
  }

  public void setTime(int index, Time value) throws SQLException {
    put(index, TIME, 0, value == null ? null : new Time(value.getTime()), null);
  }

  public void setTime(int index, Time value, Calendar cal) throws SQLException {
    put(index, TIME_CALENDAR, 0, value == null ? null : new Time(value.getTime()), copy(cal));
  }

  public void setTimestamp(int index, Timestamp value) throws SQLException {
    put(index, TIMESTAMP, 0, copy(value), null);
  }

  public void setTimestamp(int index, Timestamp value, Calendar cal) throws SQLException {
    put(index, TIMESTAMP_CALENDAR, 0, copy(value), copy(cal));
  }

  public void setObject(int index, Object value) throws SQLException {
    put(index, OBJECT, 0, settle(value), null);
  }

  public void setObject(int index, Object value, int targetSqlType) throws SQLException {
    put(index, OBJECT_TYPE, targetSqlType, settle(value), null);
  }

  public void setObject(int index, Object value, int targetSqlType, int scaleOrLength)
      throws SQLException {
    put(
        index,
        OBJECT_TYPE_SCALE,
        ((long) targetSqlType << 32) | (scaleOrLength & 0xFFFF_FFFFL),
        settle(value),
        null);
  }

  public void setObject(int index, Object value, SQLType targetSqlType) throws SQLException {
    Integer type = typeNumber(targetSqlType);
    if (type == null) {
      setObject(index, value);
    } else {
      setObject(index, value, type.intValue());
    }
  }

  public void setObject(int index, Object value, SQLType targetSqlType, int scaleOrLength)
      throws SQLException {
    Integer type = typeNumber(targetSqlType);
    if (type == null) {
      setObject(index, value);
    } else {
      setObject(index, value, type.intValue(), scaleOrLength);
    }
  }

  public void setAsciiStream(int index, InputStream value) throws SQLException {
    checkIndex(index);
    setString(index, value == null ? null : utf8(readAll(index, value)));
  }

  public void setAsciiStream(int index, InputStream value, int length) throws SQLException {
    setAsciiStream(index, value, (long) length);
  }

  public void setAsciiStream(int index, InputStream value, long length) throws SQLException {
    checkIndex(index);
    checkLength(index, length);
    setString(index, value == null ? null : utf8(readExactly(index, value, (int) length)));
  }

  public void setUnicodeStream(int index, InputStream value, int length) throws SQLException {
    // sqlite-jdbc reads the ASCII and the Unicode stream alike, as UTF-8.
    setAsciiStream(index, value, (long) length);
  }

  public void setBinaryStream(int index, InputStream value) throws SQLException {
    checkIndex(index);
    setBytes(index, value == null ? null : readAll(index, value));
  }

  public void setBinaryStream(int index, InputStream value, int length) throws SQLException {
    setBinaryStream(index, value, (long) length);
  }

  public void setBinaryStream(int index, InputStream value, long length) throws SQLException {
    checkIndex(index);
    checkLength(index, length);
    setBytes(index, value == null ? null : readExactly(index, value, (int) length));
  }

  public void setCharacterStream(int index, Reader value) throws SQLException {
    setCharacterStream(index, value, (long) Integer.MAX_VALUE);
  }

  public void setCharacterStream(int index, Reader value, int length) throws SQLException {
    setCharacterStream(index, value, (long) length);
  }

  public void setCharacterStream(int index, Reader value, long length) throws SQLException {
    checkIndex(index);
    checkLength(index, length);
    setString(index, value == null ? null : readUpTo(index, value, (int) length));
  }

  public void setNCharacterStream(int index, Reader value) throws SQLException {
    setCharacterStream(index, value);
  }

  public void setNCharacterStream(int index, Reader value, long length) throws SQLException {
    setCharacterStream(index, value, length);
  }

  public void setBlob(int index, Blob value) throws SQLException {
    checkIndex(index);
    if (value == null) {
      setBytes(index, null);
      return;
    }
    long length = value.length();
    checkLength(index, length);
    setBytes(index, value.getBytes(1, (int) length));
  }

  public void setBlob(int index, InputStream value) throws SQLException {
    setBinaryStream(index, value);
  }

  public void setBlob(int index, InputStream value, long length) throws SQLException {
    setBinaryStream(index, value, length);
  }

  public void setClob(int index, Clob value) throws SQLException {
    checkIndex(index);
    if (value == null) {
      setString(index, null);
      return;
    }
    long length = value.length();
    checkLength(index, length);
    setString(index, value.getSubString(1, (int) length));
  }

  public void setClob(int index, Reader value) throws SQLException {
    setCharacterStream(index, value);
  }

  public void setClob(int index, Reader value, long length) throws SQLException {
    setCharacterStream(index, value, length);
  }

  public void setNClob(int index, NClob value) throws SQLException {
    setClob(index, value);
  }

  public void setNClob(int index, Reader value) throws SQLException {
    setCharacterStream(index, value);
  }

  public void setNClob(int index, Reader value, long length) throws SQLException {
    setCharacterStream(index, value, length);
  }

  public void setURL(int index, URL value) throws SQLException {
    throw Errors.unsupported("PreparedStatement.setURL (bind the URL's text with setString)");
  }

  public void setRowId(int index, RowId value) throws SQLException {
    throw Errors.unsupported("PreparedStatement.setRowId (bind a rowid with setLong)");
  }

  public void setArray(int index, Array value) throws SQLException {
    throw Errors.unsupported("PreparedStatement.setArray (SQLite has no array type)");
  }

  public void setRef(int index, Ref value) throws SQLException {
    throw Errors.unsupported("PreparedStatement.setRef (SQLite has no REF type)");
  }

  public void setSQLXML(int index, SQLXML value) throws SQLException {
    throw Errors.unsupported("PreparedStatement.setSQLXML (bind the XML's text with setString)");
  }

  /**
   * Binds the current values to {@code ps}, replacing whatever it had bound, so indexes never set
   * are NULL, as on a fresh sqlite-jdbc statement.
   */
  public void apply(PreparedStatement ps) throws SQLException {
    current.applyTo(ps);
  }

  /** Whether any value is set in the current row. */
  public boolean anySet() {
    return current.highest > 0;
  }

  /**
   * Whether a value was ever set, cleared since or not: plain sqlite-jdbc's statement keeps the
   * array of its values from its first bind on, so its parameter metadata then answers NULL for a
   * cleared value instead of failing.
   */
  public boolean everSet() {
    return everSet || current.highest > 0;
  }

  /** Forgets the current values, as {@code clearParameters()} does; batch rows stay. */
  public void clear() {
    everSet = everSet();
    current.clear();
    changes++;
  }

  /** Adds a copy of the current values as a batch row; the current values stay set, as in JDBC. */
  public void addBatch() {
    if (batch == null) {
      batch = new ArrayList<>();
    }
    batch.add(current.copy());
  }

  public int batchSize() {
    return batch == null ? 0 : batch.size();
  }

  /** Binds batch row {@code row} (from 0) to {@code ps} the way {@link #apply} binds. */
  public void applyBatchRow(int row, PreparedStatement ps) throws SQLException {
    batch.get(row).applyTo(ps);
  }

  public void clearBatch() {
    if (batch != null) {
      batch.clear();
    }
  }

  /** The highest index set since the last {@link #clear()}, 0 when none is. */
  public int highestIndex() {
    return current.highest;
  }

  private void put(int index, int tag, long number, Object value, Object extra)
      throws SQLException {
    checkIndex(index);
    current.put(index, tag, number, value, extra);
    changes++;
  }

  /** Counts setter calls and clears: a different count means other values may be bound. */
  private int changes;

  /** How many times the current values changed (set or cleared) so far. */
  public int changes() {
    return changes;
  }

  private static void checkIndex(int index) throws SQLException {
    if (index < 1 || index > MAX_INDEX) {
      throw invalid(
          "Parameter index " + index + " is out of range: indexes run from 1 to " + MAX_INDEX + ".",
          null);
    }
  }

  private static void checkLength(int index, long length) throws SQLException {
    if (length < 0 || length > Integer.MAX_VALUE) {
      throw invalid(
          "The length "
              + length
              + " given for parameter "
              + index
              + " is out of range: SQLite stores 0 to "
              + Integer.MAX_VALUE
              + " bytes or characters.",
          null);
    }
  }

  private static SQLException invalid(String message, Throwable cause) {
    return Errors.invalidArgument(message, cause);
  }

  private static Integer typeNumber(SQLType type) {
    // sqlite-jdbc ignores the target type; only the java.sql.Types number is passed on.
    return type instanceof JDBCType ? type.getVendorTypeNumber() : null;
  }

  private static Calendar copy(Calendar cal) {
    return cal == null ? null : (Calendar) cal.clone();
  }

  private static Timestamp copy(Timestamp value) {
    if (value == null) {
      return null;
    }
    Timestamp copy = new Timestamp(value.getTime());
    copy.setNanos(value.getNanos());
    return copy;
  }

  /**
   * Converts what sqlite-jdbc's setObject converts at set time (dates to their instant, other
   * objects without a SQLite mapping to their text), so replaying the result binds the same value.
   */
  private static Object settle(Object value) {
    if (value == null
        || value instanceof Long
        || value instanceof Integer
        || value instanceof Short
        || value instanceof Float
        || value instanceof Double
        || value instanceof Boolean
        || value instanceof byte[]
        || value instanceof BigDecimal
        || value instanceof String) {
      return value;
    }
    if (value instanceof java.util.Date date) {
      // sqlite-jdbc binds any java.util.Date by its instant: keep just that (JDBC's API, not ours).
      @SuppressWarnings("JavaUtilDate")
      java.util.Date copy = new java.util.Date(date.getTime());
      return copy;
    }
    return value.toString();
  }

  private static String utf8(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private static byte[] readAll(int index, InputStream in) throws SQLException {
    try {
      return in.readAllBytes();
    } catch (IOException e) {
      throw unreadable(index, e);
    }
  }

  private static byte[] readExactly(int index, InputStream in, int length) throws SQLException {
    // Read no further than the length, as sqlite-jdbc does, so the caller's stream keeps the rest.
    byte[] bytes = new byte[length];
    int total = 0;
    try {
      while (total < length) {
        int n = in.read(bytes, total, length - total);
        if (n < 0) {
          throw invalid(
              "The stream bound to parameter "
                  + index
                  + " ended after "
                  + total
                  + " of the "
                  + length
                  + " bytes given as its length. Pass the stream's real length.",
              null);
        }
        total += n;
      }
    } catch (IOException e) {
      throw unreadable(index, e);
    }
    return bytes;
  }

  private static String readUpTo(int index, Reader in, int length) throws SQLException {
    StringBuilder text = new StringBuilder();
    char[] buffer = new char[Math.min(length, 8192)];
    int left = length;
    try {
      while (left > 0) {
        int n = in.read(buffer, 0, Math.min(left, buffer.length));
        if (n < 0) {
          break;
        }
        text.append(buffer, 0, n);
        left -= n;
      }
    } catch (IOException e) {
      throw unreadable(index, e);
    }
    return text.toString();
  }

  private static SQLException unreadable(int index, IOException e) {
    return invalid(
        "Cannot read the stream bound to parameter " + index + ": " + e.getMessage() + ".", e);
  }

  /** One row of values: the current one, or a batch row copied from it. */
  private static final class Row {
    private int[] tags = NO_TAGS;
    private long[] numbers = NO_NUMBERS;
    private Object[] values = NO_VALUES;
    // Only calendars and type names need it, so it is allocated on their first use.
    private Object[] extras;
    private int highest;

    Row() {}

    Row(int size) {
      if (size > 0) {
        tags = new int[size];
        numbers = new long[size];
        values = new Object[size];
      }
    }

    void put(int index, int tag, long number, Object value, Object extra) {
      int i = index - 1;
      if (i >= tags.length) {
        grow(index);
      }
      tags[i] = tag;
      numbers[i] = number;
      values[i] = value;
      if (extra != null && extras == null) {
        extras = new Object[tags.length];
      }
      if (extras != null) {
        extras[i] = extra;
      }
      if (index > highest) {
        highest = index;
      }
    }

    private void grow(int needed) {
      int capacity = Math.max(needed, Math.max(8, tags.length * 2));
      if (tags.length == 0 && extras == null) {
        // The first value of a statement: nothing to copy (most statements never grow again).
        tags = new int[capacity];
        numbers = new long[capacity];
        values = new Object[capacity];
        return;
      }
      tags = Arrays.copyOf(tags, capacity);
      numbers = Arrays.copyOf(numbers, capacity);
      values = Arrays.copyOf(values, capacity);
      if (extras != null) {
        extras = Arrays.copyOf(extras, capacity);
      }
    }

    Row copy() {
      Row copy = new Row();
      if (highest > 0) {
        copy.tags = Arrays.copyOf(tags, highest);
        copy.numbers = Arrays.copyOf(numbers, highest);
        copy.values = Arrays.copyOf(values, highest);
        copy.extras = extras == null ? null : Arrays.copyOf(extras, highest);
      }
      copy.highest = highest;
      return copy;
    }

    void clear() {
      Arrays.fill(tags, 0, highest, UNSET);
      // Drop references so cleared values can be collected while the statement lives on.
      Arrays.fill(values, 0, highest, null);
      if (extras != null) {
        Arrays.fill(extras, 0, highest, null);
      }
      highest = 0;
    }

    void applyTo(PreparedStatement ps) throws SQLException {
      int count = ps.getParameterMetaData().getParameterCount();
      if (highest > count) {
        throw invalid(
            "Parameter index "
                + highest
                + " is out of range: the statement has "
                + count
                + " parameters.",
            null);
      }
      // Every index is bound, those never set to NULL, instead of clearing first: sqlite-jdbc keeps
      // the values in Java and binds them all at execution, and its clearParameters() is a native
      // call (and a lock of the connection) that each execution of a kept statement paid twice.
      for (int i = 0; i < highest; i++) {
        bind(ps, i + 1, tags[i], numbers[i], values[i], extras == null ? null : extras[i]);
      }
      for (int i = highest; i < count; i++) {
        ps.setNull(i + 1, Types.NULL);
      }
    }

    private static void bind(
        PreparedStatement ps, int index, int tag, long number, Object value, Object extra)
        throws SQLException {
      switch (tag) {
        case UNSET:
          ps.setNull(index, Types.NULL);
          break;
        case NULL:
          ps.setNull(index, (int) number);
          break;
        case NULL_TYPE_NAME:
          ps.setNull(index, (int) number, (String) extra);
          break;
        case BOOLEAN:
          ps.setBoolean(index, number != 0);
          break;
        case BYTE:
          ps.setByte(index, (byte) number);
          break;
        case SHORT:
          ps.setShort(index, (short) number);
          break;
        case INT:
          ps.setInt(index, (int) number);
          break;
        case LONG:
          ps.setLong(index, number);
          break;
        case FLOAT:
          ps.setFloat(index, Float.intBitsToFloat((int) number));
          break;
        case DOUBLE:
          ps.setDouble(index, Double.longBitsToDouble(number));
          break;
        case BIG_DECIMAL:
          ps.setBigDecimal(index, (BigDecimal) value);
          break;
        case STRING:
          ps.setString(index, (String) value);
          break;
        case BYTES:
          ps.setBytes(index, (byte[]) value);
          break;
        case DATE:
          ps.setDate(index, (Date) value);
          break;
        case DATE_CALENDAR:
          ps.setDate(index, (Date) value, (Calendar) extra);
          break;
        case TIME:
          ps.setTime(index, (Time) value);
          break;
        case TIME_CALENDAR:
          ps.setTime(index, (Time) value, (Calendar) extra);
          break;
        case TIMESTAMP:
          ps.setTimestamp(index, (Timestamp) value);
          break;
        case TIMESTAMP_CALENDAR:
          ps.setTimestamp(index, (Timestamp) value, (Calendar) extra);
          break;
        case OBJECT:
          ps.setObject(index, value);
          break;
        case OBJECT_TYPE:
          ps.setObject(index, value, (int) number);
          break;
        case OBJECT_TYPE_SCALE:
          ps.setObject(index, value, (int) (number >> 32), (int) number);
          break;
        default:
          throw new IllegalStateException("Unknown parameter tag " + tag);
      }
    }
  }
}
