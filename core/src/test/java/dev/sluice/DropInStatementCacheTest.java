package dev.sluice;

import static dev.sluice.DropIn.exec;
import static dev.sluice.DropIn.rows;
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
 * #21: a prepared SELECT run again with the same text takes its compiled statement from the
 * reader's cache (sluice.reader.statementCache). Nothing of a previous use may show: not its bound
 * values, not its settings, not its rows, not its columns. Each body runs the same SQL through
 * several statements and connections, as an application preparing per request does, on plain
 * sqlite-jdbc and on Sluice.
 */
class DropInStatementCacheTest {

  private static final String BY_ID = "SELECT id, name FROM t WHERE id = ? OR name = ?";

  private static void schema(Connection c) throws Exception {
    exec(
        c,
        "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)",
        "INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, 'c'), (4, NULL)");
  }

  @Test
  void aParameterLeftUnboundIsNullAndNotThePreviousStatementsValue() throws Exception {
    Outcome outcome =
        DropIn.same(
            db -> {
              Connection c = db.connect();
              schema(c);
              List<Object> result = new ArrayList<>();
              // Given a statement run with both parameters bound and closed
              try (PreparedStatement p = c.prepareStatement(BY_ID)) {
                p.setInt(1, 1);
                p.setString(2, "c");
                try (ResultSet r = p.executeQuery()) {
                  result.addAll(rows(r));
                }
              }
              // When the same SQL is prepared again, on new connections, binding only the first
              for (int i = 0; i < 3; i++) {
                try (Connection again = db.connect();
                    PreparedStatement p = again.prepareStatement(BY_ID)) {
                  p.setInt(1, 2);
                  try (ResultSet r = p.executeQuery()) {
                    result.addAll(rows(r));
                  }
                }
              }
              return result;
            });
    // Then the second parameter was NULL each time (name = NULL matches nothing)
    assertThat(outcome.result()).containsExactly("1|a", "3|c", "2|b", "2|b", "2|b");
  }

  @Test
  void maxRowsAndFetchSizeOfOneStatementDoNotReachTheNext() throws Exception {
    Outcome outcome =
        DropIn.same(
            db -> {
              Connection c = db.connect();
              schema(c);
              String all = "SELECT id FROM t WHERE id > ? ORDER BY id";
              List<Object> result = new ArrayList<>();
              // Given a statement limited to one row, whose result set asked for a fetch size
              try (PreparedStatement p = c.prepareStatement(all)) {
                p.setMaxRows(1);
                p.setInt(1, 0);
                try (ResultSet r = p.executeQuery()) {
                  r.setFetchSize(1);
                  result.addAll(rows(r));
                }
              }
              // Given a statement that ran without settings, its result set given a fetch size
              try (PreparedStatement p = c.prepareStatement(all)) {
                p.setInt(1, 2);
                try (ResultSet r = p.executeQuery()) {
                  r.setFetchSize(9);
                  result.addAll(rows(r));
                }
              }
              // When the same SQL runs again without settings
              try (PreparedStatement p = c.prepareStatement(all)) {
                p.setInt(1, 0);
                try (ResultSet r = p.executeQuery()) {
                  result.add("fetch " + r.getFetchSize() + " max " + p.getMaxRows());
                  result.addAll(rows(r));
                }
              }
              return result;
            });
    // Then it returns every row, with the defaults
    assertThat(outcome.result())
        .containsExactly("1", "3", "4", "fetch 0 max 0", "1", "2", "3", "4");
  }

  @Test
  void aResultSetReadToItsEndAndLeftOpenIsNotDisturbedByTheSameQueryRunningAgain()
      throws Exception {
    Outcome outcome =
        DropIn.same(
            db -> {
              Connection c = db.connect();
              schema(c);
              String sql = "SELECT name FROM t WHERE id <= ? ORDER BY id";
              List<Object> result = new ArrayList<>();
              // Given a result set read to its end and not closed
              PreparedStatement first = c.prepareStatement(sql);
              first.setInt(1, 2);
              ResultSet open = first.executeQuery();
              result.addAll(rows(open));
              // When the same query runs on another statement, and on another connection
              try (PreparedStatement p = c.prepareStatement(sql)) {
                p.setInt(1, 3);
                try (ResultSet r = p.executeQuery()) {
                  result.add(r.next() + ":" + r.getString(1));
                  // Then the first one is still after its last row
                  result.add("first next " + open.next());
                  result.addAll(rows(r));
                }
              }
              try (Connection other = db.connect();
                  PreparedStatement p = other.prepareStatement(sql)) {
                p.setInt(1, 1);
                try (ResultSet r = p.executeQuery()) {
                  result.addAll(rows(r));
                }
              }
              result.add("first closed " + open.isClosed());
              open.close();
              first.close();
              return result;
            });
    assertThat(outcome.result())
        .containsExactly(
            "a", "b", "true:a", "first next false", "b", "c", "a", "first closed false");
  }

  @Test
  void theSameQueryNestedInsideItselfReadsBothRowSets() throws Exception {
    Outcome outcome =
        DropIn.same(
            db -> {
              Connection c = db.connect();
              schema(c);
              String sql = "SELECT id FROM t WHERE id >= ? ORDER BY id";
              List<Object> result = new ArrayList<>();
              // Given an outer result set of a query, open
              try (PreparedStatement outer = c.prepareStatement(sql)) {
                outer.setInt(1, 3);
                try (ResultSet o = outer.executeQuery()) {
                  while (o.next()) {
                    // When the same query runs inside it, for each row
                    try (PreparedStatement inner = c.prepareStatement(sql)) {
                      inner.setInt(1, o.getInt(1));
                      try (ResultSet i = inner.executeQuery()) {
                        result.add(o.getInt(1) + ":" + rows(i));
                      }
                    }
                  }
                }
              }
              return result;
            });
    assertThat(outcome.result()).containsExactly("3:[3, 4]", "4:[4]");
  }

  @Test
  void aColumnAddedIsSeenByStarAndANamedColumnDroppedFailsAsOnPlain() throws Exception {
    Outcome outcome =
        DropIn.same(
            db -> {
              Connection c = db.connect();
              schema(c);
              List<Object> result = new ArrayList<>();
              String star = "SELECT * FROM t WHERE id = ?";
              String named = "SELECT id, name FROM t WHERE id = ?";
              for (String sql : List.of(star, named, star, named)) {
                try (PreparedStatement p = c.prepareStatement(sql)) {
                  p.setInt(1, 1);
                  try (ResultSet r = p.executeQuery()) {
                    result.addAll(rows(r));
                  }
                }
              }
              // When a column is added, then the named one dropped
              exec(c, "ALTER TABLE t ADD COLUMN extra TEXT DEFAULT 'x'");
              try (PreparedStatement p = c.prepareStatement(star)) {
                p.setInt(1, 1);
                try (ResultSet r = p.executeQuery()) {
                  result.addAll(rows(r));
                }
              }
              exec(c, "ALTER TABLE t DROP COLUMN name");
              try (PreparedStatement p = c.prepareStatement(named)) {
                p.setInt(1, 1);
                try (ResultSet r = p.executeQuery()) {
                  result.addAll(rows(r));
                }
              } catch (SQLException e) {
                result.add(e.getErrorCode() + " " + e.getMessage().contains("no such column"));
              }
              return result;
            });
    assertThat(outcome.result()).containsExactly("1|a", "1|a", "1|a", "1|a", "1|a|x", "1 true");
  }
}
