package dev.sluice.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Date;
import java.sql.DriverManager;
import java.sql.JDBCType;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.sql.Time;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Calendar;
import java.util.List;
import java.util.TimeZone;
import javax.sql.rowset.serial.SerialBlob;
import javax.sql.rowset.serial.SerialClob;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Parameters replayed onto a real sqlite-jdbc statement store exactly what plain sqlite-jdbc stores
 * for the same setter, compared by SQLite's {@code typeof} and {@code quote} of the column.
 */
class ParametersTest {
  private static final byte[] BYTES = {0, 1, 2, (byte) 0xFF, 42};
  private static final String TEXT = "héllo ✓ wörld";

  @TempDir Path dir;
  private Connection connection;
  private int nextId;

  @BeforeEach
  void openDatabase() throws SQLException {
    connection = open("");
  }

  @AfterEach
  void closeDatabase() throws SQLException {
    connection.close();
  }

  private Connection open(String query) throws SQLException {
    Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("test.db") + query);
    try (Statement s = c.createStatement()) {
      // No declared type, so SQLite keeps each value exactly as bound.
      s.executeUpdate("CREATE TABLE IF NOT EXISTS t(id INTEGER PRIMARY KEY, a, b)");
    }
    return c;
  }

  @FunctionalInterface
  interface PlainSetter {
    void set(PreparedStatement ps) throws SQLException;
  }

  @FunctionalInterface
  interface RecordedSetter {
    void set(Parameters parameters) throws SQLException;
  }

  /** Inserts once with plain sqlite-jdbc and once by replay, and returns what each stored. */
  private List<String> storedBoth(Connection c, PlainSetter plain, RecordedSetter recorded)
      throws SQLException {
    int plainId = ++nextId;
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO t(id, a, b) VALUES (?, ?, ?)")) {
      ps.setInt(1, plainId);
      plain.set(ps);
      ps.executeUpdate();
    }
    int replayId = ++nextId;
    Parameters parameters = new Parameters();
    parameters.setInt(1, replayId);
    recorded.set(parameters);
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO t(id, a, b) VALUES (?, ?, ?)")) {
      parameters.apply(ps);
      ps.executeUpdate();
    }
    return List.of(stored(c, plainId), stored(c, replayId));
  }

  private static String stored(Connection c, int id) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT typeof(a), quote(a), typeof(b), quote(b) FROM t WHERE id = ?")) {
      ps.setInt(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).as("row %s", id).isTrue();
        return rs.getString(1)
            + " "
            + rs.getString(2)
            + " | "
            + rs.getString(3)
            + " "
            + rs.getString(4);
      }
    }
  }

  private void assertStoredAlike(PlainSetter plain, RecordedSetter recorded) throws SQLException {
    assertStoredAlike(connection, plain, recorded);
  }

  private void assertStoredAlike(Connection c, PlainSetter plain, RecordedSetter recorded)
      throws SQLException {
    List<String> stored = storedBoth(c, plain, recorded);
    assertThat(stored.get(1)).isEqualTo(stored.get(0));
  }

  /**
   * #22: a kept statement is not cleared before it is lent again (a native call each time), so
   * binding must replace every value its last user bound, in gaps and past the highest index set.
   */
  @Test
  void applyBindsEveryParameterAndNullsThoseNotSetOverValuesBoundBefore() throws SQLException {
    try (PreparedStatement ps =
        connection.prepareStatement("SELECT ? IS NULL, ?, ? IS NULL, ? IS NULL")) {
      // Given a statement whose four parameters were bound and then run as a batch of one
      for (int i = 1; i <= 4; i++) {
        ps.setString(i, "old" + i);
      }
      ps.addBatch();
      ps.clearBatch();

      // When values with only the second index set are applied
      Parameters p = new Parameters();
      p.setString(2, "new");
      p.apply(ps);

      // Then the other three are NULL, not the values bound before
      try (ResultSet r = ps.executeQuery()) {
        assertThat(r.next()).isTrue();
        assertThat(List.of(r.getInt(1), r.getString(2), r.getInt(3), r.getInt(4)))
            .containsExactly(1, "new", 1, 1);
      }
    }
  }

  /**
   * #22: values are made at the size of the statement's parameters when it is known; an index past
   * that size still binds (it grows), and a batch is made only when one is added.
   */
  @Test
  void valuesMadeAtTheStatementsSizeTakeAnIndexPastItAndBatchOnlyWhenAsked() throws SQLException {
    try (PreparedStatement ps = connection.prepareStatement("SELECT ?, ?, ?")) {
      // Given values made for one parameter
      Parameters p = new Parameters(1);
      assertThat(p.batchSize()).isZero();
      p.clearBatch();

      // When three are set, and the values added to a batch twice
      p.setInt(1, 7);
      p.setString(2, "two");
      p.setLong(3, 3L);
      p.addBatch();
      p.addBatch();

      // Then all three bind, and the batch holds two rows until it is cleared
      p.apply(ps);
      try (ResultSet r = ps.executeQuery()) {
        assertThat(r.next()).isTrue();
        assertThat(List.of(r.getInt(1), r.getString(2), r.getLong(3)))
            .containsExactly(7, "two", 3L);
      }
      assertThat(p.batchSize()).isEqualTo(2);
      p.clearBatch();
      assertThat(p.batchSize()).isZero();
    }
  }

  @Test
  void primitivesAreStoredAsPlainSqliteJdbcStoresThem() throws SQLException {
    assertStoredAlike(
        ps -> {
          ps.setBoolean(2, true);
          ps.setBoolean(3, false);
        },
        p -> {
          p.setBoolean(2, true);
          p.setBoolean(3, false);
        });
    assertStoredAlike(
        ps -> {
          ps.setByte(2, (byte) -7);
          ps.setShort(3, Short.MIN_VALUE);
        },
        p -> {
          p.setByte(2, (byte) -7);
          p.setShort(3, Short.MIN_VALUE);
        });
    assertStoredAlike(
        ps -> {
          ps.setInt(2, Integer.MIN_VALUE);
          ps.setLong(3, Long.MAX_VALUE);
        },
        p -> {
          p.setInt(2, Integer.MIN_VALUE);
          p.setLong(3, Long.MAX_VALUE);
        });
    assertStoredAlike(
        ps -> {
          ps.setFloat(2, 1.1f);
          ps.setDouble(3, -2.5e300);
        },
        p -> {
          p.setFloat(2, 1.1f);
          p.setDouble(3, -2.5e300);
        });
    assertThat(stored(connection, nextId)).isEqualTo("real 1.1000000238418579 | real -2.5e+300");
  }

  @Test
  void nullsAreStoredAsNull() throws SQLException {
    assertStoredAlike(
        ps -> {
          ps.setNull(2, Types.INTEGER);
          ps.setNull(3, Types.STRUCT, "POINT");
        },
        p -> {
          p.setNull(2, Types.INTEGER);
          p.setNull(3, Types.STRUCT, "POINT");
        });
    assertStoredAlike(
        ps -> {
          ps.setString(2, null);
          ps.setBytes(3, null);
        },
        p -> {
          p.setString(2, null);
          p.setBytes(3, null);
        });
    assertStoredAlike(
        ps -> {
          ps.setObject(2, null);
          ps.setBigDecimal(3, null);
        },
        p -> {
          p.setObject(2, null);
          p.setBigDecimal(3, null);
        });
    assertStoredAlike(
        ps -> {
          ps.setDate(2, null);
          ps.setTimestamp(3, null, Calendar.getInstance());
        },
        p -> {
          p.setDate(2, null);
          p.setTimestamp(3, null, Calendar.getInstance());
        });
    assertThat(stored(connection, nextId)).isEqualTo("null NULL | null NULL");
  }

  @Test
  void textBytesAndDecimalsAreStoredAlike() throws SQLException {
    assertStoredAlike(
        ps -> {
          ps.setString(2, TEXT);
          ps.setBytes(3, BYTES);
        },
        p -> {
          p.setString(2, TEXT);
          p.setBytes(3, BYTES);
        });
    assertThat(stored(connection, nextId)).isEqualTo("text 'héllo ✓ wörld' | blob X'000102FF2A'");
    assertStoredAlike(
        ps -> {
          ps.setBigDecimal(2, new BigDecimal("12345678901234567890.123"));
          ps.setBigDecimal(3, new BigDecimal("-1E+3"));
        },
        p -> {
          p.setBigDecimal(2, new BigDecimal("12345678901234567890.123"));
          p.setBigDecimal(3, new BigDecimal("-1E+3"));
        });
  }

  @Test
  void datesTimesAndTimestampsAreStoredAlike() throws SQLException {
    Date date = Date.valueOf("2024-02-29");
    Time time = Time.valueOf("13:14:15");
    Timestamp timestamp = Timestamp.valueOf("2024-02-29 13:14:15.123456789");
    Calendar tokyo = Calendar.getInstance(TimeZone.getTimeZone("Asia/Tokyo"));
    assertStoredAlike(
        ps -> {
          ps.setDate(2, date);
          ps.setTime(3, time);
        },
        p -> {
          p.setDate(2, date);
          p.setTime(3, time);
        });
    assertStoredAlike(
        ps -> {
          ps.setDate(2, date, tokyo);
          ps.setTime(3, time, tokyo);
        },
        p -> {
          p.setDate(2, date, tokyo);
          p.setTime(3, time, tokyo);
        });
    assertStoredAlike(
        ps -> {
          ps.setTimestamp(2, timestamp);
          ps.setTimestamp(3, timestamp, tokyo);
        },
        p -> {
          p.setTimestamp(2, timestamp);
          p.setTimestamp(3, timestamp, tokyo);
        });
    assertThat(stored(connection, nextId)).startsWith("integer " + timestamp.getTime());
  }

  @Test
  void calendarsDecideTheTextOfDatesStoredAsText() throws SQLException {
    // Given a connection that stores dates as text, where the calendar's time zone shows
    Timestamp timestamp = Timestamp.valueOf("2024-02-29 13:14:15.123");
    Calendar tokyo = Calendar.getInstance(TimeZone.getTimeZone("Asia/Tokyo"));
    Calendar utc = Calendar.getInstance(TimeZone.getTimeZone("UTC"));
    try (Connection text = open("?date_class=TEXT")) {
      // When timestamps are bound with two calendars, then both ways store the same text
      List<String> stored =
          storedBoth(
              text,
              ps -> {
                ps.setTimestamp(2, timestamp, tokyo);
                ps.setTimestamp(3, timestamp, utc);
              },
              p -> {
                p.setTimestamp(2, timestamp, tokyo);
                p.setTimestamp(3, timestamp, utc);
              });
      assertThat(stored.get(1)).isEqualTo(stored.get(0)).startsWith("text '");
      String[] columns = stored.get(1).split(" \\| ", -1);
      assertThat(columns[0]).isNotEqualTo(columns[1]);
    }
  }

  @Test
  @SuppressWarnings("JavaUtilDate") // JDBC's own type, bound as an application would
  void objectsAreStoredAsPlainSetObjectStoresThem() throws SQLException {
    List<Object> objects =
        List.of(
            42,
            5_000_000_000L,
            (short) 7,
            1.5f,
            2.25,
            true,
            BYTES,
            new BigDecimal("3.14"),
            TEXT,
            new java.util.Date(1_700_000_000_000L),
            Timestamp.valueOf("2020-01-01 00:00:00"),
            LocalDate.of(2024, 2, 29),
            URI.create("https://example.org/"));
    for (Object object : objects) {
      assertStoredAlike(
          ps -> {
            ps.setObject(2, object);
            ps.setObject(3, object, Types.VARCHAR);
          },
          p -> {
            p.setObject(2, object);
            p.setObject(3, object, Types.VARCHAR);
          });
      assertStoredAlike(
          ps -> ps.setObject(2, object, Types.DECIMAL, 2),
          p -> p.setObject(2, object, Types.DECIMAL, 2));
    }
  }

  @Test
  void aMutableObjectIsStoredAsItWasWhenSet() throws SQLException {
    // Given objects that change after being set, as sqlite-jdbc converts them when set
    StringBuilder builder = new StringBuilder("before");
    Timestamp reused = new Timestamp(1_000L);
    Calendar calendar = Calendar.getInstance(TimeZone.getTimeZone("UTC"));

    // When they change between set and execution, then the replay stores what was set
    assertStoredAlike(
        ps -> {
          ps.setObject(2, builder);
          ps.setTimestamp(3, reused, calendar);
          builder.append(" after");
          reused.setTime(2_000L);
        },
        p -> {
          builder.setLength(0);
          builder.append("before");
          reused.setTime(1_000L);
          p.setObject(2, builder);
          p.setTimestamp(3, reused, calendar);
          builder.append(" after");
          reused.setTime(2_000L);
        });
    assertThat(stored(connection, nextId)).isEqualTo("text 'before' | integer 1000");
  }

  @Test
  void sqlTypeVariantsAreStoredLikeTheIntTypeVariants() throws SQLException {
    // Given that sqlite-jdbc has no setObject with a SQLType
    try (PreparedStatement ps = connection.prepareStatement("SELECT ?")) {
      assertThatThrownBy(() -> ps.setObject(1, 1, JDBCType.INTEGER))
          .isInstanceOf(SQLFeatureNotSupportedException.class);
    }

    // Then a recorded one is stored as setObject with the type's number would store it
    assertStoredAlike(
        ps -> {
          ps.setObject(2, 12, Types.INTEGER);
          ps.setObject(3, "x", Types.VARCHAR, 3);
        },
        p -> {
          p.setObject(2, 12, JDBCType.INTEGER);
          p.setObject(3, "x", JDBCType.VARCHAR, 3);
        });
  }

  @Test
  void nationalCharacterSettersAreStoredAsTheirPlainCounterparts() throws SQLException {
    // Given that sqlite-jdbc refuses the national character setters
    try (PreparedStatement ps = connection.prepareStatement("SELECT ?")) {
      assertThatThrownBy(() -> ps.setNString(1, TEXT))
          .isInstanceOf(SQLFeatureNotSupportedException.class);
    }

    // Then recorded ones store what setString and setCharacterStream store
    assertStoredAlike(
        ps -> {
          ps.setString(2, TEXT);
          ps.setCharacterStream(3, new StringReader(TEXT), 5);
        },
        p -> {
          p.setNString(2, TEXT);
          p.setNCharacterStream(3, new StringReader(TEXT), 5L);
        });
    assertStoredAlike(
        ps -> {
          ps.setCharacterStream(2, new StringReader(TEXT));
          ps.setClob(3, new StringReader(TEXT), 4L);
        },
        p -> {
          p.setNCharacterStream(2, new StringReader(TEXT));
          p.setNClob(3, new StringReader(TEXT), 4L);
        });
    assertStoredAlike(
        ps -> {
          ps.setClob(2, new StringReader(TEXT));
          ps.setString(3, TEXT);
        },
        p -> {
          p.setNClob(2, new StringReader(TEXT));
          p.setNString(3, TEXT);
        });
  }

  @Test
  void streamsAreReadWhenSetAndStoredAlike() throws SQLException {
    byte[] utf8 = TEXT.getBytes(StandardCharsets.UTF_8);
    assertStoredAlike(
        ps -> {
          ps.setAsciiStream(2, new ByteArrayInputStream(utf8));
          ps.setAsciiStream(3, new ByteArrayInputStream(utf8), 4);
        },
        p -> {
          p.setAsciiStream(2, new ByteArrayInputStream(utf8));
          p.setAsciiStream(3, new ByteArrayInputStream(utf8), 4);
        });
    assertStoredAlike(
        ps -> {
          ps.setAsciiStream(2, new ByteArrayInputStream(utf8), 6L);
          ps.setBinaryStream(3, new ByteArrayInputStream(BYTES));
        },
        p -> {
          p.setAsciiStream(2, new ByteArrayInputStream(utf8), 6L);
          p.setBinaryStream(3, new ByteArrayInputStream(BYTES));
        });
    assertStoredAlike(
        ps -> {
          ps.setBinaryStream(2, new ByteArrayInputStream(BYTES), 3);
          ps.setBinaryStream(3, new ByteArrayInputStream(BYTES), 2L);
        },
        p -> {
          p.setBinaryStream(2, new ByteArrayInputStream(BYTES), 3);
          p.setBinaryStream(3, new ByteArrayInputStream(BYTES), 2L);
        });
    assertThat(stored(connection, nextId)).isEqualTo("blob X'000102' | blob X'0001'");
    assertStoredAlike(
        ps -> {
          ps.setCharacterStream(2, new StringReader(TEXT), 3);
          ps.setCharacterStream(3, new StringReader(TEXT), 100L);
        },
        p -> {
          p.setCharacterStream(2, new StringReader(TEXT), 3);
          p.setCharacterStream(3, new StringReader(TEXT), 100L);
        });
    assertStoredAlike(
        ps -> {
          ps.setBlob(2, new ByteArrayInputStream(BYTES));
          ps.setBlob(3, new ByteArrayInputStream(BYTES), 4L);
        },
        p -> {
          p.setBlob(2, new ByteArrayInputStream(BYTES));
          p.setBlob(3, new ByteArrayInputStream(BYTES), 4L);
        });
    assertStoredAlike(
        ps -> {
          ps.setClob(2, new StringReader(TEXT));
          ps.setClob(3, new StringReader(TEXT), 2L);
        },
        p -> {
          p.setClob(2, new StringReader(TEXT));
          p.setClob(3, new StringReader(TEXT), 2L);
        });
    assertStoredAlike(
        ps -> {
          ps.setBinaryStream(2, null, 0);
          ps.setAsciiStream(3, null, 0);
        },
        p -> {
          p.setBinaryStream(2, null, 0);
          p.setAsciiStream(3, null, 0);
        });
  }

  @Test
  void aStreamIsReadOnlyUpToItsLength() throws SQLException, IOException {
    // Given a stream longer than the length given with it
    InputStream in = new ByteArrayInputStream(BYTES);
    Parameters parameters = new Parameters();

    // When it is set, then only that many bytes are taken from it
    parameters.setBinaryStream(1, in, 2);
    assertThat(in.readAllBytes()).containsExactly(2, (byte) 0xFF, 42);
  }

  @Test
  void aStreamShorterThanItsLengthFailsWhenSetWith22023() {
    Parameters parameters = new Parameters();
    assertThatThrownBy(() -> parameters.setBinaryStream(2, new ByteArrayInputStream(BYTES), 9))
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("parameter 2 ended after 5 of the 9 bytes")
        .extracting(e -> ((SQLException) e).getSQLState())
        .isEqualTo("22023");
    assertThatThrownBy(() -> parameters.setCharacterStream(2, new StringReader(TEXT), -1L))
        .isInstanceOf(SQLException.class)
        .extracting(e -> ((SQLException) e).getSQLState())
        .isEqualTo("22023");
    assertThat(parameters.highestIndex()).isZero();
  }

  @Test
  void anUnreadableStreamFailsWith22023AndKeepsTheCause() {
    IOException broken = new IOException("disk gone");
    InputStream in =
        new InputStream() {
          @Override
          public int read() throws IOException {
            throw broken;
          }

          @Override
          public int read(byte[] b, int off, int len) throws IOException {
            throw broken;
          }
        };
    assertThatThrownBy(() -> new Parameters().setBinaryStream(1, in))
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("parameter 1")
        .hasCause(broken)
        .extracting(e -> ((SQLException) e).getSQLState())
        .isEqualTo("22023");
  }

  @Test
  void blobAndClobObjectsAreStoredAsTheirBytesAndText() throws SQLException {
    // Given that sqlite-jdbc refuses Blob and Clob objects
    try (PreparedStatement ps = connection.prepareStatement("SELECT ?")) {
      assertThatThrownBy(() -> ps.setBlob(1, new SerialBlob(BYTES)))
          .isInstanceOf(SQLFeatureNotSupportedException.class);
    }

    // Then recorded ones store what setBytes and setString store
    assertStoredAlike(
        ps -> {
          ps.setBytes(2, BYTES);
          ps.setString(3, TEXT);
        },
        p -> {
          p.setBlob(2, new SerialBlob(BYTES));
          p.setClob(3, new SerialClob(TEXT.toCharArray()));
        });
    assertStoredAlike(
        ps -> {
          ps.setBytes(2, null);
          ps.setString(3, null);
        },
        p -> {
          p.setBlob(2, (java.sql.Blob) null);
          p.setClob(3, (java.sql.Clob) null);
        });
  }

  @Test
  void typesSqliteCannotStoreAreRefusedWith0A000() {
    Parameters parameters = new Parameters();
    List<ThrowingSet> setters =
        List.of(
            () -> parameters.setURL(1, URI.create("https://example.org/").toURL()),
            () -> parameters.setRowId(1, null),
            () -> parameters.setArray(1, null),
            () -> parameters.setRef(1, null),
            () -> parameters.setSQLXML(1, null));
    for (ThrowingSet setter : setters) {
      assertThatThrownBy(setter::set)
          .isInstanceOf(SQLFeatureNotSupportedException.class)
          .extracting(e -> ((SQLException) e).getSQLState())
          .isEqualTo("0A000");
    }
  }

  @FunctionalInterface
  interface ThrowingSet {
    void set() throws Exception;
  }

  @Test
  void anIndexOutOfRangeFailsWith22023() {
    Parameters parameters = new Parameters();
    for (ThrowingSet setter :
        List.<ThrowingSet>of(
            () -> parameters.setInt(0, 1),
            () -> parameters.setString(-3, "x"),
            () -> parameters.setLong(Parameters.MAX_INDEX + 1, 1),
            () -> parameters.setBinaryStream(0, new ByteArrayInputStream(BYTES)))) {
      assertThatThrownBy(setter::set)
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("out of range")
          .extracting(e -> ((SQLException) e).getSQLState())
          .isEqualTo("22023");
    }
    assertThat(parameters.highestIndex()).isZero();
  }

  @Test
  void applyRefusesAnIndexBeyondTheStatementsParameters() throws SQLException {
    // Given a value for index 4 of a statement with 3 parameters
    Parameters parameters = new Parameters();
    parameters.setInt(4, 1);

    // Then applying fails before binding anything
    try (PreparedStatement ps = connection.prepareStatement("INSERT INTO t VALUES (?, ?, ?)")) {
      assertThatThrownBy(() -> parameters.apply(ps))
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("Parameter index 4 is out of range: the statement has 3 parameters")
          .extracting(e -> ((SQLException) e).getSQLState())
          .isEqualTo("22023");
    }
  }

  @Test
  void applyReplacesWhatTheStatementHadBound() throws SQLException {
    // Given a statement with stale values bound, and parameters that set only the id
    Parameters parameters = new Parameters();
    parameters.setInt(1, 500);
    try (PreparedStatement ps = connection.prepareStatement("INSERT INTO t VALUES (?, ?, ?)")) {
      ps.setString(2, "stale");
      ps.setString(3, "stale");

      // When the parameters are applied and run
      parameters.apply(ps);
      ps.executeUpdate();
    }

    // Then the indexes never set are NULL
    assertThat(stored(connection, 500)).isEqualTo("null NULL | null NULL");
  }

  @Test
  void theSameRecordingCanBeReplayedAgain() throws SQLException {
    // Given parameters that include a stream, read once when set
    Parameters parameters = new Parameters();
    parameters.setBinaryStream(2, new ByteArrayInputStream(BYTES));
    parameters.setString(3, TEXT);

    // When they are replayed twice, as a retry or a re-run on the writer does
    for (int id : new int[] {600, 601}) {
      parameters.setInt(1, id);
      try (PreparedStatement ps = connection.prepareStatement("INSERT INTO t VALUES (?, ?, ?)")) {
        parameters.apply(ps);
        ps.executeUpdate();
      }
    }

    // Then both runs store the same values
    assertThat(stored(connection, 601)).isEqualTo(stored(connection, 600));
    assertThat(stored(connection, 600)).startsWith("blob X'000102FF2A'");
  }

  @Test
  void clearForgetsTheValuesButNotTheBatch() throws SQLException {
    Parameters parameters = new Parameters();
    parameters.setInt(1, 1);
    parameters.setString(9, "x");
    assertThat(parameters.highestIndex()).isEqualTo(9);
    parameters.addBatch();

    parameters.clear();

    assertThat(parameters.highestIndex()).isZero();
    assertThat(parameters.batchSize()).isEqualTo(1);
    parameters.clearBatch();
    assertThat(parameters.batchSize()).isZero();
  }

  @Test
  void batchRowsAreSnapshotsThatLaterSetsDoNotChange() throws SQLException {
    // Given the same sequence of sets, batch rows and clears, reusing one Timestamp object
    Timestamp reused = new Timestamp(0);
    List<String> plain = new ArrayList<>();
    List<String> replayed = new ArrayList<>();
    for (int run = 0; run < 2; run++) {
      int base = 1000 * (run + 1);
      Parameters parameters = new Parameters();
      try (PreparedStatement ps = connection.prepareStatement("INSERT INTO t VALUES (?, ?, ?)")) {
        BatchStep[] steps = {
          target -> {
            target.setInt(1, base + 1);
            reused.setTime(111);
            target.setTimestamp(2, reused);
            target.setString(3, "first");
          },
          target -> {
            target.setInt(1, base + 2);
            reused.setTime(222);
            target.setTimestamp(2, reused);
          },
          target -> {
            target.clear();
            target.setInt(1, base + 3);
          },
        };
        for (BatchStep step : steps) {
          if (run == 0) {
            step.apply(new PlainTarget(ps));
            ps.addBatch();
          } else {
            step.apply(new RecordedTarget(parameters));
            parameters.addBatch();
          }
        }
        if (run == 1) {
          // Later sets must not reach the rows already added.
          parameters.setString(3, "late");
          reused.setTime(999);
          assertThat(parameters.batchSize()).isEqualTo(3);
          for (int row = 0; row < parameters.batchSize(); row++) {
            parameters.applyBatchRow(row, ps);
            ps.addBatch();
          }
        }
        assertThat(ps.executeBatch()).containsExactly(1, 1, 1);
      }
      for (int row = 1; row <= 3; row++) {
        (run == 0 ? plain : replayed).add(stored(connection, base + row));
      }
    }

    // Then the replayed rows are the plain ones
    assertThat(replayed)
        .isEqualTo(plain)
        .containsExactly(
            "integer 111 | text 'first'", "integer 222 | text 'first'", "null NULL | null NULL");
  }

  /** The three calls the batch test needs, on either a plain statement or a recording. */
  interface BatchTarget {
    void setInt(int index, int value) throws SQLException;

    void setString(int index, String value) throws SQLException;

    void setTimestamp(int index, Timestamp value) throws SQLException;

    void clear() throws SQLException;
  }

  @FunctionalInterface
  interface BatchStep {
    void apply(BatchTarget target) throws SQLException;
  }

  private static final class PlainTarget implements BatchTarget {
    private final PreparedStatement ps;

    PlainTarget(PreparedStatement ps) {
      this.ps = ps;
    }

    @Override
    public void setInt(int index, int value) throws SQLException {
      ps.setInt(index, value);
    }

    @Override
    public void setString(int index, String value) throws SQLException {
      ps.setString(index, value);
    }

    @Override
    public void setTimestamp(int index, Timestamp value) throws SQLException {
      ps.setTimestamp(index, value);
    }

    @Override
    public void clear() throws SQLException {
      ps.clearParameters();
    }
  }

  private static final class RecordedTarget implements BatchTarget {
    private final Parameters parameters;

    RecordedTarget(Parameters parameters) {
      this.parameters = parameters;
    }

    @Override
    public void setInt(int index, int value) throws SQLException {
      parameters.setInt(index, value);
    }

    @Override
    public void setString(int index, String value) throws SQLException {
      parameters.setString(index, value);
    }

    @Override
    public void setTimestamp(int index, Timestamp value) throws SQLException {
      parameters.setTimestamp(index, value);
    }

    @Override
    public void clear() {
      parameters.clear();
    }
  }
}
