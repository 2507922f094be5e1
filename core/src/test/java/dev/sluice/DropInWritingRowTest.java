package dev.sluice;

import static dev.sluice.DropIn.exec;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.DropIn.Outcome;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * #16: a query that reads like a read but whose later row calls a function that writes (FTS4's
 * {@code optimize()}, here through a view and directly), which no reading of its text can foresee.
 * Plain sqlite-jdbc's one connection upgrades its read to a write at that row; through Sluice the
 * query starts on a reader, which refuses the write, and goes on from the writer: the same rows,
 * the index optimized, and the same SQLITE_BUSY_SNAPSHOT as plain when the database changed since
 * the query began.
 */
class DropInWritingRowTest {

  private static final String SCHEMA_FTS = "CREATE VIRTUAL TABLE ft USING fts4(body)";
  private static final String VIEW =
      "CREATE VIEW v AS SELECT id, CASE WHEN id = 2 THEN"
          + " (SELECT optimize(ft) FROM ft LIMIT 1) END AS o FROM t";

  private static void schema(Connection c) throws Exception {
    exec(c, SCHEMA_FTS);
    for (int i = 0; i < 5; i++) {
      exec(c, "INSERT INTO ft(body) VALUES ('hello world " + i + "')");
    }
    exec(c, "CREATE TABLE t (id INTEGER PRIMARY KEY)", "INSERT INTO t VALUES (1), (2), (3)", VIEW);
  }

  private static List<Object> rows(ResultSet r) throws Exception {
    List<Object> rows = new ArrayList<>();
    while (r.next()) {
      rows.add(r.getLong(1) + ":" + r.getString(2));
    }
    return rows;
  }

  private static long segments(Connection c) throws Exception {
    return DropIn.one(c, "SELECT count(*) FROM ft_segdir");
  }

  @Test
  void aViewWhoseSecondRowOptimizesReturnsEveryRowAndOptimizes() throws Exception {
    Outcome outcome =
        DropIn.same(
            db -> {
              // Given an FTS4 index of five segments and a view that optimizes it at row 2
              Connection c = db.connect();
              schema(c);
              List<Object> result = new ArrayList<>();
              result.add(segments(c));
              // When the view is read to its end in auto-commit
              try (Statement s = c.createStatement();
                  ResultSet r = s.executeQuery("SELECT id, o FROM v ORDER BY id")) {
                result.addAll(rows(r));
              }
              // Then every row came, and the index is one segment
              result.add(segments(c));
              return result;
            });
    assertThat(outcome.result()).containsExactly("5", "1:null", "2:Index optimized", "3:null", "1");
  }

  @Test
  void aPreparedQueryWithBindsGoesOnFromTheSameRow() throws Exception {
    Outcome outcome =
        DropIn.same(
            db -> {
              // Given the index and a prepared query that calls optimize() at the bound id
              Connection c = db.connect();
              schema(c);
              List<Object> result = new ArrayList<>();
              try (PreparedStatement p =
                  c.prepareStatement(
                      "SELECT id, CASE WHEN id = ? THEN (SELECT optimize(ft) FROM ft LIMIT 1) END"
                          + " FROM t WHERE id >= ? ORDER BY id")) {
                p.setInt(1, 3);
                p.setInt(2, 1);
                // When it is executed and read through execute()/getResultSet()
                assertThat(p.execute()).isTrue();
                try (ResultSet r = p.getResultSet()) {
                  result.addAll(rows(r));
                }
                // Then the statement runs again as usual
                p.setInt(1, 0);
                try (ResultSet r = p.executeQuery()) {
                  result.addAll(rows(r));
                }
              }
              result.add(segments(c));
              return result;
            });
    assertThat(outcome.result())
        .containsExactly(
            "1:null", "2:null", "3:Index optimized", "1:null", "2:null", "3:null", "1");
  }

  @Test
  void aCommitSinceTheQueryBeganFailsAsPlainWithBusySnapshot() throws Exception {
    Outcome outcome =
        DropIn.same(
            db -> {
              // Given the index in WAL mode, and the view's first row read
              String url = db.url() + (db.url().contains("?") ? "&" : "?") + "journal_mode=WAL";
              Connection a = db.connect(url);
              schema(a);
              Connection b = db.connect(url);
              List<Object> result = new ArrayList<>();
              try (Statement s = a.createStatement();
                  ResultSet r = s.executeQuery("SELECT id, o FROM v ORDER BY id")) {
                assertThat(r.next()).isTrue();
                result.add(r.getLong(1));
                // When another connection commits, then the row that writes is reached
                exec(b, "INSERT INTO t VALUES (4)");
                try {
                  r.next();
                  result.add("moved on");
                } catch (java.sql.SQLException e) {
                  result.add(e.getErrorCode());
                  result.add(((org.sqlite.SQLiteException) e).getResultCode().name());
                }
              }
              // Then nothing was optimized, and the connection still works
              result.add(segments(a));
              result.add(DropIn.one(a, "SELECT count(*) FROM t"));
              return result;
            });
    assertThat(outcome.result()).containsExactly("1", "5", "SQLITE_BUSY_SNAPSHOT", "5", "4");
  }
}
