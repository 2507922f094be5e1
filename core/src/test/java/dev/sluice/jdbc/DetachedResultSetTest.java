package dev.sluice.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@link DetachedResultSet} of a key answers like sqlite-jdbc's own generated-keys result set.
 */
class DetachedResultSetTest {
  @TempDir Path dir;
  private Connection connection;
  private Statement owner;

  @BeforeEach
  void openDatabase() throws SQLException {
    connection = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("test.db"));
    owner = connection.createStatement();
    owner.executeUpdate("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)");
  }

  @AfterEach
  void closeDatabase() throws SQLException {
    connection.close();
  }

  /** Everything a caller may read of a key result set, in one comparable list. */
  private static List<Object> observe(ResultSet rs) throws SQLException {
    List<Object> seen = new ArrayList<>();
    ResultSetMetaData md = rs.getMetaData();
    seen.add(md.getColumnCount());
    seen.add(md.getColumnLabel(1));
    seen.add(md.getColumnName(1));
    seen.add(md.getColumnType(1));
    seen.add(md.getColumnTypeName(1));
    seen.add(md.getColumnClassName(1));
    seen.add(rs.getType());
    seen.add(rs.getConcurrency());
    // Before next(): sqlite-jdbc already shows the first row.
    seen.add(rs.getLong(1));
    seen.add(rs.next());
    seen.add(rs.getLong(1));
    seen.add(rs.wasNull());
    seen.add(rs.getLong(md.getColumnLabel(1)));
    seen.add(rs.getLong(md.getColumnLabel(1).toUpperCase(java.util.Locale.ROOT)));
    Object object = rs.getObject(1);
    seen.add(object);
    seen.add(object == null ? null : object.getClass());
    seen.add(rs.getInt(1));
    seen.add(rs.getString(1));
    seen.add(rs.getDouble(1));
    seen.add(rs.getBigDecimal(1));
    seen.add(rs.getBoolean(1));
    seen.add(rs.getObject(1, Long.class));
    seen.add(rs.getObject(1, Integer.class));
    seen.add(rs.getObject(1, String.class));
    seen.add(rs.getRow());
    seen.add(rs.next());
    seen.add(rs.getLong(1));
    seen.add(rs.wasNull());
    seen.add(rs.next());
    return seen;
  }

  private List<Object> sqliteKeysAfter(String insert) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.executeUpdate(insert);
      try (ResultSet keys = statement.getGeneratedKeys()) {
        return observe(keys);
      }
    }
  }

  @Test
  void aKeyReadsLikeSqliteJdbcsGeneratedKeys() throws SQLException {
    // Given the keys sqlite-jdbc itself returns after an insert
    List<Object> sqlite = sqliteKeysAfter("INSERT INTO t(v) VALUES ('a')");

    // When a detached result set holds the same key
    List<Object> detached = observe(DetachedResultSet.ofKey(1, owner));

    // Then every read answers the same
    assertThat(detached).isEqualTo(sqlite);
    assertThat(detached.get(1)).isEqualTo("last_insert_rowid()");
    assertThat(detached.get(3)).isEqualTo(Types.INTEGER);
    assertThat(detached.get(15)).isEqualTo(Integer.class);
  }

  @Test
  void aKeyBeyondIntReadsLikeSqliteJdbcsGeneratedKeys() throws SQLException {
    List<Object> sqlite = sqliteKeysAfter("INSERT INTO t(id, v) VALUES (5000000000, 'a')");

    List<Object> detached = observe(DetachedResultSet.ofKey(5_000_000_000L, owner));

    assertThat(detached).isEqualTo(sqlite);
    assertThat(detached.get(3)).isEqualTo(Types.BIGINT);
    assertThat(detached.get(14)).isEqualTo(5_000_000_000L);
  }

  @Test
  void anEmptyResultReadsLikeSqliteJdbcsEmptyKeys() throws SQLException {
    // Given sqlite-jdbc's keys after a statement that inserted nothing
    List<Object> sqlite;
    try (Statement statement = connection.createStatement()) {
      statement.executeUpdate("UPDATE t SET v = 'b'");
      try (ResultSet keys = statement.getGeneratedKeys()) {
        sqlite = observeEmpty(keys);
      }
    }

    // Then an empty detached result set with the same label answers the same
    List<Object> detached = observeEmpty(DetachedResultSet.empty("1", owner));
    assertThat(detached).isEqualTo(sqlite);
    assertThat(detached).startsWith(1, "1", Types.NUMERIC);
  }

  private static List<Object> observeEmpty(ResultSet rs) throws SQLException {
    ResultSetMetaData md = rs.getMetaData();
    return List.of(
        md.getColumnCount(),
        md.getColumnLabel(1),
        md.getColumnType(1),
        md.getColumnTypeName(1),
        md.getColumnClassName(1),
        rs.isBeforeFirst(),
        rs.next(),
        rs.getLong(1),
        rs.wasNull(),
        String.valueOf(rs.getObject(1)),
        String.valueOf(rs.getString(1)),
        rs.next());
  }

  @Test
  void theCursorMovesForwardOnceOverAKey() throws SQLException {
    ResultSet rs = DetachedResultSet.ofKey(7, owner);

    assertThat(rs.isBeforeFirst()).isTrue();
    assertThat(rs.getRow()).isZero();
    assertThat(rs.next()).isTrue();
    assertThat(rs.isFirst()).isTrue();
    assertThat(rs.isLast()).isTrue();
    assertThat(rs.getRow()).isEqualTo(1);
    assertThat(rs.next()).isFalse();
    assertThat(rs.isAfterLast()).isTrue();
    assertThat(rs.getRow()).isZero();
    assertThat(rs.next()).isFalse();
    assertThat(rs.getObject(1)).isNull();
    assertThat(rs.wasNull()).isTrue();
  }

  @Test
  void getStatementIsTheOwner() throws SQLException {
    assertThat(DetachedResultSet.ofKey(1, owner).getStatement()).isSameAs(owner);
    assertThat(DetachedResultSet.empty("1", owner).getStatement()).isSameAs(owner);
  }

  @Test
  void valuesConvertToTheRequestedTypes() throws SQLException {
    ResultSet rs = DetachedResultSet.ofKey(42, owner);
    rs.next();

    assertThat(rs.getShort(1)).isEqualTo((short) 42);
    assertThat(rs.getByte(1)).isEqualTo((byte) 42);
    assertThat(rs.getFloat(1)).isEqualTo(42f);
    assertThat(rs.getBytes(1)).containsExactly('4', '2');
    assertThat(rs.getObject(1, BigDecimal.class)).isEqualTo(BigDecimal.valueOf(42));
    assertThat(rs.getObject(1, Boolean.class)).isTrue();
    assertThat(rs.getObject("LAST_INSERT_ROWID()", Short.class)).isEqualTo((short) 42);
    assertThatThrownBy(() -> rs.getObject(1, java.time.Instant.class))
        .isInstanceOf(SQLFeatureNotSupportedException.class);
  }

  @Test
  void otherRowsAndTypesAreServedToo() throws SQLException {
    // Given two rows of mixed values
    DetachedResultSet rs =
        new DetachedResultSet(
            List.of("n", "s", "b"),
            List.of(new Object[] {2.5, "12", new byte[] {65}}, new Object[] {null, "x", null}),
            owner);

    // Then metadata follows the first row, and values convert as SQLite converts them
    ResultSetMetaData md = rs.getMetaData();
    assertThat(md.getColumnCount()).isEqualTo(3);
    assertThat(md.getColumnType(1)).isEqualTo(Types.FLOAT);
    assertThat(md.getColumnType(2)).isEqualTo(Types.VARCHAR);
    assertThat(md.getColumnTypeName(3)).isEqualTo("BLOB");
    assertThat(rs.next()).isTrue();
    assertThat(rs.getLong("n")).isEqualTo(2);
    assertThat(rs.getInt("s")).isEqualTo(12);
    assertThat(rs.getString("b")).isEqualTo("A");
    assertThat(rs.next()).isTrue();
    assertThat(rs.getDouble(1)).isZero();
    assertThat(rs.wasNull()).isTrue();
    assertThat(rs.getLong(2)).isZero();
    assertThat(rs.wasNull()).isFalse();
    assertThat(rs.getBytes(3)).isNull();
    assertThat(rs.next()).isFalse();
  }

  @Test
  void anUnknownColumnFailsWith22023() {
    ResultSet rs = DetachedResultSet.ofKey(1, owner);

    assertThatThrownBy(() -> rs.getLong("id"))
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("No column is labelled 'id'")
        .hasMessageContaining("last_insert_rowid()")
        .extracting(e -> ((SQLException) e).getSQLState())
        .isEqualTo("22023");
    assertThatThrownBy(() -> rs.getLong(2))
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("Column 2 is out of range")
        .extracting(e -> ((SQLException) e).getSQLState())
        .isEqualTo("22023");
    assertThatThrownBy(() -> rs.getMetaData().getColumnLabel(0))
        .isInstanceOf(SQLException.class)
        .extracting(e -> ((SQLException) e).getSQLState())
        .isEqualTo("22023");
  }

  @Test
  void itIsForwardOnlyAndReadOnly() throws SQLException {
    ResultSet rs = DetachedResultSet.ofKey(1, owner);

    assertThat(rs.getType()).isEqualTo(ResultSet.TYPE_FORWARD_ONLY);
    assertThat(rs.getConcurrency()).isEqualTo(ResultSet.CONCUR_READ_ONLY);
    for (ThrowingCall call :
        List.<ThrowingCall>of(
            rs::previous,
            rs::first,
            () -> rs.absolute(1),
            () -> {
              rs.updateLong(1, 2);
              return null;
            },
            () -> rs.getDate(1))) {
      assertThatThrownBy(call::run)
          .isInstanceOf(SQLFeatureNotSupportedException.class)
          .extracting(e -> ((SQLException) e).getSQLState())
          .isEqualTo("0A000");
    }
  }

  @Test
  void afterCloseOnlyIsClosedAndCloseWork() throws SQLException {
    ResultSet rs = DetachedResultSet.ofKey(1, owner);

    rs.close();
    rs.close();

    assertThat(rs.isClosed()).isTrue();
    for (ThrowingCall call :
        List.<ThrowingCall>of(
            rs::next,
            () -> rs.getLong(1),
            rs::getMetaData,
            rs::getStatement,
            rs::previous,
            rs::wasNull)) {
      assertThatThrownBy(call::run)
          .isInstanceOf(SQLNonTransientConnectionException.class)
          .extracting(e -> ((SQLException) e).getSQLState())
          .isEqualTo("08003");
    }
  }

  @Test
  void unwrapGivesOnlyItself() throws SQLException {
    ResultSet rs = DetachedResultSet.ofKey(1, owner);

    assertThat(rs.unwrap(ResultSet.class)).isSameAs(rs);
    assertThat(rs.isWrapperFor(DetachedResultSet.class)).isTrue();
    assertThat(rs.isWrapperFor(Statement.class)).isFalse();
    assertThatThrownBy(() -> rs.unwrap(Statement.class))
        .isInstanceOf(SQLFeatureNotSupportedException.class);
  }

  @FunctionalInterface
  interface ThrowingCall {
    Object run() throws SQLException;
  }
}
