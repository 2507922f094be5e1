package dev.sluice.bench;

import dev.sluice.SluiceDataSource;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
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
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Auto-commit single-row inserts, at 1 and 32 threads, with {@code synchronous=NORMAL} and {@code
 * FULL}: one raw sqlite-jdbc connection (the threads take turns on it under a lock, each insert its
 * own commit: the single writer's sequential limit), and Sluice with group commit off and on (each
 * thread its own logical connection and prepared statement). WAL, one temp file per trial.
 *
 * <p>Measured: inserts per second ({@code oneThread}, {@code threads32}) and the latency of each
 * {@code executeUpdate}, p50 and p99 among JMH's percentiles ({@code oneThreadLatency}, {@code
 * threads32Latency}). For the group commit target, the mean and largest group size of the
 * measurement iterations ({@code sluice.writer.group.size}) are logged at the end of each trial.
 * After each trial the rows in the file must equal the inserts acknowledged, or the trial fails.
 *
 * <pre>
 * ./mvnw -q -B -DskipTests -pl bench -am package exec:java -Ddemo.main=org.openjdk.jmh.Main \
 *     -Dexec.args="GroupCommitBench"
 * </pre>
 *
 * <p>Not final and public: JMH generates subclasses of it. Thread-safe where JMH shares it between
 * benchmark threads: the raw connection is used under a lock, the counts are concurrent.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
public class GroupCommitBench {
  private static final Logger LOG = LoggerFactory.getLogger(GroupCommitBench.class);
  private static final String INSERT = "INSERT INTO t (v) VALUES (?)";

  /** {@code PRAGMA synchronous} of every connection. */
  @Param({"NORMAL", "FULL"})
  public String synchronous;

  /** RAW (one sqlite-jdbc connection), GROUP_OFF or GROUP_ON (Sluice). */
  @Param({"RAW", "GROUP_OFF", "GROUP_ON"})
  public String target;

  private Path dir;
  private Path file;
  private Connection raw;
  private PreparedStatement rawInsert;
  private final ReentrantLock rawLock = new ReentrantLock();
  private SluiceDataSource sluice;
  private DistributionSummary groups;
  private final Queue<Worker> workers = new ConcurrentLinkedQueue<>();
  private long groupsBefore;
  private double writesBefore;
  private long measuredGroups;
  private double measuredWrites;
  private double largestGroup;

  /** Creates the file and opens the target on it. */
  @Setup(Level.Trial)
  public void open() throws IOException, SQLException {
    dir = Files.createTempDirectory("sluice-group-bench-");
    file = dir.resolve("bench.db");
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
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      sluice =
          SluiceDataSource.builder()
              .url("jdbc:sqlite:" + file)
              .pragma("synchronous", synchronous)
              .option("sluice.writer.groupCommit", Boolean.toString(target.equals("GROUP_ON")))
              .meterRegistry(registry)
              .build();
      groups = registry.find("sluice.writer.group.size").summary();
    }
  }

  /** Notes the group counts at the start of a measurement iteration. */
  @Setup(Level.Iteration)
  public void startIteration() {
    if (groups != null) {
      groupsBefore = groups.count();
      writesBefore = groups.totalAmount();
    }
  }

  /** Adds a measurement iteration's groups to the trial's. */
  @TearDown(Level.Iteration)
  public void endIteration(IterationParams iteration) {
    if (groups != null && iteration.getType() == IterationType.MEASUREMENT) {
      measuredGroups += groups.count() - groupsBefore;
      measuredWrites += groups.totalAmount() - writesBefore;
      largestGroup = Math.max(largestGroup, groups.max());
    }
  }

  /**
   * Closes the target, logs the group sizes, and fails the trial unless the file holds exactly the
   * acknowledged rows; then deletes the file.
   */
  @TearDown(Level.Trial)
  public void close() throws IOException, SQLException {
    try {
      if (raw != null) {
        rawInsert.close();
        raw.close();
      }
      if (sluice != null) {
        sluice.close();
      }
      if (measuredGroups > 0) {
        LOG.info(
            "{} synchronous={}: {} groups in the measurement, mean {} writes, max {}",
            target,
            synchronous,
            measuredGroups,
            Math.round(measuredWrites / measuredGroups * 10) / 10.0,
            Math.round(largestGroup));
      }
      // Every thread has stopped inserting (JMH waits for all before the tear-down), but not
      // every thread's Worker may be torn down yet: its count is read here.
      long acknowledged = 0;
      for (Worker w : workers) {
        acknowledged += w.n;
      }
      long rows = OverheadBench.count(file, "t");
      if (rows != acknowledged) {
        throw new IllegalStateException(
            target + ": " + rows + " rows in the file, " + acknowledged + " acknowledged");
      }
    } finally {
      OverheadBench.delete(dir);
    }
  }

  /**
   * One benchmark thread's connection and statement (Sluice targets) and its count of acknowledged
   * inserts (an insert that throws ends the trial).
   */
  @State(Scope.Thread)
  public static class Worker {
    Connection connection;
    PreparedStatement insert;
    long n;

    /** Opens this thread's logical connection and makes its count known to the trial. */
    @Setup(Level.Trial)
    public void open(GroupCommitBench bench) throws SQLException {
      bench.workers.add(this);
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
    String v = "v" + w.n;
    int count;
    if (raw != null) {
      rawLock.lock();
      try {
        rawInsert.setString(1, v);
        count = rawInsert.executeUpdate();
      } finally {
        rawLock.unlock();
      }
    } else {
      w.insert.setString(1, v);
      count = w.insert.executeUpdate();
    }
    w.n++;
    return count;
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

  /** One thread inserting: the latency of each insert. */
  @Benchmark
  @Threads(1)
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public int oneThreadLatency(Worker w) throws SQLException {
    return insert(w);
  }

  /** 32 threads inserting at once: the latency of each insert. */
  @Benchmark
  @Threads(32)
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public int threads32Latency(Worker w) throws SQLException {
    return insert(w);
  }
}
