package dev.sluice;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.DistributionSummary;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Group commit (issue 9). A group is formed deterministically: a transaction holds the writer while
 * N auto-commit writes queue behind it (the queue gauge says when), then it commits and the group
 * commit's thread runs all N in one transaction. Each caller must get exactly what it would have
 * got alone.
 */
class GroupCommitTest {
  private static final int N = 6;

  @RegisterExtension final TestDatabase db = new TestDatabase();
  private ExecutorService pool;

  @BeforeEach
  void setUp() throws SQLException {
    pool = Executors.newFixedThreadPool(N);
    db.rawExec(
        "PRAGMA journal_mode=WAL",
        "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL UNIQUE)",
        "CREATE TABLE parent (id INTEGER PRIMARY KEY)",
        "CREATE TABLE child (id INTEGER PRIMARY KEY, p INTEGER"
            + " REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED)",
        "INSERT INTO parent VALUES (1)");
  }

  @AfterEach
  void tearDown() {
    pool.shutdownNow();
  }

  /** What one caller got: its key, or its error's SQLState. */
  record Outcome(String sql, long key, String state) {}

  /** What one caller does with its SQL. */
  interface Caller<T> {
    T run(String sql) throws Exception;
  }

  /** Runs {@code sqls} as auto-commit writes queued behind a held writer, then lets them go. */
  private List<Outcome> queuedBehindAHolder(SluiceDataSource ds, List<String> sqls)
      throws Exception {
    return queuedBehindAHolder(ds, sqls, sql -> write(ds, sql));
  }

  /**
   * Starts one {@code caller} per SQL, each queued behind a held writer before the next starts,
   * then commits the holder and returns what each caller returned, in queue order.
   */
  private <T> List<T> queuedBehindAHolder(SluiceDataSource ds, List<String> sqls, Caller<T> caller)
      throws Exception {
    List<Future<T>> futures = new ArrayList<>();
    try (Connection holder = ds.getConnection();
        Statement hs = holder.createStatement()) {
      holder.setAutoCommit(false);
      hs.executeUpdate("INSERT INTO t (v) VALUES ('holder')");
      for (int i = 0; i < sqls.size(); i++) {
        String sql = sqls.get(i);
        futures.add(pool.submit(() -> caller.run(sql)));
        db.awaitWriterQueue(i + 1);
      }
      holder.commit();
    }
    List<T> outcomes = new ArrayList<>();
    for (Future<T> f : futures) {
      outcomes.add(f.get(20, TimeUnit.SECONDS));
    }
    return outcomes;
  }

