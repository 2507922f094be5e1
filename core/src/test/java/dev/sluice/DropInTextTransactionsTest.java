package dev.sluice;

import static dev.sluice.DropIn.exec;
import static dev.sluice.DropIn.one;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Transactions that SQL text and JDBC's calls both touch, run on plain sqlite-jdbc and on Sluice
 * (the differences {@link DropInRandomTest} found, one test each). Plain keeps one physical
 * transaction: {@code setAutoCommit(false)} runs {@code begin;}, {@code commit()} runs {@code
 * commit;} then {@code begin;} again, and SQL text may end or begin that transaction in between.
 */
class DropInTextTransactionsTest {
  private static final String TABLE = "CREATE TABLE t (k INTEGER UNIQUE, v INTEGER CHECK (v >= 0))";

  /** Runs {@code call}, answering its failure's vendor code instead of throwing it. */
  private static String attempt(Call call) {
    try {
      return call.run();
    } catch (SQLException e) {
      return "failed " + e.getErrorCode();
    }
  }

  @FunctionalInterface
  private interface Call {
    String run() throws SQLException;
  }

  /** A test body on one connection, adding what it compares to {@code out}. */
  @FunctionalInterface
  private interface OnOneConnection {
    void run(Connection c, List<Object> out) throws SQLException;
  }

  /** Runs {@code body} on one connection of each driver and asserts equal outcomes. */
  private static void sameOnOneConnection(OnOneConnection body) throws Exception {
    DropIn.same(
        db -> {
          List<Object> out = new ArrayList<>();
          try (Connection c = db.connect()) {
            body.run(c, out);
          }
          return out;
        });
  }

  @Test
  void commitAfterASavepointEndsTheTransactionSqlTextBegan() throws Exception {
    sameOnOneConnection(
        (c, out) -> {
          exec(c, TABLE, "BEGIN", "INSERT INTO t VALUES (1, 1)");
          Savepoint sp = c.setSavepoint();
          out.add(c.getAutoCommit());
          c.commit();
          // the savepoint went with the commit
          out.add(attempt(() -> "rolled back " + rollbackTo(c, sp)));
          // and the row stays: it was committed
        });
  }

  @Test
  void releasingTheOutermostSavepointSetInAutoCommitCommits() throws Exception {
    sameOnOneConnection(
        (c, out) -> {
          exec(c, TABLE);
          Savepoint sp = c.setSavepoint();
          exec(c, "INSERT INTO t VALUES (1, 1)");
          c.releaseSavepoint(sp);
          // SQLite: the outermost savepoint was the transaction; nothing is left to roll back
          out.add(attempt(() -> rollback(c)));
          exec(c, "INSERT INTO t VALUES (2, 2)");
          // both rows stay: each committed when it ended
        });
  }

  @Test
  void afterSqlTextCommitsStatementsCommitAloneAndCommitFails() throws Exception {
    sameOnOneConnection(
        (c, out) -> {
          exec(c, TABLE);
          c.setAutoCommit(false);
          exec(c, "INSERT INTO t VALUES (1, 1)", "COMMIT", "INSERT INTO t VALUES (2, 2)");
          // a constraint failure now is only that statement's
          out.add(attempt(() -> update(c, "INSERT INTO t VALUES (2, 3)")));
          out.add(attempt(() -> update(c, "INSERT INTO t VALUES (3, 3)")));
          out.add(attempt(() -> commit(c)));
          out.add(attempt(() -> rollback(c)));
          out.add(c.getAutoCommit());
          out.add(attempt(() -> autoCommitOn(c)));
          out.add(c.getAutoCommit());
          exec(c, "INSERT INTO t VALUES (4, 4)");
          // rows 1 to 4 stay
        });
  }

  @Test
  void sqlTextBeginsAgainAfterItEndedAndCommitEndsThat() throws Exception {
    sameOnOneConnection(
        (c, out) -> {
          exec(c, TABLE);
          c.setAutoCommit(false);
          exec(c, "INSERT INTO t VALUES (1, 1)", "COMMIT", "BEGIN", "INSERT INTO t VALUES (2, 2)");
          out.add(attempt(() -> commit(c)));
          exec(c, "INSERT INTO t VALUES (3, 3)");
          out.add(attempt(() -> rollback(c)));
          // rows 1 and 2 stay, 3 was rolled back
        });
  }

