package dev.sluice;

import static dev.sluice.DropIn.exec;
import static dev.sluice.DropIn.one;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.DropIn.Outcome;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The writer keeps prepared INSERT, UPDATE and DELETE statements, and the prepared queries of write
 * transactions, compiled for the next execution of the same text (sluice.writer.statementCache;
 * design.md "Compiled statements kept on the writer"). Nothing of a previous use may show: not its
 * bound values, not the table it was compiled against. Each body prepares per write, as
 * applications do, on plain sqlite-jdbc and on Sluice.
 */
class DropInWriterStatementsTest {

  private static final String INSERT = "INSERT INTO t (id, name, n) VALUES (?, ?, ?)";
  private static final String UPDATE = "UPDATE t SET n = coalesce(n, 0) + ? WHERE id = ?";

  private static void schema(Connection c) throws Exception {
    exec(c, "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, n INTEGER)");
  }

  private static int insert(Connection c, Integer id, String name, Integer n) throws SQLException {
    try (PreparedStatement p = c.prepareStatement(INSERT)) {
      if (id != null) {
        p.setInt(1, id);
      }
      if (name != null) {
        p.setString(2, name);
      }
      if (n != null) {
        p.setInt(3, n);
      }
      return p.executeUpdate();
    }
  }

  private static List<Object> rows(Connection c, String sql) throws Exception {
    try (PreparedStatement p = c.prepareStatement(sql);
        ResultSet r = p.executeQuery()) {
      return DropIn.rows(r);
    }
  }

  @Test
  void aParameterLeftUnboundIsNullAndNotThePreviousWritesValue() throws Exception {
    Outcome outcome =
        DropIn.same(
            db -> {
              Connection c = db.connect();
              schema(c);
              List<Object> result = new ArrayList<>();
              // Given a write with every parameter bound
              result.add(insert(c, 1, "a", 10));
              // When the same SQL is prepared again, on other connections, binding fewer
              try (Connection again = db.connect()) {
                result.add(insert(again, 2, null, 20));
                result.add(insert(again, 3, "c", null));
                result.add(insert(again, null, null, null));
              }
              // And an update of the same text runs with one bind missing, then with both
              try (Connection again = db.connect();
                  PreparedStatement p = again.prepareStatement(UPDATE)) {
                p.setInt(1, 5);
                p.setInt(2, 1);
                result.add(p.executeUpdate());
              }
              try (Connection again = db.connect();
                  PreparedStatement p = again.prepareStatement(UPDATE)) {
                p.setInt(1, 7);
                result.add(p.executeUpdate());
              }
              // Then each row holds only what its own write bound
              result.addAll(rows(c, "SELECT id, name, n FROM t ORDER BY id"));
              result.add(one(c, "SELECT last_insert_rowid()"));
              return result;
            });
    assertThat(outcome.result())
        .containsExactly(
            "1", "1", "1", "1", "1", "0", "1|a|15", "2|null|20", "3|c|null", "4|null|null", "1");
  }

  /**
   * #22: a kept statement is not cleared before it is lent again; binding replaces every value.
   * Batch rows keep or clear their values as on plain, and a kept read prepared again with fewer
   * values sees NULL where its earlier use had one.
   */
  @Test
  void batchRowsAndKeptReadsShowNoValueOfAnEarlierUse() throws Exception {
    Outcome outcome =
        DropIn.same(
            db -> {
              Connection c = db.connect();
              schema(c);
              List<Object> result = new ArrayList<>();
              for (int round = 0; round < 2; round++) {
                // Given batches whose rows keep the values before them, or clear them
                try (PreparedStatement p = c.prepareStatement(INSERT)) {
                  p.setInt(1, 1 + 3 * round);
                  p.setString(2, "a");
                  p.setInt(3, 10);
                  p.addBatch();
                  p.setInt(1, 2 + 3 * round);
                  p.addBatch();
                  p.clearParameters();
                  p.setInt(1, 3 + 3 * round);
                  p.addBatch();
                  for (int count : p.executeBatch()) {
                    result.add(count);
                  }
                }
              }
              // When a read is run with both values, then prepared again with fewer
              String read = "SELECT count(*) FROM t WHERE ? IS NULL OR name = ?";
              for (int i = 0; i < 4; i++) {
                try (PreparedStatement p = c.prepareStatement(read)) {
                  if (i == 0) {
                    p.setString(1, "x");
                  }
                  if (i < 2) {
                    p.setString(2, "a");
                  }
                  try (ResultSet r = p.executeQuery()) {
                    r.next();
                    result.add(r.getLong(1));
                  }
                }
              }
              // Then rows and counts are plain's
              result.addAll(rows(c, "SELECT id, name, n FROM t ORDER BY id"));
              return result;
            });
    assertThat(outcome.result())
        .containsExactly(
            "1",
            "1",
            "1",
            "1",
            "1",
            "1",
            "4",
            "6",
            "6",
            "6",
            "1|a|10",
            "2|a|10",
            "3|null|null",
            "4|a|10",
            "5|a|10",
            "6|null|null");
  }

  @Test
  void aTransactionRolledBackAndRunAgainWithTheSameStatementsEndsAsOnPlain() throws Exception {
    Outcome outcome =
        DropIn.same(
            db -> {
              Connection c = db.connect();
              schema(c);
              List<Object> result = new ArrayList<>();
              c.setAutoCommit(false);
              for (int round = 0; round < 3; round++) {
                insert(c, null, "r" + round, round);
                try (PreparedStatement p = c.prepareStatement(UPDATE)) {
                  p.setInt(1, 100);
                  p.setInt(2, 1);
                  result.add(p.executeUpdate());
                }
                if (round == 1) {
                  c.rollback();
                } else {
                  c.commit();
                }
              }
              c.setAutoCommit(true);
              result.addAll(rows(c, "SELECT id, name, n FROM t ORDER BY id"));
              return result;
            });
    assertThat(outcome.result()).containsExactly("1", "1", "1", "1|r0|200", "2|r2|2");
  }

