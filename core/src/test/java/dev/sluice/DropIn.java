package dev.sluice;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.sluice.driver.Engines;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.sqlite.SQLiteDataSource;

/**
 * The differential kit of design.md "Fidelity": runs one test body against plain sqlite-jdbc
 * ({@code jdbc:sqlite:}) and against Sluice ({@code jdbc:sluice:sqlite:}), each on a fresh file in
 * its own temp folder, and compares the {@link Outcome}s: what the body returned or threw, and the
 * rows the file holds afterwards. A body opens everything through its {@link Db}, which closes it
 * all (connections, pools, data sources, the engines of {@code jdbc:sluice:} URLs) before the file
 * is read back. Where Sluice differs on purpose (design.md "Errors"), a test says so: {@link
 * #sameVendorCode} compares failures by vendor code only and hands Sluice's failure back for its
 * own assertions.
 *
 * <p>Not thread-safe as a whole: one body runs at a time; a body may use its {@link Db} from
 * several threads.
 */
final class DropIn {
  private static final String PLAIN_PREFIX = "jdbc:sqlite:";
  private static final String SLUICE_PREFIX = "jdbc:sluice:sqlite:";
  private static final String AGAINST =
      "jdbc:sluice:sqlite: (actual) against plain jdbc:sqlite: (expected)";

  private DropIn() {}

  /**
   * A failed step of a random differential test as compared: the vendor code and whether it is a
   * SQLite error (SQLStates differ on purpose, design.md "Errors"); {@code -Ddropin.messages=true}
   * adds the message, to read a difference.
   */
  static String failedStep(SQLException e) {
    String message = Boolean.getBoolean("dropin.messages") ? " " + e.getMessage() : "";
    return "failed "
        + e.getErrorCode()
        + (e instanceof org.sqlite.SQLiteException ? " sqlite" : "")
        + message;
  }

  /**
   * The seeds of a random differential test: {@code from .. from + count - 1}, or, for a longer
   * search run by hand, those of {@code -Ddropin.seeds=FROM-TO} (TO excluded), for every test.
   */
  static LongStream seeds(long from, int count) {
    String range = System.getProperty("dropin.seeds");
    if (range == null || range.isBlank()) {
      return LongStream.range(from, from + count);
    }
    String[] fromTo = range.split("-", 2);
    return LongStream.range(Long.parseLong(fromTo[0].trim()), Long.parseLong(fromTo[1].trim()));
  }

  /** The two drivers a body runs against. */
  enum Target {
    PLAIN,
    SLUICE
  }

  /** A test body, written as an application writes JDBC; returns the values to compare. */
  @FunctionalInterface
  interface Body {
    List<?> run(Db db) throws Exception;
  }

  /**
   * What a body threw; {@code sqlState} and {@code vendorCode} are those of a SQLException. Two
   * failures are equal when their types (any SQLite error as sqlite-jdbc's {@code
   * SQLiteException}), vendor codes and, where both have one, SQLStates are. The message is shown
   * in a diff but never compared: the two drivers word things differently.
   */
  record Failure(String type, String sqlState, int vendorCode, String message) {
    static Failure of(Exception e) {
      // A SQLite error is compared as the class callers catch, sqlite-jdbc's SQLiteException.
      String type =
          e instanceof org.sqlite.SQLiteException
              ? org.sqlite.SQLiteException.class.getName()
              : e.getClass().getName();
      return e instanceof SQLException s
          ? new Failure(type, s.getSQLState(), s.getErrorCode(), s.getMessage())
          : new Failure(e.getClass().getName(), null, 0, String.valueOf(e.getMessage()));
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Failure f
          && type.equals(f.type)
          // Plain sqlite-jdbc leaves most SQLStates null; Sluice adds them (design.md "Errors").
          && (sqlState == null || f.sqlState == null || sqlState.equals(f.sqlState))
          && vendorCode == f.vendorCode;
    }

    @Override
    public int hashCode() {
      return Objects.hash(type, vendorCode);
    }
  }

