package dev.sluice.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.sluice.SluiceDataSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import javax.sql.DataSource;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What Sluice's own machinery costs, in two parts.
 *
 * <p>(a) Metrics on and off ({@code sluice.metrics}, the {@code metrics} parameter): a point SELECT
 * by primary key and an auto-commit single-row INSERT, one thread, one Sluice connection and one
 * {@code PreparedStatement} per statement kind, reused for the whole trial, so that only the per
 * statement path (classify once, borrow, execute, release, record) is measured. The data source
 * records into a {@code SimpleMeterRegistry}; with metrics off only HikariCP's reader-pool meters
 * remain.
 *
 * <p>(b) 32 threads inserting, auto-commit, each operation getting a connection, preparing, running
 * and closing it: Sluice with group commit on and off ({@code sluice.writer.groupCommit}), and
 * HikariCP (pool 10) over sqlite-jdbc with WAL, {@code synchronous=NORMAL} and {@code
 * busy_timeout=5000}. Failed inserts are counted, not thrown (secondary results {@code ok} and
 * {@code failed}, per second); at the end of a trial the rows in the file must equal the inserts
 * acknowledged, or the trial fails. For reference, {@code rawInsert1Thread}: one raw sqlite-jdbc
 * connection (WAL, {@code synchronous=NORMAL}) inserting from one thread with one reused statement.
 *
 * <p>Every trial works on its own file in a new temporary directory, in WAL mode.
 *
 * <p>Run (defaults: 1 fork, 2 × 1 s warm-up, 3 × 1 s measurement):
 *
 * <pre>
 * ./mvnw -q -B -DskipTests -pl bench -am package exec:java -Ddemo.main=org.openjdk.jmh.Main \
 *     -Dexec.args="OverheadBench"
 * </pre>
 *
 * <p>Not final and public, nor are its states: JMH generates subclasses of them. The states are
 * thread-safe where JMH shares them between benchmark threads ({@link Contended}); the others serve
 * one thread.
 */
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class OverheadBench {
  private static final Logger LOG = LoggerFactory.getLogger(OverheadBench.class);
  static final int ITEMS = 10_000;
  private static final String PAYLOAD = "payload-" + "x".repeat(64);
  private static final String SELECT = "SELECT payload FROM item WHERE id = ?";
  private static final String INSERT = "INSERT INTO log (payload) VALUES (?)";

  /** Part (a): one Sluice data source, one connection and two statements, one thread. */
  @State(Scope.Benchmark)
  public static class Single {
    /** The value of {@code sluice.metrics}. */
    @Param({"true", "false"})
    public String metrics;

    private Path dir;
    private SluiceDataSource sluice;
    private Connection connection;
    private PreparedStatement select;
    private PreparedStatement insert;

    /** Creates the file and opens Sluice on it, then the connection and its statements. */
    @Setup(Level.Trial)
    public void open() throws IOException, SQLException {
      dir = Files.createTempDirectory("sluice-overhead-a-");
      Path file = createDatabase(dir);
      sluice =
          SluiceDataSource.builder()
              .url("jdbc:sqlite:" + file)
              .option("sluice.metrics", metrics)
              .meterRegistry(new SimpleMeterRegistry())
              .build();
      connection = sluice.getConnection();
      select = connection.prepareStatement(SELECT);
      insert = connection.prepareStatement(INSERT);
    }

    /** Closes everything and deletes the file. */
    @TearDown(Level.Trial)
    public void close() throws IOException, SQLException {
      try {
        select.close();
        insert.close();
        connection.close();
      } finally {
        sluice.close();
        delete(dir);
      }
    }
  }

  /** Part (b): a data source shared by 32 threads; counts acknowledged inserts and failures. */
  @State(Scope.Benchmark)
  public static class Contended {
    /** {@code SLUICE_GROUP}, {@code SLUICE_NO_GROUP} (group commit on, off) or {@code HIKARI}. */
    @Param({"SLUICE_GROUP", "SLUICE_NO_GROUP", "HIKARI"})
    public String target;

    private Path dir;
    private Path file;
    private DataSource source;
    private AutoCloseable pool;
    private final LongAdder acknowledged = new LongAdder();
    private final Map<String, LongAdder> failures = new ConcurrentHashMap<>();

    /** Creates the file and opens the target on it. */
    @Setup(Level.Trial)
    public void open() throws IOException, SQLException {
      dir = Files.createTempDirectory("sluice-overhead-b-");
      file = createDatabase(dir);
      switch (target) {
        case "SLUICE_GROUP", "SLUICE_NO_GROUP" -> {
          SluiceDataSource sluice =
              SluiceDataSource.builder()
                  .url("jdbc:sqlite:" + file)
                  .option(
                      "sluice.writer.groupCommit", Boolean.toString(target.equals("SLUICE_GROUP")))
                  .meterRegistry(new SimpleMeterRegistry())
                  .build();
          source = sluice;
          pool = sluice;
        }
        case "HIKARI" -> {
          HikariConfig config = new HikariConfig();
          config.setJdbcUrl(
              "jdbc:sqlite:" + file + "?journal_mode=WAL&synchronous=NORMAL&busy_timeout=5000");
          config.setMaximumPoolSize(10);
          HikariDataSource hikari = new HikariDataSource(config);
          source = hikari;
          pool = hikari;
        }
        default -> throw new IllegalArgumentException("unknown target " + target);
      }
    }

    /**
     * Closes the target, then fails the trial unless the file holds exactly the acknowledged rows.
     */
    @TearDown(Level.Trial)
    public void close() throws Exception {
      try {
        pool.close();
        if (!failures.isEmpty()) {
          LOG.warn("{}: failed inserts by kind {}", target, new TreeMap<>(failures));
        }
        long rows = count(file, "log");
        if (rows != acknowledged.sum()) {
          throw new IllegalStateException(
              target + ": " + rows + " rows in the file, " + acknowledged.sum() + " acknowledged");
        }
      } finally {
        delete(dir);
      }
    }

    void failed(SQLException e) {
      String message = String.valueOf(e.getMessage());
      int newline = message.indexOf('\n');
      String kind = e.getSQLState() + " " + (newline < 0 ? message : message.substring(0, newline));
      failures.computeIfAbsent(kind.replaceAll("\\d+", "#"), k -> new LongAdder()).increment();
    }
  }

  /** Per-thread outcome counts, reported by JMH as secondary results (per second). */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Outcome {
    /** Inserts acknowledged in this iteration. */
    public long ok;

    /** Inserts that failed in this iteration. */
    public long failed;

    /** Starts each iteration from zero. */
    @Setup(Level.Iteration)
    public void reset() {
      ok = 0;
      failed = 0;
    }
  }

  /** The reference: one raw sqlite-jdbc connection and one reused statement, one thread. */
  @State(Scope.Benchmark)
  public static class Raw {
    private Path dir;
    private Connection connection;
    private PreparedStatement insert;

    /** Creates the file and opens the connection. */
    @Setup(Level.Trial)
    public void open() throws IOException, SQLException {
      dir = Files.createTempDirectory("sluice-overhead-raw-");
      Path file = createDatabase(dir);
      connection =
          DriverManager.getConnection(
              "jdbc:sqlite:" + file + "?journal_mode=WAL&synchronous=NORMAL");
      insert = connection.prepareStatement(INSERT);
    }

    /** Closes the connection and deletes the file. */
    @TearDown(Level.Trial)
    public void close() throws IOException, SQLException {
      try {
        insert.close();
        connection.close();
      } finally {
        delete(dir);
      }
    }
  }

  /** (a) {@code SELECT payload FROM item WHERE id = ?} on the reused statement, auto-commit. */
  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public String pointSelect(Single s) throws SQLException {
    s.select.setInt(1, 1 + ThreadLocalRandom.current().nextInt(ITEMS));
    try (ResultSet rs = s.select.executeQuery()) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  /** (a) {@code INSERT INTO log (payload) VALUES (?)} on the reused statement, auto-commit. */
  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public int insert(Single s) throws SQLException {
    s.insert.setString(1, PAYLOAD);
    return s.insert.executeUpdate();
  }

  /** (b) One auto-commit insert: get a connection, prepare, execute, close; 32 threads. */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  @Threads(32)
  public int insert32Threads(Contended s, Outcome o) {
    try (Connection c = s.source.getConnection();
        PreparedStatement p = c.prepareStatement(INSERT)) {
      p.setString(1, PAYLOAD);
      int n = p.executeUpdate();
      // Counted here: an auto-commit insert that returned is durable, whatever close() does.
      s.acknowledged.increment();
      o.ok++;
      return n;
    } catch (SQLException e) {
      o.failed++;
      s.failed(e);
      return -1;
    }
  }

  /** (b) The reference: one raw connection, one reused statement, one thread. */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  public int rawInsert1Thread(Raw r) throws SQLException {
    r.insert.setString(1, PAYLOAD);
    return r.insert.executeUpdate();
  }

  /** Creates {@code bench.db} in WAL mode with {@code item} (10,000 rows) and empty {@code log}. */
  static Path createDatabase(Path dir) throws SQLException {
    Path file = dir.resolve("bench.db");
    createItemsAndLog(file);
    return file;
  }

  /**
   * Creates {@code file} in WAL mode with {@code item} ({@link #ITEMS} rows) and empty {@code log}.
   */
  static void createItemsAndLog(Path file) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement s = c.createStatement()) {
      s.execute("PRAGMA journal_mode=WAL");
      c.setAutoCommit(false);
      s.execute("CREATE TABLE item (id INTEGER PRIMARY KEY, payload TEXT NOT NULL)");
      s.execute("CREATE TABLE log (id INTEGER PRIMARY KEY, payload TEXT NOT NULL)");
      s.execute(
          "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < "
              + ITEMS
              + ") INSERT INTO item SELECT i, 'item-' || i FROM n");
      c.commit();
    }
  }

  static long count(Path file, String table) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** Deletes the files in {@code dir}, then {@code dir}: every benchmark's temp database. */
  static void delete(Path dir) throws IOException {
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path f : files) {
        Files.deleteIfExists(f);
      }
    }
    Files.deleteIfExists(dir);
  }
}
