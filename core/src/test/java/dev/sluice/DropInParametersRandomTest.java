package dev.sluice;

import static dev.sluice.DropIn.exec;

import java.io.ByteArrayInputStream;
import java.io.StringReader;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Time;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Calendar;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TimeZone;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Random values bound through every kind of {@link PreparedStatement} setter, written through each
 * way a write can go (alone in auto-commit, in a transaction, in a batch, as {@code INSERT ...
 * RETURNING}), then read back through every kind of getter, on a reader (auto-commit) and on the
 * writer (in a transaction), and used again as bound values of a query: each run on plain
 * sqlite-jdbc and on Sluice through {@link DropIn#same}. Sluice records a statement's setters and
 * replays them on whichever physical statement runs it, so every setter's conversion must land the
 * same value in the file as sqlite-jdbc's own. The URL options that change how sqlite-jdbc converts
 * dates ({@code date_class}, {@code date_precision}) apply to every connection Sluice opens.
 *
 * <p>Not covered: the setters sqlite-jdbc refuses and Sluice replays through their plain
 * counterparts (design.md "Parameters"), and the LIMIT-sized stream setters whose length is larger
 * than the stream, which plain reads differently by setter.
 */
class DropInParametersRandomTest {
  private static final int ROWS = 12;

  /** Columns after the key, one per declared type affinity sqlite-jdbc's getters look at. */
  private static final String[] COLUMNS = {
    "a",
    "b INTEGER",
    "c REAL",
    "d TEXT",
    "e BLOB",
    "f NUMERIC",
    "g DATE",
    "h DATETIME",
    "i BOOLEAN",
    "j VARCHAR(10)",
    "k DECIMAL(10,2)",
    "l TIMESTAMP"
  };

  private static final String[] DATE_OPTIONS = {
    "", "date_class=TEXT", "date_class=REAL", "date_precision=SECONDS",
  };

  static LongStream seeds() {
    return DropIn.seeds(0, 60);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void randomValuesThroughEverySetterReadBackAsOnPlain(long seed) throws Exception {
    DropIn.same(db -> script(db, seed));
  }

  static List<Object> script(DropIn.Db db, long seed) throws SQLException {
    SplittableRandom random = new SplittableRandom(seed);
    String option = DATE_OPTIONS[random.nextInt(DATE_OPTIONS.length)];
    String url = db.url();
    String withOption = option.isEmpty() ? url : url + (url.contains("?") ? "&" : "?") + option;
    List<Object> out = new ArrayList<>();
    out.add("options " + option);
    try (Connection c = db.connect(withOption)) {
      StringBuilder create = new StringBuilder("CREATE TABLE t (id INTEGER PRIMARY KEY");
      for (String column : COLUMNS) {
        create.append(", ").append(column);
      }
      exec(c, create.append(")").toString());
      String insert = "INSERT INTO t VALUES (?" + ", ?".repeat(COLUMNS.length) + ")";
      int id = 0;
      while (id < ROWS) {
        int path = random.nextInt(4);
        try {
          switch (path) {
            case 0 -> {
              try (PreparedStatement p = c.prepareStatement(insert)) {
                bindRow(p, ++id, random, out);
                out.add("alone " + p.executeUpdate());
              }
            }
            case 1 -> {
              c.setAutoCommit(false);
              try (PreparedStatement p = c.prepareStatement(insert)) {
                bindRow(p, ++id, random, out);
                out.add("in transaction " + p.executeUpdate());
                bindRow(p, ++id, random, out);
                out.add("again " + p.executeUpdate());
              }
              c.commit();
              c.setAutoCommit(true);
            }
            case 2 -> {
              try (PreparedStatement p = c.prepareStatement(insert)) {
                for (int n = 0; n < 3; n++) {
                  bindRow(p, ++id, random, out);
                  p.addBatch();
                }
                out.add("batch " + java.util.Arrays.toString(p.executeBatch()));
              }
            }
            default -> {
              try (PreparedStatement p = c.prepareStatement(insert + " RETURNING *")) {
                bindRow(p, ++id, random, out);
                try (ResultSet r = p.executeQuery()) {
                  out.add("returning " + read(r, random));
                }
              }
            }
          }
        } catch (SQLException e) {
          out.add("path " + path + " failed " + e.getErrorCode() + " " + e.getClass().getName());
          if (!c.getAutoCommit()) {
            c.rollback();
            c.setAutoCommit(true);
          }
        }
      }
      try (PreparedStatement p = c.prepareStatement("SELECT * FROM t ORDER BY id");
          ResultSet r = p.executeQuery()) {
        out.add("on a reader " + read(r, random));
      }
      c.setAutoCommit(false);
      try (PreparedStatement p = c.prepareStatement("SELECT * FROM t ORDER BY id");
          ResultSet r = p.executeQuery()) {
        out.add("on the writer " + read(r, random));
      }
      c.commit();
      c.setAutoCommit(true);
      for (int n = 0; n < 6; n++) {
        int column = 2 + random.nextInt(COLUMNS.length);
        try (PreparedStatement p =
            c.prepareStatement("SELECT id FROM t WHERE " + name(column) + " = ? ORDER BY id")) {
          String bound = bind(p, 1, random);
          try (ResultSet r = p.executeQuery()) {
            out.add("where " + name(column) + " = " + bound + ": " + DropIn.rows(r));
          }
        } catch (SQLException e) {
          out.add("where failed " + e.getErrorCode() + " " + e.getClass().getName());
        }
      }
    }
    return out;
  }

  private static String name(int column) {
    String c = COLUMNS[column - 2];
    int space = c.indexOf(' ');
    return space < 0 ? c : c.substring(0, space);
  }

  private static void bindRow(
      PreparedStatement p, int id, SplittableRandom random, List<Object> out) throws SQLException {
    p.setInt(1, id);
    StringBuilder bound = new StringBuilder("row " + id + ":");
    for (int i = 2; i <= COLUMNS.length + 1; i++) {
      bound.append(' ').append(bind(p, i, random));
    }
    out.add(bound.toString());
  }

  /** Binds a random value through a random setter; returns what it bound, for the record. */
  private static String bind(PreparedStatement p, int i, SplittableRandom random)
      throws SQLException {
    int setter = random.nextInt(26);
    long l = random.nextInt(5) == 0 ? random.nextLong() : random.nextInt(2001) - 1000;
    double d = random.nextInt(3) == 0 ? l / 7.0 : random.nextDouble() * 1e6 - 5e5;
    String s = text(random);
    byte[] bytes = new byte[random.nextInt(6)];
    for (int b = 0; b < bytes.length; b++) {
      bytes[b] = (byte) random.nextInt(256);
    }
    long millis = 1_600_000_000_000L + random.nextLong(200_000_000_000L);
    Calendar cal =
        Calendar.getInstance(TimeZone.getTimeZone(random.nextBoolean() ? "UTC" : "Asia/Kolkata"));
    switch (setter) {
      case 0 -> p.setNull(i, Types.INTEGER);
      case 1 -> p.setNull(i, Types.VARCHAR);
      case 2 -> p.setInt(i, (int) l);
      case 3 -> p.setLong(i, l);
      case 4 -> p.setDouble(i, d);
      case 5 -> p.setFloat(i, (float) d);
      case 6 -> p.setString(i, s);
      case 7 -> p.setBytes(i, bytes);
      case 8 -> p.setBigDecimal(i, BigDecimal.valueOf(l, random.nextInt(4)));
      case 9 -> p.setBoolean(i, random.nextBoolean());
      case 10 -> p.setShort(i, (short) l);
      case 11 -> p.setByte(i, (byte) l);
      case 12 -> p.setDate(i, new Date(millis));
      case 13 -> p.setDate(i, new Date(millis), cal);
      case 14 -> p.setTime(i, new Time(millis % 86_400_000L));
      case 15 -> p.setTimestamp(i, timestamp(millis, random));
      case 16 -> p.setTimestamp(i, timestamp(millis, random), cal);
      case 17 -> p.setObject(i, random.nextBoolean() ? (Object) l : (Object) s);
      case 18 -> p.setObject(i, LocalDate.ofEpochDay(18_000 + random.nextInt(3_000)));
      case 19 ->
          p.setObject(
              i, LocalDateTime.of(2024, 1 + random.nextInt(12), 1, 10, 20, 30, 123_000_000));
      case 20 -> p.setObject(i, BigDecimal.valueOf(l, 2));
      case 21 -> p.setObject(i, String.valueOf(l), Types.INTEGER);
      case 22 -> p.setAsciiStream(i, new ByteArrayInputStream(ascii(s)), ascii(s).length);
      case 23 -> p.setBinaryStream(i, new ByteArrayInputStream(bytes), bytes.length);
      case 24 -> p.setCharacterStream(i, new StringReader(s), s.length());
      default -> p.setObject(i, d, Types.DOUBLE);
    }
    return setter + "";
  }

  private static Timestamp timestamp(long millis, SplittableRandom random) {
    Timestamp t = new Timestamp(millis);
    t.setNanos(random.nextInt(1_000_000_000));
    return t;
  }

  private static byte[] ascii(String s) {
    return s.replaceAll("[^\\x00-\\x7f]", "?").getBytes(StandardCharsets.US_ASCII);
  }

  /** A value as text; a byte array by its bytes, not its identity. */
  private static String show(Object value) {
    return value instanceof byte[] b
        ? java.util.Arrays.toString(b)
        : value == null ? "null" : value.getClass().getSimpleName() + ":" + value;
  }

  private static String text(SplittableRandom random) {
    String[] pieces = {"", "x", "héllo", "😀", "12", "-3.5", "2024-05-06", "true", " 7 ", "0x1F"};
    return pieces[random.nextInt(pieces.length)]
        + (random.nextBoolean() ? "" : pieces[random.nextInt(pieces.length)]);
  }

  /** Every row through a random getter per column, each answer or failure kept. */
  private static String read(ResultSet r, SplittableRandom random) throws SQLException {
    StringBuilder b = new StringBuilder();
    int columns = r.getMetaData().getColumnCount();
    while (r.next()) {
      b.append('[');
      for (int i = 1; i <= columns; i++) {
        int getter = random.nextInt(12);
        String value;
        try {
          value =
              switch (getter) {
                case 0 -> show(r.getObject(i));
                case 1 -> r.getString(i);
                case 2 -> r.getLong(i) + "";
                case 3 -> r.getInt(i) + "";
                case 4 -> r.getDouble(i) + "";
                case 5 -> String.valueOf(r.getBigDecimal(i));
                case 6 -> java.util.Arrays.toString(r.getBytes(i));
                case 7 -> String.valueOf(r.getDate(i));
                case 8 -> String.valueOf(r.getTime(i));
                case 9 -> String.valueOf(r.getTimestamp(i));
                case 10 -> r.getBoolean(i) + "";
                default ->
                    r.getMetaData().getColumnTypeName(i) + "/" + r.getMetaData().getColumnType(i);
              };
          value += r.wasNull() ? "(null)" : "";
        } catch (SQLException e) {
          value = "!" + e.getErrorCode();
        } catch (RuntimeException e) {
          value = "!" + e.getClass().getSimpleName();
        }
        b.append(getter).append('=').append(value).append(i < columns ? "," : "");
      }
      b.append(']');
    }
    return b.toString();
  }
}