  /**
   * What a body returned (as strings) or threw (then {@code result} is empty), and the file's
   * content afterwards: one {@code table[values…]} string per row, sorted.
   */
  record Outcome(List<String> result, Failure failure, List<String> content) {
    /** This outcome with the failure's class and SQLState left out, for {@link #sameVendorCode}. */
    Outcome byVendorCode() {
      return failure == null
          ? this
          : new Outcome(
              result, new Failure("failed", null, failure.vendorCode, failure.message), content);
    }

    @Override
    public String toString() {
      return "\n  result  " + result + "\n  failure " + failure + "\n  content " + content + "\n";
    }
  }

  /** Runs each statement on {@code c}, as a body sets up its tables. */
  static void exec(Connection c, String... sqls) throws SQLException {
    try (Statement s = c.createStatement()) {
      for (String sql : sqls) {
        s.execute(sql);
      }
    }
  }

  /** Every row of {@code r}, read to its end, as its columns' strings joined by {@code |}. */
  static List<Object> rows(ResultSet r) throws SQLException {
    List<Object> rows = new ArrayList<>();
    int columns = r.getMetaData().getColumnCount();
    while (r.next()) {
      StringBuilder row = new StringBuilder();
      for (int i = 1; i <= columns; i++) {
        row.append(i > 1 ? "|" : "").append(r.getString(i));
      }
      rows.add(row.toString());
    }
    return rows;
  }

