package dev.sluice.bench;

import dev.sluice.SluiceDataSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
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

/**
 * Auto-commit single-row inserts per second, at 1 and 32 threads, with {@code synchronous=NORMAL}
 * and {@code FULL}: one raw sqlite-jdbc connection (the threads take turns on it under a lock, each
 * insert its own commit: the single writer's sequential limit), and Sluice with group commit off
 * and on (each thread its own logical connection and prepared statement). WAL, one temp file per
 * trial.
 *
 * <pre>
 * ./mvnw -q -B -DskipTests -pl bench -am package exec:java -Ddemo.main=org.openjdk.jmh.Main \
 *     -Dexec.args="GroupCommitBench"
 * </pre>
 *
 * <p>Not final and public: JMH generates subclasses of it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
public class GroupCommitBench {
  private static final String INSERT = "INSERT INTO t (v) VALUES (?)";

  /** {@code PRAGMA synchronous} of every connection. */
  @Param({"NORMAL", "FULL"})
  public String synchronous;

  /** RAW (one sqlite-jdbc connection), GROUP_OFF or GROUP_ON (Sluice). */
  @Param({"RAW", "GROUP_OFF", "GROUP_ON"})
  public String target;

  private Path dir;
  private Connection raw;
  private PreparedStatement rawInsert;
  private final ReentrantLock rawLock = new ReentrantLock();
  private SluiceDataSource sluice;

  /** Creates the file and opens the target on it. */
  @Setup(Level.Trial)
  public void open() throws IOException, SQLException {
    dir = Files.createTempDirectory("sluice-group-bench-");
    Path file = dir.resolve("bench.db");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement s = c.createStatement()) {
      s.execute("PRAGMA journal_mode=WAL");
      s.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)");
    }
    if (target.equals("RAW")) {
      raw = DriverManager.getConnection("jdbc:sqlite:" + file);
      try (Statement s = raw.createStatement()) {
        s.execute("PRAGMA synchronous=" + synchronous);
      }
      rawInsert = raw.prepareStatement(INSERT);
    } else {
      sluice =
          SluiceDataSource.builder()
              .url("jdbc:sqlite:" + file)
              .pragma("synchronous", synchronous)
              .option("sluice.writer.groupCommit", Boolean.toString(target.equals("GROUP_ON")))
              .build();
    }
  }

  /** Closes the target and deletes the file. */
  @TearDown(Level.Trial)
  public void close() throws IOException, SQLException {
    if (raw != null) {
      rawInsert.close();
      raw.close();
    }
    if (sluice != null) {
      sluice.close();
    }
    OverheadBench.delete(dir);
  }

  /** One benchmark thread's connection and statement (Sluice targets). */
  @State(Scope.Thread)
  public static class Worker {
    Connection connection;
    PreparedStatement insert;
    long n;

    /** Opens this thread's logical connection. */
    @Setup(Level.Trial)
    public void open(GroupCommitBench bench) throws SQLException {
      if (bench.sluice != null) {
        connection = bench.sluice.getConnection();
        insert = connection.prepareStatement(INSERT);
      }
    }

    /** Closes it. */
    @TearDown(Level.Trial)
    public void close() throws SQLException {
      if (connection != null) {
        insert.close();
        connection.close();
      }
    }
  }

  private int insert(Worker w) throws SQLException {
    String v = "v" + w.n++;
    if (raw != null) {
      rawLock.lock();
      try {
        rawInsert.setString(1, v);
        return rawInsert.executeUpdate();
      } finally {
        rawLock.unlock();
      }
    }
    w.insert.setString(1, v);
    return w.insert.executeUpdate();
  }

  /** One thread inserting. */
  @Benchmark
  @Threads(1)
  public int oneThread(Worker w) throws SQLException {
    return insert(w);
  }

  /** 32 threads inserting at once. */
  @Benchmark
  @Threads(32)
  public int threads32(Worker w) throws SQLException {
    return insert(w);
  }
}