  @Test
  void aColumnAddedAndATableCreatedAgainAreWhatTheSameSqlWritesTo() throws Exception {
    Outcome outcome =
        DropIn.same(
            db -> {
              Connection c = db.connect();
              schema(c);
              List<Object> result = new ArrayList<>();
              Connection other = db.connect();
              result.add(insert(other, 1, "a", 1));
              // When another connection adds a column with a default, then drops and creates
              // the table again with its columns in another order
              exec(c, "ALTER TABLE t ADD COLUMN extra TEXT DEFAULT 'x'");
              result.add(insert(other, 2, "b", 2));
              result.addAll(rows(c, "SELECT id, name, n, extra FROM t ORDER BY id"));
              exec(c, "DROP TABLE t", "CREATE TABLE t (n INTEGER, name TEXT, id INTEGER)");
              result.add(insert(other, 3, "c", 3));
              result.addAll(rows(c, "SELECT n, name, id FROM t"));
              // And the table dropped for good: the same SQL fails as a fresh compile does
              exec(c, "DROP TABLE t");
              try {
                insert(other, 4, "d", 4);
              } catch (SQLException e) {
                result.add(e.getErrorCode());
              }
              // And the file can be vacuumed and its WAL truncated beside what the writer keeps
              exec(c, "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, n INTEGER)", "VACUUM");
              result.add(insert(other, 5, "e", 5));
              result.add(one(c, "PRAGMA wal_checkpoint(TRUNCATE)"));
              return result;
            });
    assertThat(outcome.result())
        .containsExactly("1", "1", "1|a|1|x", "2|b|2|x", "1", "3|c|3", "1", "1", "0");
  }

  private static final String AMOUNT = "SELECT n FROM t WHERE id = ?";

  private static Object amount(Connection c, Integer id) throws SQLException {
    try (PreparedStatement q = c.prepareStatement(AMOUNT)) {
      if (id != null) {
        q.setInt(1, id);
      }
      try (ResultSet r = q.executeQuery()) {
        return r.next() ? r.getInt(1) : "none";
      }
    }
  }

  /**
   * Issue 22: the prepared queries of write transactions (read-then-write) are kept on the writer
   * too, lent to their result set until it closes. Each round reads with another bind, nests a
   * second query of the same text inside an open one, reads with no bind at all; a result set read
   * to its end outlives its transaction; the table changes and is vacuumed in between.
   */
  @Test
  void queriesOfWriteTransactionsReadTheirOwnBindsAndTheNewestTableAsOnPlain() throws Exception {
    Outcome outcome =
        DropIn.same(
            db -> {
              Connection c = db.connect();
              schema(c);
              List<Object> result = new ArrayList<>();
              for (int id = 1; id <= 3; id++) {
                result.add(insert(c, id, "n" + id, id * 10));
              }
              c.setAutoCommit(false);
              for (int round = 0; round < 3; round++) {
                result.add(amount(c, round + 1));
                try (PreparedStatement outer = c.prepareStatement(AMOUNT);
                    PreparedStatement inner = c.prepareStatement(AMOUNT)) {
                  outer.setInt(1, 1);
                  try (ResultSet o = outer.executeQuery()) {
                    o.next();
                    inner.setInt(1, 2);
                    try (ResultSet i = inner.executeQuery()) {
                      i.next();
                      result.add(o.getInt(1) + "/" + i.getInt(1));
                    }
                  }
                }
                result.add(amount(c, null));
                try (PreparedStatement p = c.prepareStatement(UPDATE)) {
                  p.setInt(1, 1);
                  p.setInt(2, round + 1);
                  result.add(p.executeUpdate());
                }
                if (round == 1) {
                  c.rollback();
                } else {
                  c.commit();
                }
              }
              PreparedStatement left = c.prepareStatement(AMOUNT);
              left.setInt(1, 3);
              ResultSet open = left.executeQuery();
              result.add(open.next());
              result.add(open.next());
              c.commit();
              c.setAutoCommit(true);
              open.close();
              left.close();
              exec(c, "ALTER TABLE t ADD COLUMN extra TEXT DEFAULT 'x'", "VACUUM");
              exec(c, "UPDATE t SET n = n + 1000 WHERE id = 1");
              c.setAutoCommit(false);
              result.add(amount(c, 1));
              c.commit();
              c.setAutoCommit(true);
              exec(c, "DROP TABLE t", "CREATE TABLE t (n INTEGER, id INTEGER, name TEXT)");
              exec(c, "INSERT INTO t VALUES (7, 1, 'again')");
              c.setAutoCommit(false);
              result.add(amount(c, 1));
              c.commit();
              c.setAutoCommit(true);
              result.addAll(rows(c, "SELECT id, name, n FROM t ORDER BY id"));
              return result;
            });
    assertThat(outcome.result())
        .containsExactly(
            "1",
            "1",
            "1",
            "10",
            "10/20",
            "none",
            "1",
            "20",
            "11/20",
            "none",
            "1",
            "30",
            "11/20",
            "none",
            "1",
            "true",
            "false",
            "1011",
            "7",
            "1|again|7");
  }
}