  /** The first column of the first row of a query, as a long. */
  static long one(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet r = s.executeQuery(sql)) {
      r.next();
      return r.getLong(1);
    }
  }

  /** Runs the body on both drivers and asserts equal outcomes. */
  static Outcome same(Body body) throws Exception {
    Outcome plain = run(Target.PLAIN, body);
    Outcome sluice = run(Target.SLUICE, body);
    assertThat(sluice).as(AGAINST).isEqualTo(plain);
    return sluice;
  }

  /**
   * Runs the body on both drivers; both must fail with the same vendor code and otherwise agree.
   * The exception class and SQLState are Sluice's own (design.md "Errors"): the caller asserts them
   * on the returned failure.
   */
  static Failure sameVendorCode(Body body) throws Exception {
    Outcome plain = run(Target.PLAIN, body);
    Outcome sluice = run(Target.SLUICE, body);
    assertThat(plain.failure()).as("plain jdbc:sqlite: fails; its outcome: %s", plain).isNotNull();
    assertThat(sluice.byVendorCode()).as(AGAINST).isEqualTo(plain.byVendorCode());
    return sluice.failure();
  }

  /** Runs the body on a fresh file through one driver, closes what it opened, reads the file. */
  static Outcome run(Target target, Body body) throws Exception {
    Path dir = Files.createTempDirectory("sluice-dropin");
    try {
      List<String> result = List.of();
      Failure failure = null;
      try (Db db = new Db(target, dir)) {
        result = body.run(db).stream().map(DropIn::show).toList();
      } catch (Exception e) {
        failure = Failure.of(e);
      }
      return new Outcome(result, failure, content(dir.resolve("test.db")));
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static String show(Object value) {
    return value instanceof byte[] b ? Arrays.toString(b) : String.valueOf(value);
  }

  /** Every row of every table of the file, read with plain sqlite-jdbc after everything closed. */
  static List<String> content(Path file) throws SQLException {
    if (!Files.exists(file)) {
      return List.of();
    }
    List<String> rows = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(PLAIN_PREFIX + file);
        Statement s = c.createStatement()) {
      List<String> tables = new ArrayList<>();
      try (ResultSet r =
          s.executeQuery(
              "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")) {
        while (r.next()) {
          tables.add(r.getString(1));
        }
      }
      for (String table : tables) {
        try (ResultSet r = s.executeQuery("SELECT * FROM \"" + table + "\"")) {
          ResultSetMetaData m = r.getMetaData();
          while (r.next()) {
            List<String> values = new ArrayList<>();
            for (int i = 1; i <= m.getColumnCount(); i++) {
              values.add(show(r.getObject(i)));
            }
            rows.add(table + values);
          }
        }
      }
    }
    rows.sort(Comparator.naturalOrder());
    return rows;
  }

  /**
   * One run's database: a fresh {@code test.db} in a temp folder, reached through one driver. Opens
   * what a body asks for and closes it all, newest first, when the run ends. Thread-safe: a body
   * may open from several threads.
   */
  static final class Db implements AutoCloseable {
    private final Target target;
    private final Path dir;
    private final List<AutoCloseable> open = new CopyOnWriteArrayList<>();
    private final Set<String> sluiceUrls = ConcurrentHashMap.newKeySet();

    private Db(Target target, Path dir) {
      this.target = target;
      this.dir = dir;
    }

    Target target() {
      return target;
    }

    /** The run's folder, for other files a body needs. */
    Path dir() {
      return dir;
    }

    /**
     * The URL of this run's file. Sluice's carries a unique name, two readers and short writer and
     * reader waits, so a hang ends in an error.
     */
    String url() {
      String file = dir.resolve("test.db").toString();
      return target == Target.PLAIN
          ? PLAIN_PREFIX + file
          : SLUICE_PREFIX
              + file
              + "?sluice.name="
              + dir.getFileName()
              + "&sluice.readers=2&sluice.writer.acquireTimeout=10000"
              + "&sluice.reader.acquireTimeout=10000";
    }

    /** The URL of another database ({@code :memory:}, a path) as an application writes it. */
    String url(String location) {
      return (target == Target.PLAIN ? PLAIN_PREFIX : SLUICE_PREFIX) + location;
    }

    /** A connection to this run's file through {@link DriverManager}. */
    Connection connect() throws SQLException {
      return connect(url());
    }

    /** A connection through {@link DriverManager}, closed when the run ends. */
    Connection connect(String url) throws SQLException {
      Connection c = DriverManager.getConnection(url);
      if (url.startsWith(SLUICE_PREFIX)) {
        sluiceUrls.add(url);
      }
      return track(c);
    }

    /**
     * A data source on this run's file: sqlite-jdbc's own, or Sluice's builder with the same
     * settings as {@link #url()}.
     */
    DataSource dataSource() throws SQLException {
      String file = PLAIN_PREFIX + dir.resolve("test.db");
      if (target == Target.PLAIN) {
        SQLiteDataSource ds = new SQLiteDataSource();
        ds.setUrl(file);
        return ds;
      }
      return track(
          SluiceDataSource.builder()
              .url(file)
              .name(dir.getFileName() + "-builder")
              .readers(2)
              .writerAcquireTimeout(Duration.ofSeconds(10))
              .option("sluice.reader.acquireTimeout", "10000")
              .build());
    }

    /** A HikariCP pool over {@link #url()}, as an application configures one. */
    HikariDataSource hikari(int size, String connectionInitSql) {
      HikariConfig config = new HikariConfig();
      config.setJdbcUrl(url());
      config.setPoolName(dir.getFileName() + "-app");
      config.setMaximumPoolSize(size);
      config.setConnectionInitSql(connectionInitSql);
      config.setConnectionTimeout(10_000);
      if (target == Target.SLUICE) {
        sluiceUrls.add(url());
      }
      return track(new HikariDataSource(config));
    }

    <T extends AutoCloseable> T track(T closeable) {
      open.add(closeable);
      return closeable;
    }

    @Override
    public void close() throws Exception {
      Exception first = null;
      for (int i = open.size() - 1; i >= 0; i--) {
        try {
          open.get(i).close();
        } catch (Exception e) {
          first = first == null ? e : first;
        }
      }
      // Engines of jdbc:sluice: URLs are shared per JVM and outlive their connections.
      for (String url : sluiceUrls) {
        try {
          Engines.close(url, null);
        } catch (SQLException e) {
          first = first == null ? e : first;
        }
      }
      if (first != null) {
        throw first;
      }
    }
  }
}
