package dev.sluice.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.SluiceDataSource;
import dev.sluice.TestDatabase;
import dev.sluice.jdbc.StatementCache;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** #21: prepared SELECTs keep their compiled statements on the reader that ran them. */
class ReaderStatementCacheTest {
  @RegisterExtension final TestDatabase db = new TestDatabase();

  private static Router router(SluiceDataSource ds) throws Exception {
    try (Connection c = ds.getConnection()) {
      return c.unwrap(LogicalConnection.class).router;
    }
  }

  private static int idleOnTheReader(Router router) throws Exception {
    Connection reader = router.borrowReader();
    try {
      StatementCache cache = router.statementCache(reader);
      return cache == null ? -1 : cache.size();
    } finally {
      router.returnReader(reader);
    }
  }

  private static void read(SluiceDataSource ds, String sql, int id) throws Exception {
    try (Connection c = ds.getConnection();
        PreparedStatement p = c.prepareStatement(sql)) {
      p.setInt(1, id);
      try (ResultSet r = p.executeQuery()) {
        assertThat(r.next()).isTrue();
        assertThat(r.getInt(1)).isEqualTo(id);
      }
    }
  }

  private static void schema(SluiceDataSource ds) throws Exception {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)");
      s.execute(
          "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100)"
              + " INSERT INTO t SELECT i, 'n' || i FROM n");
    }
  }

  @Test
  void aPreparedSelectRunOnManyConnectionsKeepsOneCompiledStatement() throws Exception {
    // Given one reader
    SluiceDataSource ds = db.track(db.builder().readers(1).build());
    schema(ds);
    Router router = router(ds);

    // When the same SELECT is prepared and run on five connections, and a SELECT * too
    for (int i = 1; i <= 5; i++) {
      read(ds, "SELECT id FROM t WHERE id = ?", i);
      read(ds, "SELECT * FROM t WHERE id = ?", i);
    }

    // Then the reader keeps one statement: the named one, never the wildcard one
    assertThat(idleOnTheReader(router)).isEqualTo(1);
  }

  @Test
  void theCacheKeepsAtMostItsSizeAndZeroTurnsItOff() throws Exception {
    SluiceDataSource ds =
        db.track(db.builder().readers(1).option("sluice.reader.statementCache", "3").build());
    schema(ds);
    for (int i = 1; i <= 6; i++) {
      read(ds, "SELECT id FROM t WHERE id = ? AND " + i + " = " + i, i);
    }
    assertThat(idleOnTheReader(router(ds))).isEqualTo(3);

    SluiceDataSource off =
        db.track(db.builder().readers(1).option("sluice.reader.statementCache", "0").build());
    read(off, "SELECT id FROM t WHERE id = ?", 1);
    assertThat(idleOnTheReader(router(off))).isEqualTo(-1);
  }

  @Test
  void sixteenThreadsReadingOneQueryEachGetTheirOwnRow() throws Exception {
    // Given four readers shared by 16 threads running the same two queries
    SluiceDataSource ds = db.track(db.builder().readers(4).build());
    schema(ds);
    ExecutorService pool = Executors.newFixedThreadPool(16);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<Integer>> done = new ArrayList<>();
    try {
      for (int t = 0; t < 16; t++) {
        int thread = t;
        done.add(
            pool.submit(
                () -> {
                  start.await();
                  int checked = 0;
                  for (int i = 0; i < 300; i++) {
                    int id = 1 + (thread * 300 + i) % 100;
                    try (Connection c = ds.getConnection();
                        PreparedStatement p =
                            c.prepareStatement("SELECT id, name FROM t WHERE id = ?")) {
                      p.setInt(1, id);
                      try (ResultSet r = p.executeQuery()) {
                        // Then every read answers its own id, never another thread's
                        assertThat(r.next()).isTrue();
                        assertThat(r.getInt(1)).isEqualTo(id);
                        assertThat(r.getString(2)).isEqualTo("n" + id);
                        assertThat(r.next()).isFalse();
                        checked++;
                      }
                    }
                  }
                  return checked;
                }));
      }
      start.countDown();
      int total = 0;
      for (Future<Integer> f : done) {
        total += f.get(60, TimeUnit.SECONDS);
      }
      assertThat(total).isEqualTo(16 * 300);
    } finally {
      pool.shutdownNow();
    }
    // And each reader keeps at most one compiled statement of that SQL
    Router router = router(ds);
    assertThat(idleOnTheReader(router)).isBetween(0, 1);
  }
}