  private static Outcome write(SluiceDataSource ds, String sql) throws SQLException {
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.executeUpdate();
      try (Statement s = c.createStatement();
          ResultSet r = s.executeQuery("SELECT last_insert_rowid()")) {
        r.next();
        return new Outcome(sql, r.getLong(1), null);
      }
    } catch (SQLException e) {
      return new Outcome(sql, -1, e.getSQLState());
    }
  }

  private DistributionSummary groups() {
    return db.registry.get("sluice.writer.group.size").summary();
  }

  private static List<String> inserts(String... values) {
    List<String> sqls = new ArrayList<>();
    for (String v : values) {
      sqls.add("INSERT INTO t (v) VALUES ('" + v + "')");
    }
    return sqls;
  }

  @Test
  void queuedWritesCommitAsOneGroupAndEachCallerGetsItsOwnKey() throws Exception {
    SluiceDataSource ds = db.dataSource();
    List<Outcome> outcomes = queuedBehindAHolder(ds, inserts("a", "b", "c", "d", "e", "f"));
    assertThat(groups().count()).isEqualTo(1);
    assertThat(groups().max()).isEqualTo(N);
    for (Outcome o : outcomes) {
      assertThat(o.state()).isNull();
      String v = o.sql().substring(o.sql().indexOf('\'') + 1, o.sql().lastIndexOf('\''));
      assertThat(
              db.rawLong("SELECT count(*) FROM t WHERE id = " + o.key() + " AND v = '" + v + "'"))
          .as("the key of %s names its own row", v)
          .isEqualTo(1);
    }
    assertThat(db.rawLong("SELECT count(*) FROM t")).isEqualTo(N + 1);
  }

  @Test
  void aFailingStatementFailsOnlyItsCaller() throws Exception {
    SluiceDataSource ds = db.dataSource();
    List<Outcome> outcomes = queuedBehindAHolder(ds, inserts("a", "b", "a", "c", "holder", "d"));
    assertThat(outcomes)
        .extracting(Outcome::state)
        .containsExactly(null, null, "23505", null, "23505", null);
    assertThat(groups().max()).isEqualTo(N);
    assertThat(db.rawLong("SELECT count(*) FROM t")).isEqualTo(5);
  }

  @Test
  void aStatementThatEndsTheTransactionLeavesTheOthersToRunAlone() throws Exception {
    SluiceDataSource ds = db.dataSource();
    List<String> sqls = inserts("a", "b", "c", "d", "e");
    sqls.add(2, "INSERT OR ROLLBACK INTO t (v) VALUES ('holder')");
    List<Outcome> outcomes = queuedBehindAHolder(ds, sqls);
    assertThat(outcomes)
        .extracting(Outcome::state)
        .containsExactly(null, null, "23505", null, null, null);
    assertThat(db.rawLong("SELECT count(*) FROM t")).as("every other row once").isEqualTo(6);
    assertThat(db.rawLong("SELECT count(DISTINCT v) FROM t")).isEqualTo(6);
  }

  @Test
  void aTriggerThatRaisesRollbackFailsOnlyItsCaller() throws Exception {
    db.rawExec(
        "CREATE TRIGGER no_bad BEFORE INSERT ON t WHEN NEW.v = 'bad'"
            + " BEGIN SELECT RAISE(ROLLBACK, 'bad row'); END");
    SluiceDataSource ds = db.dataSource();
    List<Outcome> outcomes = queuedBehindAHolder(ds, inserts("a", "b", "bad", "c", "d", "e"));
    assertThat(outcomes)
        .extracting(Outcome::state)
        .containsExactly(null, null, "23000", null, null, null);
    assertThat(db.rawLong("SELECT count(*) FROM t")).as("the holder's and five rows").isEqualTo(6);
    assertThat(db.rawLong("SELECT count(DISTINCT v) FROM t")).isEqualTo(6);
    assertThat(db.rawLong("SELECT count(*) FROM t WHERE v = 'bad'")).isZero();
  }

  @Test
  void aCommitThatFailsMakesEachJobRunAloneSoOnlyTheGuiltyOneFails() throws Exception {
    SluiceDataSource ds = db.track(db.builder().option("foreign_keys", "on").build());
    List<String> sqls = new ArrayList<>();
    for (int i = 0; i < N; i++) {
      // A deferred foreign key is checked at COMMIT: the orphan fails the group's COMMIT.
      sqls.add("INSERT INTO child (p) VALUES (" + (i == 3 ? 42 : 1) + ")");
    }
    List<Outcome> outcomes = queuedBehindAHolder(ds, sqls);
    assertThat(outcomes)
        .extracting(Outcome::state)
        .containsExactly(null, null, null, "23503", null, null);
    assertThat(db.rawLong("SELECT count(*) FROM child")).isEqualTo(N - 1);
    assertThat(db.rawLong("SELECT count(*) FROM child WHERE p = 42")).isZero();
  }

  @Test
  void diskFullInAGroupFailsOnlyTheWritesThatDoNotFitAndLeavesNoTraceOfThem() throws Exception {
    long pages = db.rawLong("PRAGMA page_count");
    // Every connection, the writer included, may grow the file by a few pages only.
    SluiceDataSource ds =
        db.track(db.builder().pragma("max_page_count", Long.toString(pages + 3)).build());
    List<String> sqls =
        List.of(
            "INSERT INTO t (v) VALUES ('big1' || zeroblob(100000))",
            "INSERT INTO t (v) VALUES ('small1')",
            "INSERT INTO t (v) VALUES ('big2' || zeroblob(100000))",
            "INSERT INTO t (v) VALUES ('small2')");
    List<Outcome> outcomes = queuedBehindAHolder(ds, sqls);
    assertThat(groups().count()).isEqualTo(1);
    assertThat(outcomes).extracting(Outcome::state).containsExactly("53100", null, "53100", null);
    assertThat(db.rawLong("SELECT count(*) FROM t WHERE v LIKE 'big%'")).isZero();
    assertThat(db.rawLong("SELECT count(*) FROM t WHERE v LIKE 'small%'")).isEqualTo(2);
    assertThat(
            db.rawLong("SELECT count(*) FROM pragma_integrity_check WHERE integrity_check = 'ok'"))
        .isEqualTo(1);
  }

  @Test
  void eachCallerInAGroupGetsItsOwnUpdateCountAndChanges() throws Exception {
    SluiceDataSource ds = db.dataSource();
    db.rawExec("INSERT INTO t (v) VALUES ('a1'), ('a2'), ('a3'), ('b1'), ('b2')");
    List<String> sqls =
        List.of(
            "UPDATE t SET v = v || 'x' WHERE v LIKE 'a%'",
            "DELETE FROM t WHERE v LIKE 'b%'",
            "UPDATE t SET v = v WHERE 0",
            "INSERT INTO t (v) VALUES ('c1')");
    List<long[]> counts =
        queuedBehindAHolder(
            ds,
            sqls,
            sql -> {
              try (Connection c = ds.getConnection();
                  Statement s = c.createStatement()) {
                long n = s.executeUpdate(sql);
                long counted = s.getUpdateCount();
                try (ResultSet r = s.executeQuery("SELECT changes()")) {
                  r.next();
                  return new long[] {n, counted, r.getLong(1)};
                }
              }
            });
    long[][] expected = {{3, 3, 3}, {2, 2, 2}, {0, 0, 0}, {1, 1, 1}};
    for (int i = 0; i < sqls.size(); i++) {
      assertThat(counts.get(i))
          .as("executeUpdate, getUpdateCount, changes() of %s", sqls.get(i))
          .containsExactly(expected[i]);
    }
    assertThat(groups().count()).isEqualTo(1);
    assertThat(groups().max()).isEqualTo(sqls.size());
    assertThat(db.rawLong("SELECT count(*) FROM t WHERE v LIKE 'a_x'")).isEqualTo(3);
    assertThat(db.rawLong("SELECT count(*) FROM t WHERE v LIKE 'b%'")).isZero();
  }

  @Test
  void aGroupRunsItsWritesInQueueOrder() throws Exception {
    SluiceDataSource ds = db.dataSource();
    List<Outcome> outcomes = queuedBehindAHolder(ds, inserts("a", "b", "c", "d", "e", "f"));
    assertThat(groups().count()).isEqualTo(1);
    // Queued one after another: the keys, handed out in order of execution, must rise with them.
    assertThat(outcomes).extracting(Outcome::key).isSorted().doesNotHaveDuplicates();
    assertThat(db.rawLong("SELECT min(id) FROM t WHERE v <> 'holder'"))
        .isEqualTo(outcomes.get(0).key());
  }

  @Test
  void aQueuedWriteThatTimesOutNeverRuns() throws Exception {
    SluiceDataSource ds =
        db.track(db.builder().option("sluice.writer.acquireTimeout", "300").build());
    Future<Outcome> late;
    try (Connection holder = ds.getConnection();
        Statement hs = holder.createStatement()) {
      holder.setAutoCommit(false);
      hs.executeUpdate("INSERT INTO t (v) VALUES ('holder')");
      Future<Outcome> first = pool.submit(() -> write(ds, "INSERT INTO t (v) VALUES ('late1')"));
      db.awaitWriterQueue(1);
      late = pool.submit(() -> write(ds, "INSERT INTO t (v) VALUES ('late2')"));
      assertThat(first.get(10, TimeUnit.SECONDS).state()).isEqualTo("08001");
      assertThat(late.get(10, TimeUnit.SECONDS).state()).isEqualTo("08001");
      holder.commit();
    }
    // The writer is free again: a new write runs, and nothing of the timed-out ones ever does.
    assertThat(write(ds, "INSERT INTO t (v) VALUES ('after')").state()).isNull();
    assertThat(db.rawLong("SELECT count(*) FROM t WHERE v LIKE 'late%'")).isZero();
    assertThat(db.rawLong("SELECT count(*) FROM t")).isEqualTo(2);
  }

  @Test
  void cancellingAQueuedWriteFailsItWith57014AndItNeverRuns() throws Exception {
    SluiceDataSource ds = db.dataSource();
    try (Connection writer = ds.getConnection();
        Statement queued = writer.createStatement()) {
      Future<String> outcome;
      try (Connection holder = ds.getConnection();
          Statement hs = holder.createStatement()) {
        holder.setAutoCommit(false);
        hs.executeUpdate("INSERT INTO t (v) VALUES ('holder')");
        outcome =
            pool.submit(
                () -> {
                  try {
                    queued.executeUpdate("INSERT INTO t (v) VALUES ('cancelled')");
                    return "ran";
                  } catch (SQLException e) {
                    return e.getSQLState();
                  }
                });
        db.awaitWriterQueue(1);
        queued.cancel();
        assertThat(outcome.get(10, TimeUnit.SECONDS)).isEqualTo("57014");
        holder.commit();
      }
      // The connection and statement stay usable.
      assertThat(queued.executeUpdate("INSERT INTO t (v) VALUES ('after')")).isEqualTo(1);
    }
    assertThat(db.rawLong("SELECT count(*) FROM t WHERE v = 'cancelled'")).isZero();
    assertThat(db.rawLong("SELECT count(*) FROM t")).isEqualTo(2);
  }

  @Test
  void theGroupCommitThreadStartsWithTheFirstGroupAndEndsAtClose() throws Exception {
    SluiceDataSource ds = db.track(db.builder().build());
    String thread = "sluice-" + ds.getName() + "-group-commit";
    assertThat(write(ds, "INSERT INTO t (v) VALUES ('alone')").state()).isNull();
    assertThat(threadsNamed(thread)).isEmpty();
    queuedBehindAHolder(ds, inserts("a", "b"));
    assertThat(threadsNamed(thread)).hasSize(1);
    ds.close();
    for (Thread t : threadsNamed(thread)) {
      t.join(TimeUnit.SECONDS.toMillis(10));
    }
    assertThat(threadsNamed(thread)).isEmpty();
  }

  private static List<Thread> threadsNamed(String name) {
    List<Thread> found = new ArrayList<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().equals(name) && t.isAlive()) {
        found.add(t);
      }
    }
    return found;
  }

  @Test
  void uncontendedWritesNeverFormAGroup() throws Exception {
    SluiceDataSource ds = db.dataSource();
    for (String sql : inserts("a", "b", "c")) {
      assertThat(write(ds, sql).state()).isNull();
    }
    assertThat(groups().count()).isZero();
    assertThat(db.rawLong("SELECT count(*) FROM t")).isEqualTo(3);
  }

  @Test
  void groupCommitCanBeTurnedOff() throws Exception {
    SluiceDataSource ds =
        db.track(db.builder().option("sluice.writer.groupCommit", "false").build());
    List<Outcome> outcomes = queuedBehindAHolder(ds, inserts("a", "b", "c", "d", "e", "f"));
    assertThat(outcomes).extracting(Outcome::state).containsOnlyNulls();
    assertThat(groups().count()).isZero();
    assertThat(db.rawLong("SELECT count(*) FROM t")).isEqualTo(N + 1);
  }

  /**
   * Queues an update of row 100 behind a held writer from a connection that holds a result set open
   * on a reader taken before the update; returns what that connection reads of the row next.
   */
  private List<String> readAfterQueuedWriteWhileHoldingAResultSet(SluiceDataSource ds)
      throws Exception {
    return queuedBehindAHolder(
        ds,
        List.of("UPDATE t SET v = 'after' WHERE id = 100"),
        sql -> {
          try (Connection c = ds.getConnection();
              Statement open = c.createStatement();
              ResultSet held = open.executeQuery("SELECT id FROM t ORDER BY id");
              Statement s = c.createStatement()) {
            assertThat(held.next()).isTrue();
            assertThat(s.executeUpdate(sql)).isEqualTo(1);
            try (ResultSet r = s.executeQuery("SELECT v FROM t WHERE id = 100")) {
              assertThat(r.next()).isTrue();
              return r.getString(1);
            }
          }
        });
  }

  /**
   * Read-your-writes (design.md, No waits in a cycle) after a write the group commit ran: the
   * connection's reader, held for an open result set, predates the write and must be passed over.
   */
  @Test
  void aConnectionHoldingAResultSetReadsItsOwnGroupedWrite() throws Exception {
    // Given a row, and group commit on
    db.rawExec("INSERT INTO t (id, v) VALUES (100, 'before')");
    SluiceDataSource ds = db.dataSource();

    // When a connection holding a result set open updates it through the group commit (queued
    // behind a held writer, the group commit's thread runs it)
    List<String> seen = readAfterQueuedWriteWhileHoldingAResultSet(ds);

    // Then its next read sees its write
    assertThat(seen).containsExactly("after");
  }

  @Test
  void withGroupCommitOffAConnectionHoldingAResultSetReadsItsOwnQueuedWrite() throws Exception {
    // Given a row, and group commit off
    db.rawExec("INSERT INTO t (id, v) VALUES (100, 'before')");
    SluiceDataSource ds =
        db.track(db.builder().option("sluice.writer.groupCommit", "false").build());

    // When a connection holding a result set open updates it after waiting for the writer
    List<String> seen = readAfterQueuedWriteWhileHoldingAResultSet(ds);

    // Then its next read sees its write
    assertThat(groups().count()).isZero();
    assertThat(seen).containsExactly("after");
  }
}
