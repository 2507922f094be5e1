package dev.sluice.driver;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Engines opened through the driver stay open while they are used; soon after the last connection
 * closed the file alone holds every commit, as plain sqlite-jdbc leaves it; a file deleted after
 * its connections closed opens afresh (docs/design.md "Engines of the driver").
 */
class EnginesIdleTest {
  @TempDir Path dir;

  private String url(Path file) {
    return "jdbc:sluice:sqlite:" + file + "?sluice.name=" + file.getFileName();
  }

  private static long count(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet r = s.executeQuery(sql)) {
      r.next();
      return r.getLong(1);
    }
  }

  private static Engine engineOf(Path file) {
    return Engines.openEngines().stream()
        .filter(e -> file.equals(e.settings().file()))
        .findFirst()
        .orElse(null);
  }

  @Test
  void soonAfterTheLastCloseTheFileAloneHoldsEveryCommit() throws Exception {
    // Given rows committed through the URL and every connection closed
    Path file = dir.resolve("app.db");
    try (Connection c = DriverManager.getConnection(url(file));
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)");
      for (int i = 0; i < 100; i++) {
        s.executeUpdate("INSERT INTO t VALUES (" + i + ")");
      }
    }
    Engine engine = engineOf(file);
    assertThat(engine).as("the engine outlives its last connection").isNotNull();
    Path wal = Path.of(file + "-wal");

    // When the engine has been idle for its second (polled, bounded)
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (Files.exists(wal) && Files.size(wal) > 0 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }

    // Then the log was checkpointed away, and a copy of the file alone holds every row
    assertThat(Files.exists(wal) ? Files.size(wal) : 0L).isZero();
    Path copy = Files.copy(file, dir.resolve("copy.db"));
    try (Connection plain = DriverManager.getConnection("jdbc:sqlite:" + copy)) {
      assertThat(count(plain, "SELECT count(*) FROM t")).isEqualTo(100);
    }
    // And the engine is still the one the next connection gets, with its rows
    try (Connection c = DriverManager.getConnection(url(file))) {
      assertThat(count(c, "SELECT count(*) FROM t")).isEqualTo(100);
    }
    assertThat(engineOf(file)).isSameAs(engine);
  }

  @Test
  void aConnectionSoonAfterTheLastCloseKeepsTheSameEngine() throws Exception {
    // Given a connection closed
    Path file = dir.resolve("keep.db");
    try (Connection c = DriverManager.getConnection(url(file))) {
      c.createStatement().execute("CREATE TABLE t (x)");
    }
    Engine first = engineOf(file);

    // When the next connection comes at once
    try (Connection c = DriverManager.getConnection(url(file))) {
      assertThat(count(c, "SELECT count(*) FROM t")).isZero();
    }

    // Then it was served by the same engine
    assertThat(engineOf(file)).isSameAs(first);
  }

  @Test
  void aFileDeletedAfterItsConnectionsClosedOpensAfresh() throws Exception {
    // Given a table in a file whose connections all closed, then the file deleted (as a test
    // suite deletes its database between two tests)
    Path file = dir.resolve("fresh.db");
    try (Connection c = DriverManager.getConnection(url(file))) {
      c.createStatement().execute("CREATE TABLE t (x)");
    }
    Thread.sleep(5); // the time between two tests; an engine idle under 1 ms is not checked
    for (String suffix : List.of("", "-wal", "-shm")) {
      Files.deleteIfExists(Path.of(file + suffix));
    }

    // When the URL is opened again
    try (Connection c = DriverManager.getConnection(url(file))) {
      // Then the database is new and empty, as with plain sqlite-jdbc
      assertThat(count(c, "SELECT count(*) FROM sqlite_schema")).isZero();
      c.createStatement().execute("CREATE TABLE u (y)");
    }
    assertThat(Files.exists(file)).isTrue();
  }

  @Test
  void connectionsOpenedAndClosedOnManyThreadsNeverFindAClosedEngine() throws Exception {
    // Given one file and 8 threads that each open, use and close 200 connections
    Path file = dir.resolve("busy.db");
    try (Connection c = DriverManager.getConnection(url(file))) {
      c.createStatement().execute("CREATE TABLE t (id INTEGER PRIMARY KEY, who INTEGER)");
    }
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Integer>> done = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int who = t;
        done.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < 200; i++) {
                    try (Connection c = DriverManager.getConnection(url(file));
                        Statement s = c.createStatement()) {
                      s.executeUpdate("INSERT INTO t (who) VALUES (" + who + ")");
                    }
                  }
                  return 200;
                }));
      }
      int total = 0;
      for (Future<Integer> f : done) {
        total += f.get(60, TimeUnit.SECONDS);
      }
      // Then every insert succeeded and is stored
      try (Connection c = DriverManager.getConnection(url(file))) {
        assertThat(count(c, "SELECT count(*) FROM t")).isEqualTo(total).isEqualTo(1600);
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