  @Test
  void autoCommitOffInsideATransactionSqlTextBeganFailsAndTurnsItOff() throws Exception {
    sameOnOneConnection(
        (c, out) -> {
          exec(c, TABLE, "BEGIN", "INSERT INTO t VALUES (1, 1)");
          out.add(attempt(() -> autoCommitOff(c)));
          out.add(c.getAutoCommit());
          out.add(attempt(() -> commit(c)));
          exec(c, "INSERT INTO t VALUES (2, 2)");
          // row 1 committed; row 2 rolled back at close
        });
  }

  @Test
  void savepointCallsInAutoCommitAreRefused() throws Exception {
    sameOnOneConnection(
        (c, out) -> {
          exec(c, TABLE);
          Savepoint sp = c.setSavepoint("a");
          c.setAutoCommit(true);
          out.add(attempt(() -> "rolled back " + rollbackTo(c, sp)));
          out.add(attempt(() -> release(c, sp)));
        });
  }

  @Test
  void changesAfterAWriteThatBrokeAConstraintOrRanInExecuteQuery() throws Exception {
    sameOnOneConnection(
        (c, out) -> {
          exec(c, TABLE, "INSERT INTO t VALUES (1, 1), (2, 2)");
          out.add(one(c, "SELECT changes()"));
          out.add(attempt(() -> update(c, "UPDATE t SET v = v - 5")));
          out.add(one(c, "SELECT changes()"));
          out.add(attempt(() -> query(c, "DELETE FROM t WHERE k = 1")));
          out.add(one(c, "SELECT changes()"));
        });
  }

  @Test
  void updateCountOfTransactionControlIsTheConnectionsOwnChanges() throws Exception {
    DropIn.same(
        db -> {
          List<Object> out = new ArrayList<>();
          try (Connection first = db.connect()) {
            exec(first, TABLE, "INSERT INTO t VALUES (1, 1), (2, 2), (3, 3)");
          }
          try (Connection c = db.connect();
              Statement s = c.createStatement()) {
            // a new connection has changed nothing yet
            out.add(s.execute("BEGIN") + " " + s.getUpdateCount());
            out.add(s.execute("DELETE FROM t WHERE k > 1") + " " + s.getUpdateCount());
            out.add(s.execute("COMMIT") + " " + s.getUpdateCount());
          }
          return out;
        });
  }

  @Test
  void aLoopCommittingOrRollingBackPerRowOfAQueryGoesOn() throws Exception {
    for (boolean rollback : new boolean[] {false, true}) {
      sameOnOneConnection(
          (c, out) -> {
            exec(
                c,
                "CREATE TABLE job (k INTEGER PRIMARY KEY, done INTEGER)",
                "INSERT INTO job VALUES (1, 0), (2, 0), (3, 0), (4, 0)");
            c.setAutoCommit(false);
            try (Statement s = c.createStatement();
                java.sql.ResultSet r = s.executeQuery("SELECT k FROM job ORDER BY k");
                java.sql.PreparedStatement done =
                    c.prepareStatement("UPDATE job SET done = 1 WHERE k = ?")) {
              while (r.next()) {
                // the result set stays open across each commit or rollback, as on plain
                int k = r.getInt(1);
                out.add(k);
                done.setInt(1, k);
                done.executeUpdate();
                if (rollback && k == 2) {
                  c.rollback();
                } else {
                  c.commit();
                }
              }
            }
            c.commit();
            // every row's update committed but the one rolled back
          });
    }
  }

  private static String rollbackTo(Connection c, Savepoint sp) throws SQLException {
    c.rollback(sp);
    return "to savepoint";
  }

  private static String release(Connection c, Savepoint sp) throws SQLException {
    c.releaseSavepoint(sp);
    return "released";
  }

  private static String rollback(Connection c) throws SQLException {
    c.rollback();
    return "rolled back";
  }

  private static String commit(Connection c) throws SQLException {
    c.commit();
    return "committed";
  }

  private static String autoCommitOn(Connection c) throws SQLException {
    c.setAutoCommit(true);
    return "on";
  }

  private static String autoCommitOff(Connection c) throws SQLException {
    c.setAutoCommit(false);
    return "off";
  }

  private static String update(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      return "updated " + s.executeUpdate(sql);
    }
  }

  private static String query(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.executeQuery(sql).close();
      return "queried";
    }
  }
}
