package dev.sluice;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Timer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import net.ttddyy.dsproxy.ExecutionInfo;
import net.ttddyy.dsproxy.QueryInfo;
import net.ttddyy.dsproxy.listener.QueryExecutionListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Meters after real work, and datasource-proxy listeners that learn each statement's route. */
class ObservabilityTest {
  @RegisterExtension final TestDatabase db = new TestDatabase();

  private long statements(String route, String outcome) {
    return db
        .registry
        .find("sluice.statements")
        .tag("route", route)
        .tag("outcome", outcome)
        .timers()
        .stream()
        .mapToLong(Timer::count)
        .sum();
  }

  @Test
  void statementCountsMatchTheWorkDoneByRouteAndOutcome() throws SQLException {
    SluiceDataSource ds = db.dataSource();
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT UNIQUE)");
      for (int i = 0; i < 7; i++) {
        s.executeUpdate("INSERT INTO t (v) VALUES ('" + i + "')");
      }
      for (int i = 0; i < 5; i++) {
        try (ResultSet r = s.executeQuery("SELECT count(*) FROM t")) {
          r.next();
        }
      }
      try {
        s.executeUpdate("INSERT INTO t (v) VALUES ('0')");
      } catch (SQLException expected) {
        // counted as a write error
      }
      c.setAutoCommit(false);
      s.executeUpdate("INSERT INTO t (v) VALUES ('tx')");
      c.commit();
    }
    assertThat(statements("write", "success")).isEqualTo(1 + 7 + 1);
    assertThat(statements("write", "error")).isEqualTo(1);
    assertThat(statements("read", "success")).isEqualTo(5);
    assertThat(
            db.registry
                .get("sluice.transactions")
                .tag("mode", "write")
                .tag("outcome", "commit")
                .timer()
                .count())
        .isEqualTo(1);
    assertThat(db.registry.get("sluice.writer.hold").timer().count()).isPositive();
    assertThat(db.registry.get("hikaricp.connections.max").gauge().value()).isEqualTo(4);
  }

  @Test
  void writerQueueGaugeCountsWaitersWhileTheWriterIsHeld() throws Exception {
    SluiceDataSource ds = db.dataSource();
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try (Connection holder = ds.getConnection();
        Statement s = holder.createStatement()) {
      s.execute("CREATE TABLE t (x)");
      holder.setAutoCommit(false);
      s.executeUpdate("INSERT INTO t VALUES (0)");
      List<Future<?>> waiters = new CopyOnWriteArrayList<>();
      for (int i = 0; i < 3; i++) {
        waiters.add(
            pool.submit(
                () -> {
                  try (Connection c = ds.getConnection();
                      Statement ws = c.createStatement()) {
                    ws.executeUpdate("INSERT INTO t VALUES (1)");
                  }
                  return null;
                }));
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (db.registry.get("sluice.writer.queue").gauge().value() < 3) {
        if (System.nanoTime() > deadline) {
          throw new TimeoutException("queue gauge never reached 3");
        }
        Thread.onSpinWait();
      }
      holder.commit();
      for (Future<?> f : waiters) {
        f.get(10, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(db.registry.get("sluice.writer.queue").gauge().value()).isZero();
    assertThat(db.rawLong("SELECT count(*) FROM t")).isEqualTo(4);
  }

  @Test
  void walSizeGaugeMatchesTheWalFile() throws SQLException, java.io.IOException {
    SluiceDataSource ds = db.dataSource();
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE t (x)");
      s.executeUpdate("INSERT INTO t VALUES (randomblob(10000))");
    }
    long file = Files.size(Path.of(db.file() + "-wal"));
    assertThat(file).isPositive();
    assertThat(db.registry.get("sluice.wal.size").gauge().value()).isEqualTo((double) file);
  }

  @Test
  void closingTheDataSourceRemovesItsMeters() throws SQLException {
    SluiceDataSource ds = db.builder().build();
    assertThat(db.registry.find("sluice.statements").timers()).isNotEmpty();
    ds.close();
    assertThat(db.registry.find("sluice.statements").timers()).isEmpty();
    assertThat(db.registry.find("sluice.writer.queue").gauges()).isEmpty();
  }

  @Test
  void listenersSeeEveryStatementWithItsRoute() throws SQLException {
    List<String> seen = new CopyOnWriteArrayList<>();
    QueryExecutionListener listener =
        new QueryExecutionListener() {
          @Override
          public void beforeQuery(ExecutionInfo execInfo, List<QueryInfo> queries) {}

          @Override
          public void afterQuery(ExecutionInfo execInfo, List<QueryInfo> queries) {
            seen.add(
                execInfo.getCustomValue(SluiceDataSource.ROUTE, String.class)
                    + " "
                    + execInfo.getCustomValue(SluiceDataSource.RETRIED, Boolean.class)
                    + " "
                    + queries.get(0).getQuery());
          }
        };
    SluiceDataSource ds = db.track(db.builder().listener(listener).build());
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE t (x)");
      s.executeUpdate("INSERT INTO t VALUES (1)");
      try (ResultSet r = s.executeQuery("SELECT x FROM t")) {
        r.next();
      }
    }
    assertThat(seen)
        .containsExactly(
            "write false CREATE TABLE t (x)",
            "write false INSERT INTO t VALUES (1)",
            "read false SELECT x FROM t");
  }
}
