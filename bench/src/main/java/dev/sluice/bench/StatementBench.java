package dev.sluice.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Per-statement cost, one thread, of the same JDBC code through a raw sqlite-jdbc connection,
 * HikariCP over sqlite-jdbc, and Sluice (as a DataSource and through its URL): a point SELECT by
 * primary key, a SELECT of constant text through a plain statement, an auto-commit single-row
 * INSERT, a 100-row auto-commit batch insert, and a 10-statement transaction (5 × SELECT then
 * UPDATE). Each operation borrows a connection from the pool (the raw connection is held),
 * prepares, runs, closes. Every target works on its own temp file in WAL mode with {@code
 * synchronous=NORMAL}.
 *
 * <p>Run (all, defaults: 1 fork, 2 × 1 s warm-up, 3 × 1 s measurement):
 *
 * <pre>
 * ./mvnw -q -B -DskipTests -pl bench -am package exec:java -Ddemo.main=org.openjdk.jmh.Main \
 *     -Dexec.args="StatementBench"
 * </pre>
 *
 * <p>Not final and public: JMH generates subclasses of it. Not thread-safe: one benchmark thread.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class StatementBench {
  private static final int ITEMS = 10_000;
  private static final int ACCOUNTS = 1_000;
  private static final String PAYLOAD = "payload-" + "x".repeat(64);

  /** The target, by {@link Target} name. */
  @Param({"RAW", "HIKARI", "SLUICE", "SLUICE_URL", "SLUICE_DRIVER"})
  public String target;

  private Path dir;
  private Target.Source source;

  /** Creates the file, its tables and rows, then opens the target on it. */
  @Setup(Level.Trial)
  public void open() throws IOException, SQLException {
    dir = Files.createTempDirectory("sluice-bench-");
    Path file = dir.resolve("bench.db");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement s = c.createStatement()) {
      s.execute("PRAGMA journal_mode=WAL");
      c.setAutoCommit(false);
      s.execute("CREATE TABLE item (id INTEGER PRIMARY KEY, payload TEXT NOT NULL)");
      s.execute("CREATE TABLE log (id INTEGER PRIMARY KEY, payload TEXT NOT NULL)");
      s.execute("CREATE TABLE account (id INTEGER PRIMARY KEY, balance INTEGER NOT NULL)");
      s.execute(
          "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < "
              + ITEMS
              + ") INSERT INTO item SELECT i, 'item-' || i FROM n");
      s.execute(
          "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < "
              + ACCOUNTS
              + ") INSERT INTO account SELECT i, 1000 FROM n");
      c.commit();
    }
    source = Target.valueOf(target).open(file);
  }

  /** Closes the target and deletes the file. */
  @TearDown(Level.Trial)
  public void close() throws IOException, SQLException {
    source.close();
    OverheadBench.delete(dir);
  }

  /** {@code SELECT payload FROM item WHERE id = ?}, auto-commit. */
  @Benchmark
  public String pointSelect() throws SQLException {
    int id = 1 + ThreadLocalRandom.current().nextInt(ITEMS);
    Connection c = source.borrow();
    try (PreparedStatement p = c.prepareStatement("SELECT payload FROM item WHERE id = ?")) {
      p.setInt(1, id);
      try (ResultSet rs = p.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    } finally {
      source.release(c);
    }
  }

  /**
   * {@code SELECT sum(balance) FROM account WHERE id <= 10} through a plain {@code Statement}, the
   * same text each time, auto-commit (as Spring's {@code queryForObject(sql, type)} without
   * arguments).
   */
  @Benchmark
  public long plainSelect() throws SQLException {
    Connection c = source.borrow();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT sum(balance) FROM account WHERE id <= 10")) {
      return rs.next() ? rs.getLong(1) : -1;
    } finally {
      source.release(c);
    }
  }

  /**
   * {@code SELECT last_insert_rowid(), changes()}, auto-commit, as an ORM reads an IDENTITY key:
   * through Sluice the calls are rewritten into the connection's own values (and the columns
   * aliased with their text) at every execution.
   */
  @Benchmark
  public long connectionState() throws SQLException {
    Connection c = source.borrow();
    try (PreparedStatement p = c.prepareStatement("SELECT last_insert_rowid(), changes()");
        ResultSet rs = p.executeQuery()) {
      return rs.next() ? rs.getLong(1) + rs.getLong(2) : -1;
    } finally {
      source.release(c);
    }
  }

  /** {@code INSERT INTO log (payload) VALUES (?)}, auto-commit. */
  @Benchmark
  public int insert() throws SQLException {
    Connection c = source.borrow();
    try (PreparedStatement p = c.prepareStatement("INSERT INTO log (payload) VALUES (?)")) {
      p.setString(1, PAYLOAD);
      return p.executeUpdate();
    } finally {
      source.release(c);
    }
  }

  /** 100 rows through {@code addBatch}, one {@code executeBatch}, auto-commit. */
  @Benchmark
  public int[] batch100() throws SQLException {
    Connection c = source.borrow();
    try (PreparedStatement p = c.prepareStatement("INSERT INTO log (payload) VALUES (?)")) {
      for (int i = 0; i < 100; i++) {
        p.setString(1, PAYLOAD);
        p.addBatch();
      }
      return p.executeBatch();
    } finally {
      source.release(c);
    }
  }

  /** {@code setAutoCommit(false)}, 5 × (SELECT a balance, UPDATE it), commit. */
  @Benchmark
  public long transaction10() throws SQLException {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    Connection c = source.borrow();
    try {
      c.setAutoCommit(false);
      long sum = 0;
      try (PreparedStatement read = c.prepareStatement("SELECT balance FROM account WHERE id = ?");
          PreparedStatement write =
              c.prepareStatement("UPDATE account SET balance = ? WHERE id = ?")) {
        for (int i = 0; i < 5; i++) {
          int id = 1 + r.nextInt(ACCOUNTS);
          read.setInt(1, id);
          long balance;
          try (ResultSet rs = read.executeQuery()) {
            rs.next();
            balance = rs.getLong(1);
          }
          write.setLong(1, balance + 1);
          write.setInt(2, id);
          sum += write.executeUpdate();
        }
        c.commit();
      } catch (SQLException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
      return sum;
    } finally {
      source.release(c);
    }
  }
}
