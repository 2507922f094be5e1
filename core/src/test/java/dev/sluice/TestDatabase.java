package dev.sluice;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A fresh database file per test, data sources with short timeouts and their own meter registry,
 * closed after the test. Register with {@code @RegisterExtension final TestDatabase db = new
 * TestDatabase();}. Not thread-safe: set up from the test thread.
 */
public final class TestDatabase implements BeforeEachCallback, AfterEachCallback {
  private Path dir;
  private final List<AutoCloseable> open = new ArrayList<>();
  public final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @Override
  public void beforeEach(ExtensionContext context) throws IOException {
    dir = Files.createTempDirectory("sluice-test");
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
    open.clear();
    registry.clear();
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  public Path dir() {
    return dir;
  }

  public Path file() {
    return dir.resolve("test.db");
  }

  /** {@code jdbc:sqlite:<file>} of this test's database. */
  public String sqliteUrl() {
    return "jdbc:sqlite:" + file();
  }

  /** {@code jdbc:sluice:sqlite:<file>?<params>} with a unique name per test. */
  public String sluiceUrl(String params) {
    return "jdbc:sluice:sqlite:"
        + file()
        + "?sluice.readers=2&sluice.name="
        + dir.getFileName()
        + (params.isEmpty() ? "" : "&" + params);
  }

  /** A data source on this test's file with short timeouts, closed after the test. */
  public SluiceDataSource dataSource() throws SQLException {
    return track(builder().build());
  }

  /** A builder preset for tests (short timeouts, this test's registry). */
  public SluiceDataSource.Builder builder() {
    return SluiceDataSource.builder()
        .url(sqliteUrl())
        .name(dir.getFileName().toString() + "-" + open.size())
        .readers(4)
        .writerAcquireTimeout(java.time.Duration.ofSeconds(10))
        .meterRegistry(registry);
  }

  public <T extends AutoCloseable> T track(T closeable) {
    open.add(closeable);
    return closeable;
  }

  /** A plain sqlite-jdbc connection on this test's file, closed after the test. */
  public Connection raw() throws SQLException {
    return track(DriverManager.getConnection(sqliteUrl()));
  }

  /** Runs SQL on a raw connection and closes it. */
  public void rawExec(String... sqls) throws SQLException {
    try (Connection c = DriverManager.getConnection(sqliteUrl());
        Statement s = c.createStatement()) {
      for (String sql : sqls) {
        s.execute(sql);
      }
    }
  }

  /** A single long from a query on a raw connection. */
  public long rawLong(String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(sqliteUrl());
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery(sql)) {
      r.next();
      return r.getLong(1);
    }
  }

  /**
   * Waits until the writer queue gauge ({@code sluice.writer.queue} of the only data source on
   * {@link #registry}) reaches {@code n}: so many writes wait behind the writer's holder.
   */
  public void awaitWriterQueue(int n) throws TimeoutException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (registry.get("sluice.writer.queue").gauge().value() < n) {
      if (System.nanoTime() > deadline) {
        throw new TimeoutException("queue never reached " + n);
      }
      Thread.onSpinWait();
    }
  }
}
