package dev.sluice;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
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
 * The writer keeps the statements of group commits compiled from one group to the next (design.md,
 * "Compiled statements kept on the writer"). Each write of a group must still do what it does on
 * plain sqlite-jdbc with a statement prepared for it: a parameter it leaves unbound is NULL, a
 * table dropped and created again is the new table, and nothing the writer keeps stands in the way
 * of DDL, VACUUM or a checkpoint. Groups form deterministically: a transaction holds the writer
 * while the writes queue behind it (the queue gauge says when).
 */
class GroupCommitStatementsTest {
  private static final int N = 4;

  @RegisterExtension final TestDatabase db = new TestDatabase();
  private ExecutorService pool;

  @BeforeEach
  void setUp() throws SQLException {
    pool = Executors.newFixedThreadPool(N);
    db.rawExec(
        "PRAGMA journal_mode=WAL",
        "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT, x INTEGER)",
        "CREATE TABLE h (id INTEGER PRIMARY KEY)");
  }

  @AfterEach
  void tearDown() {
    pool.shutdownNow();
  }

  /** One write: a connection, a prepared statement, its binds. */
  interface Write {
    void run(Connection c) throws SQLException;
  }

  /**
   * Runs {@code writes} as auto-commit writes queued behind a held writer, so that they run as one
   * group, and returns each one's error SQLState (null when it succeeded), in order.
   */
  private List<String> asOneGroup(SluiceDataSource ds, List<Write> writes) throws Exception {
    return asOneGroup(ds, "INSERT INTO h DEFAULT VALUES", writes);
  }

  /**
   * As {@link #asOneGroup(SluiceDataSource, List)}, the holder's transaction running {@code held}.
   */
  private List<String> asOneGroup(SluiceDataSource ds, String held, List<Write> writes)
      throws Exception {
    List<Future<String>> futures = new ArrayList<>();
    try (Connection holder = ds.getConnection();
        Statement hs = holder.createStatement()) {
      holder.setAutoCommit(false);
      hs.executeUpdate(held);
      for (int i = 0; i < writes.size(); i++) {
        Write w = writes.get(i);
        futures.add(
            pool.submit(
                () -> {
                  try (Connection c = ds.getConnection()) {
                    w.run(c);
                    return null;
                  } catch (SQLException e) {
                    return e.getSQLState();
                  }
                }));
        db.awaitWriterQueue(i + 1);
      }
      holder.commit();
    }
    List<String> states = new ArrayList<>();
    for (Future<String> f : futures) {
      states.add(f.get(20, TimeUnit.SECONDS));
    }
    return states;
  }

