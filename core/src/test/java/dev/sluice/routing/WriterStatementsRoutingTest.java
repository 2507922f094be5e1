package dev.sluice.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.SluiceDataSource;
import dev.sluice.TestDatabase;
import dev.sluice.writer.Hold;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Which writes leave their compiled statement on the writer for the next execution of the same text
 * (sluice.writer.statementCache): prepared INSERT, UPDATE and DELETE run by executeUpdate with
 * default settings, on the caller's thread, and prepared queries of write transactions.
 */
class WriterStatementsRoutingTest {
  @RegisterExtension final TestDatabase db = new TestDatabase();

  private static final String INSERT = "INSERT INTO t (v) VALUES (?)";

  private static Router router(SluiceDataSource ds) throws Exception {
    try (Connection c = ds.getConnection()) {
      return c.unwrap(LogicalConnection.class).router;
    }
  }

  private static int keptOnTheWriter(Router router) throws Exception {
    Object holder = new Object();
    router.gate.acquire(holder, Hold.CALL);
    try {
      return router.gate.statements().kept();
    } finally {
      router.gate.release(holder, false);
    }
  }

  private static void schema(SluiceDataSource ds) throws Exception {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER)");
    }
  }

  private static void insert(SluiceDataSource ds, int v, int queryTimeout) throws Exception {
    try (Connection c = ds.getConnection();
        PreparedStatement p = c.prepareStatement(INSERT)) {
      p.setQueryTimeout(queryTimeout);
      p.setInt(1, v);
      assertThat(p.executeUpdate()).isEqualTo(1);
    }
  }

  @Test
  void aPreparedWriteLeavesOneCompiledStatementForEveryLaterExecutionOfItsText() throws Exception {
    SluiceDataSource ds = db.dataSource();
    schema(ds);
    Router router = router(ds);
    int before = keptOnTheWriter(router);

    for (int i = 0; i < 5; i++) {
      insert(ds, i, 0);
    }

    assertThat(keptOnTheWriter(router)).isEqualTo(before + 1);
    assertThat(db.rawLong("SELECT sum(v) FROM t")).isEqualTo(10);
  }

  @Test
  void writesWithAQueryTimeoutThroughAPlainStatementOrWithTheCacheOffKeepNothing()
      throws Exception {
    SluiceDataSource ds = db.dataSource();
    schema(ds);
    Router router = router(ds);
    int before = keptOnTheWriter(router);

    insert(ds, 1, 5);
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.executeUpdate("INSERT INTO t (v) VALUES (2)");
      s.executeUpdate("INSERT INTO t (v) VALUES (2)");
    }

    assertThat(keptOnTheWriter(router)).isEqualTo(before);
    SluiceDataSource off =
        db.track(db.builder().option("sluice.writer.statementCache", "0").build());
    insert(off, 3, 0);
    assertThat(keptOnTheWriter(router(off))).isZero();
    assertThat(db.rawLong("SELECT sum(v) FROM t")).isEqualTo(8);
  }

  private static int readInTransaction(SluiceDataSource ds, String sql, int id) throws Exception {
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      int v;
      try (PreparedStatement p = c.prepareStatement(sql)) {
        p.setInt(1, id);
        try (ResultSet r = p.executeQuery()) {
          assertThat(r.next()).isTrue();
          v = r.getInt(1);
        }
      }
      c.commit();
      return v;
    }
  }

  /** Issue 22: a read-then-write transaction's query compiles once, not once per transaction. */
  @Test
  void aPreparedQueryInAWriteTransactionIsKeptButNotASelectOfEveryColumn() throws Exception {
    SluiceDataSource ds = db.dataSource();
    schema(ds);
    insert(ds, 42, 0);
    Router router = router(ds);
    // A SELECT * is not kept: its columns are fixed when it is compiled (as in the readers' cache);
    // its transactions leave their BEGIN IMMEDIATE and COMMIT
    for (int i = 0; i < 3; i++) {
      assertThat(readInTransaction(ds, "SELECT * FROM t WHERE id = ?", 1)).isEqualTo(1);
    }
    int before = keptOnTheWriter(router);
    assertThat(readInTransaction(ds, "SELECT * FROM t WHERE id = ?", 1)).isEqualTo(1);
    assertThat(keptOnTheWriter(router)).isEqualTo(before);

    for (int i = 0; i < 5; i++) {
      assertThat(readInTransaction(ds, "SELECT v FROM t WHERE id = ?", 1)).isEqualTo(42);
    }
    assertThat(keptOnTheWriter(router)).isEqualTo(before + 1);
  }
}
