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

  private static String plainRead(SluiceDataSource ds, String sql) throws Exception {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery(sql)) {
      return r.next() ? r.getString(1) : "none";
    }
  }

  @Test
  void aPlainStatementsReadIsKeptFromItsSecondRunAndOnlyUnderTheCachesRules() throws Exception {
    // Given one reader
    SluiceDataSource ds = db.track(db.builder().readers(1).build());
    schema(ds);
    Router router = router(ds);
    String named = "SELECT name FROM t WHERE id = 7 AND 'kept' = 'kept'";

    // When a plain statement reads a text once, then again
    assertThat(plainRead(ds, named)).isEqualTo("n7");
    int afterFirst = idleOnTheReader(router);
    assertThat(plainRead(ds, named)).isEqualTo("n7");
    int afterSecond = idleOnTheReader(router);
    for (int i = 0; i < 5; i++) {
      assertThat(plainRead(ds, named)).isEqualTo("n7");
    }

    // Then the first run compiled a statement of its own, the second kept it, later runs reuse it
    assertThat(afterFirst).isZero();
    assertThat(afterSecond).isEqualTo(1);
    assertThat(idleOnTheReader(router)).isEqualTo(1);

    // And markers, wildcards, several statements, settings and executeUpdate keep nothing more
    for (int i = 0; i < 3; i++) {
      assertThat(plainRead(ds, "SELECT name FROM t WHERE id = ? OR 'm' = 'm'")).isEqualTo("n1");
      assertThat(plainRead(ds, "SELECT :x, 'marker'")).isNull();
      assertThat(plainRead(ds, "SELECT * FROM t WHERE id = 8 AND 'kept' = 'kept'")).isEqualTo("8");
      assertThat(plainRead(ds, "SELECT name FROM t WHERE id = 9; SELECT 2")).isEqualTo("n9");
      try (Connection c = ds.getConnection();
          Statement s = c.createStatement()) {
        s.setMaxRows(1);
        try (ResultSet r = s.executeQuery("SELECT id FROM t WHERE id > 90 AND 'max' = 'max'")) {
          assertThat(r.next()).isTrue();
          assertThat(r.next()).isFalse();
        }
        s.setMaxRows(0);
        s.executeUpdate("SELECT id FROM t WHERE id = 10 AND 'update' = 'update'");
      }
    }
    assertThat(idleOnTheReader(router)).isEqualTo(1);
  }

  @Test
  void aReadOnlyTransactionReadsThroughThePlainStatementCacheAndKeepsItsSnapshot()
      throws Exception {
    // Given one reader and a text a plain statement has read before
    SluiceDataSource ds = db.track(db.builder().readers(1).build());
    schema(ds);
    Router router = router(ds);
    String count = "SELECT count(id) FROM t WHERE 'snapshot' = 'snapshot'";
    assertThat(plainRead(ds, count)).isEqualTo("100");
    List<String> seen = new ArrayList<>();
    try (Connection c = ds.getConnection();
        Connection writer = ds.getConnection()) {
      c.setReadOnly(true);
      c.setAutoCommit(false);
      // When a read-only transaction reads it twice, around another connection's insert
      try (Statement s = c.createStatement()) {
        for (int i = 0; i < 2; i++) {
          try (ResultSet r = s.executeQuery(count)) {
            r.next();
            seen.add(r.getString(1));
          }
          try (Statement w = writer.createStatement()) {
            w.executeUpdate("INSERT INTO t (name) VALUES ('ro" + i + "')");
          }
        }
      }
      c.commit();
      // Then both reads saw the snapshot of its start, and the next transaction the inserts
      try (Statement s = c.createStatement();
          ResultSet r = s.executeQuery(count)) {
        r.next();
        seen.add(r.getString(1));
      }
      c.commit();
    }
    assertThat(seen).containsExactly("100", "100", "102");
    assertThat(idleOnTheReader(router)).isEqualTo(1);
  }
}