  private static Write insert(String v, Integer x) {
    return c -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO t (v, x) VALUES (?, ?)")) {
        ps.setString(1, v);
        if (x != null) {
          ps.setInt(2, x);
        }
        ps.executeUpdate();
      }
    };
  }

  private static List<String> rows(Connection c) throws SQLException {
    List<String> rows = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT v, x FROM t ORDER BY id")) {
      while (r.next()) {
        rows.add(r.getString(1) + "=" + r.getObject(2));
      }
    }
    return rows;
  }

  @Test
  void aParameterLeftUnboundIsNullAsOnPlainEvenAfterAnotherWriteOfTheSameSqlBoundIt()
      throws Exception {
    // Given the same body on plain sqlite-jdbc, one statement prepared per write
    List<Write> writes =
        List.of(insert("a", 1), insert("b", null), insert("c", 3), insert("d", null));
    List<String> plain;
    try (Connection c = DriverManager.getConnection(db.sqliteUrl())) {
      for (Write w : writes) {
        w.run(c);
      }
      plain = rows(c);
      c.createStatement().executeUpdate("DELETE FROM t");
    }

    // When the writes run as one group through Sluice, twice (the second group reuses the first's
    // compiled statement)
    SluiceDataSource ds = db.dataSource();
    assertThat(asOneGroup(ds, writes)).containsOnlyNulls();
    List<String> first;
    try (Connection c = ds.getConnection()) {
      first = rows(c);
      c.createStatement().executeUpdate("DELETE FROM t");
    }
    assertThat(asOneGroup(ds, writes)).containsOnlyNulls();

    // Then each row is what plain stored
    assertThat(plain).containsExactly("a=1", "b=null", "c=3", "d=null");
    assertThat(first).isEqualTo(plain);
    try (Connection c = ds.getConnection()) {
      assertThat(rows(c)).isEqualTo(plain);
    }
    assertThat(db.registry.get("sluice.writer.group.size").summary().max()).isGreaterThan(1);
  }

  @Test
  void ddlVacuumAndATruncatingCheckpointRunBesideTheStatementsTheWriterKeeps() throws Exception {
    // Given group commits that left their INSERT and the transaction control compiled on the writer
    SluiceDataSource ds = db.dataSource();
    assertThat(asOneGroup(ds, List.of(insert("a", 1), insert("b", 2), insert("c", 3))))
        .containsOnlyNulls();

    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      // When the table is dropped, the file vacuumed and the WAL truncated
      s.executeUpdate("DROP TABLE t");
      s.executeUpdate("VACUUM");
      try (ResultSet r = s.executeQuery("PRAGMA wal_checkpoint(TRUNCATE)")) {
        // Then each succeeds (a checkpoint that could not run says busy = 1)
        assertThat(r.next()).isTrue();
        assertThat(r.getInt(1)).isZero();
      }
      // And a table of the same name with other columns is the one the kept INSERT writes to
      s.executeUpdate("CREATE TABLE t (x INTEGER, extra TEXT DEFAULT 'new', v TEXT, id INTEGER)");
    }
    assertThat(asOneGroup(ds, List.of(insert("d", 4), insert("e", null)))).containsOnlyNulls();
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT v, x, extra FROM t ORDER BY rowid")) {
      List<String> rows = new ArrayList<>();
      while (r.next()) {
        rows.add(r.getString(1) + "=" + r.getObject(2) + "/" + r.getString(3));
      }
      assertThat(rows).containsExactly("d=4/new", "e=null/new");
    }
  }

  @Test
  void aWriteToATableDroppedAfterItWasPreparedFailsAloneAsOnPlainAndTheNextGroupWorks()
      throws Exception {
    // Given on plain: a statement prepared, then its table dropped by another connection
    String plainMessage;
    try (Connection c = DriverManager.getConnection(db.sqliteUrl());
        Connection other = DriverManager.getConnection(db.sqliteUrl());
        PreparedStatement ps = c.prepareStatement("INSERT INTO t (v, x) VALUES (?, ?)")) {
      other.createStatement().executeUpdate("DROP TABLE t");
      ps.setString(1, "x");
      ps.executeUpdate();
      plainMessage = "stored";
    } catch (SQLException e) {
      plainMessage = e.getMessage();
    }
    assertThat(plainMessage).contains("no such table: t");
    db.rawExec("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT, x INTEGER)");

    // And on Sluice the INSERT kept compiled by a first group
    SluiceDataSource ds = db.dataSource();
    assertThat(asOneGroup(ds, List.of(insert("a", 1), insert("b", 2)))).containsOnlyNulls();

    // When the holder drops the table while writes prepared before its commit queue behind it,
    // with a write to another table among them
    Write other =
        c -> {
          try (PreparedStatement ps = c.prepareStatement("INSERT INTO h (id) VALUES (?)")) {
            ps.setInt(1, 42);
            ps.executeUpdate();
          }
        };
    List<String> states =
        asOneGroup(ds, "DROP TABLE t", List.of(insert("c", 3), insert("d", 4), other));

    // Then each write to the dropped table fails as a syntax error (42000), the other is stored
    assertThat(states).containsExactly("42000", "42000", null);
    assertThat(db.rawLong("SELECT count(*) FROM h WHERE id = 42")).isEqualTo(1);

    // And once the table exists again the same SQL works in the next group
    db.rawExec("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT, x INTEGER)");
    assertThat(asOneGroup(ds, List.of(insert("e", 5), insert("f", 6)))).containsOnlyNulls();
    assertThat(db.rawLong("SELECT sum(x) FROM t")).isEqualTo(11);
  }
}
