package dev.sluice.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.SluiceDataSource;
import dev.sluice.TestDatabase;
import dev.sluice.writer.Writer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.sqlite.Function;

/**
 * Which holds of the writer capture a stack when taken (issue 21: the capture cost every
 * auto-commit write about a tenth of its time). A statement that takes and gives back the writer
 * within its call captures nothing: the hold warning shows the holder thread's stack at that
 * moment, which still has the caller's frames. A hold that outlives the call (a transaction, a
 * result set left open, a pin) shows the stack of the call that began it, after the thread moved
 * on.
 */
class WriterHoldTest {
  @RegisterExtension final TestDatabase db = new TestDatabase();

  private final ExecutorService pool = Executors.newSingleThreadExecutor();

  /** Counted down when a statement calling {@code pause()} is inside it. */
  private final CountDownLatch paused = new CountDownLatch(1);

  /** Lets {@code pause()} return. */
  private final CountDownLatch resume = new CountDownLatch(1);

  @AfterEach
  void tearDown() {
    resume.countDown();
    pool.shutdownNow();
  }

  private SluiceDataSource dataSource(String holdWarningMillis) throws SQLException {
    SluiceDataSource ds =
        db.track(
            db.builder()
                .option("sluice.writer.holdWarning", holdWarningMillis)
                .connectionInitializer(
                    c ->
                        Function.create(
                            c,
                            "pause",
                            new Function() {
                              @Override
                              protected void xFunc() throws SQLException {
                                paused.countDown();
                                try {
                                  if (!resume.await(10, TimeUnit.SECONDS)) {
                                    throw new SQLException("never resumed");
                                  }
                                } catch (InterruptedException e) {
                                  Thread.currentThread().interrupt();
                                  throw new SQLException(e);
                                }
                                result(1);
                              }
                            }))
                .build());
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE t (x)");
    }
    return ds;
  }

  private static Writer writer(Connection c) throws SQLException {
    return c.unwrap(LogicalConnection.class).router.writer;
  }

  private static List<String> methods(Throwable t) {
    List<String> names = new ArrayList<>();
    for (StackTraceElement e : t.getStackTrace()) {
      names.add(e.getMethodName());
    }
    return names;
  }

  private static int insertThroughASlowFunction(SluiceDataSource ds) throws SQLException {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.execute("INSERT INTO t VALUES (pause())");
      return s.getUpdateCount();
    }
  }

  @Test
  void anAutoCommitStatementCapturesNothingAndShowsItsCallersStackNow() throws Exception {
    // Given hold warnings on (the default) and an auto-commit INSERT held inside a slow function
    SluiceDataSource ds = dataSource("5000");
    Future<Integer> insert = pool.submit(() -> insertThroughASlowFunction(ds));
    assertThat(paused.await(10, TimeUnit.SECONDS)).isTrue();
    try (Connection c = ds.getConnection()) {
      Writer w = writer(c);
      // When its holder is asked for while it runs
      Throwable where = w.holderStack();
      // Then nothing was captured when it was taken: it is the holder's stack now, which still
      // has the caller's frame
      assertThat(where).hasMessage("Writer held by a running statement; the holder's stack now");
      assertThat(methods(where)).contains("insertThroughASlowFunction");
      resume.countDown();
      assertThat(insert.get(10, TimeUnit.SECONDS)).isEqualTo(1);
      assertThat(w.holderStack()).as("released with the call").isNull();
    }
    assertThat(db.rawLong("SELECT count(*) FROM t")).isEqualTo(1);
  }

  private static void beginATransaction(Connection c) throws SQLException {
    c.setAutoCommit(false);
    try (Statement s = c.createStatement()) {
      s.execute("INSERT INTO t VALUES (1)");
    }
  }

  @Test
  void aTransactionShowsWhereItBegan() throws Exception {
    SluiceDataSource ds = dataSource("5000");
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      Writer w = writer(c);
      // Given a transaction begun in another method, which returned
      beginATransaction(c);
      // Then the writer's holder is named by the stack of where the transaction began
      Throwable where = w.holderStack();
      assertThat(where).hasMessage("Writer acquired here");
      assertThat(methods(where)).contains("beginATransaction");
      // And a later statement of the transaction keeps it
      s.execute("INSERT INTO t VALUES (2)");
      assertThat(w.holderStack()).isSameAs(where);
      c.commit();
      assertThat(w.holderStack()).isNull();
    }
    assertThat(db.rawLong("SELECT sum(x) FROM t")).isEqualTo(3);
  }

  private static void beginInSql(Statement s) throws SQLException {
    s.execute("BEGIN");
  }

  private static ResultSet insertReturning(Statement s) throws SQLException {
    return s.executeQuery("INSERT INTO t VALUES (5) RETURNING x");
  }

  private static void createTempTable(Statement s) throws SQLException {
    s.execute("CREATE TEMP TABLE scratch (y)");
  }

  @Test
  void aStatementThatLeavesTheWriterHeldShowsItsCall() throws Exception {
    SluiceDataSource ds = dataSource("5000");
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      Writer w = writer(c);
      // A transaction begun in SQL on an auto-commit connection
      beginInSql(s);
      assertThat(w.holderStack()).hasMessage("Writer acquired here");
      assertThat(methods(w.holderStack())).contains("beginInSql");
      s.execute("INSERT INTO t VALUES (4)");
      s.execute("COMMIT");
      assertThat(w.holderStack()).isNull();

      // An auto-commit INSERT ... RETURNING whose result set stays open
      try (ResultSet rs = insertReturning(s)) {
        assertThat(w.holderStack()).hasMessage("Writer acquired here");
        assertThat(methods(w.holderStack())).contains("insertReturning");
        assertThat(rs.next()).isTrue();
        assertThat(rs.getInt(1)).isEqualTo(5);
      }
      assertThat(w.holderStack()).isNull();

      // A temp table pins the writer to the connection
      createTempTable(s);
      assertThat(w.holderStack()).hasMessage("Writer acquired here");
      assertThat(methods(w.holderStack())).contains("createTempTable");
      s.execute("DROP TABLE temp.scratch");
      assertThat(w.holderStack()).isNull();
    }
    assertThat(db.rawLong("SELECT sum(x) FROM t")).isEqualTo(9);
  }

  @Test
  void offCapturesNothingForATransaction() throws Exception {
    // Given hold warnings off
    SluiceDataSource ds = dataSource("0");
    try (Connection c = ds.getConnection()) {
      Writer w = writer(c);
      // When a transaction holds the writer
      beginATransaction(c);
      // Then no stack was captured
      assertThat(w.isHeld()).isTrue();
      assertThat(w.holderStack()).isNull();
      c.rollback();
    }
    assertThat(db.rawLong("SELECT count(*) FROM t")).isZero();
  }
}
