package dev.sluice;

import static dev.sluice.DropIn.exec;
import static dev.sluice.DropIn.rows;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.DropIn.Outcome;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * #22: a read run through a plain {@code Statement} ({@code executeQuery(sql)}, {@code
 * execute(sql)}) takes its compiled statement from the reader's cache, as a prepared SELECT does,
 * once its text has been seen before. Each body runs the same text several times, so that later
 * runs find it kept, on plain sqlite-jdbc and on Sluice; nothing of the cache may show.
 */
class DropInPlainStatementCacheTest {

  private static final int RUNS = 3;

  private static void schema(Connection c) throws Exception {
    exec(
        c,
        "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)",
        "INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, 'c'), (4, NULL)");
  }

  /** What {@code executeQuery(sql)} gave: its column labels and rows, or its vendor code. */
  private static String query(Statement s, String sql) throws Exception {
    try (ResultSet r = s.executeQuery(sql)) {
      StringBuilder labels = new StringBuilder();
      for (int i = 1; i <= r.getMetaData().getColumnCount(); i++) {
        labels.append(r.getMetaData().getColumnLabel(i)).append(' ');
      }
      return labels + rows(r).toString();
    } catch (SQLException e) {
      // Messages and SQLStates differ on purpose (design.md "Errors"); the vendor code does not.
      return "failed " + e.getErrorCode();
    }
  }

  /** What {@code execute(sql)} gave, and what the statement answers after it. */
  private static String execute(Statement s, String sql) throws Exception {
    try {
      boolean hasResult = s.execute(sql);
      StringBuilder out = new StringBuilder().append(hasResult);
      out.append(" count ").append(s.getUpdateCount());
      ResultSet r = s.getResultSet();
      out.append(" rows ").append(r == null ? "none" : rows(r));
      out.append(" more ").append(s.getMoreResults());
      out.append(" count ").append(s.getUpdateCount());
      out.append(" after ").append(s.getResultSet());
      return out.toString();
    } catch (SQLException e) {
      return "failed " + e.getErrorCode();
    }
  }

  @Test
  void parameterMarkersInAPlainStatementRunAsOnPlain() throws Exception {
    Outcome outcome =
        DropIn.same(
            db -> {
              Connection c = db.connect();
              schema(c);
              List<Object> result = new ArrayList<>();
              List<String> markers =
                  List.of(
                      "SELECT ? AS v",
                      "SELECT ?1 AS v",
                      "SELECT :x AS v",
                      "SELECT @x AS v",
                      "SELECT $x AS v",
                      "SELECT name FROM t WHERE id = ? OR ? IS NULL ORDER BY id");
              // Given each text run once as a prepared statement with its values bound
              for (String sql : markers) {
                try (PreparedStatement p = c.prepareStatement(sql)) {
                  int params = p.getParameterMetaData().getParameterCount();
                  for (int i = 1; i <= params; i++) {
                    p.setInt(i, 2);
                  }
                  try (ResultSet r = p.executeQuery()) {
                    result.add(sql + " prepared " + rows(r));
                  }
                }
              }
              // When the same texts run through plain statements, again and again
              for (int run = 0; run < RUNS; run++) {
                for (String sql : markers) {
                  try (Statement s = c.createStatement()) {
                    result.add(sql + " query " + query(s, sql));
                    result.add(sql + " execute " + execute(s, sql));
                  }
                }
              }
              return result;
            });
    // Then a marker is NULL through a plain statement, never the value a prepared one bound
    assertThat(outcome.result())
        .contains(
            "SELECT ? AS v prepared [2]",
            "SELECT ? AS v query v [null]",
            "SELECT $x AS v query v [null]",
            "SELECT name FROM t WHERE id = ? OR ? IS NULL ORDER BY id query name [a, b, c, null]");
  }

  @Test
  void severalStatementsCommentsSemicolonsAndWhitespaceGiveWhatPlainGives() throws Exception {
    List<String> texts =
        List.of(
            "SELECT id FROM t ORDER BY id",
            "SELECT id FROM t ORDER BY id;",
            "SELECT id FROM t ORDER BY id;;",
            "SELECT id FROM t ORDER BY id; -- the end",
            "SELECT id FROM t ORDER BY id /* the end */",
            "  SELECT id FROM t ORDER BY id  \n",
            "\tSELECT\nid FROM t\r\nORDER BY id",
            "-- ids\nSELECT id FROM t ORDER BY id",
            "SELECT id FROM t ORDER BY id; SELECT name FROM t",
            "SELECT 1; SELECT 2",
            "SELECT 1; INSERT INTO t (name) VALUES ('z')",
            "SELECT 1 AS one; garbage",
            "SELECT nothing FROM t",
            "SELECT id FROM t WHERE");
    // Plain sqlite-jdbc's statement is unusable after one of these (every later query fails), so
    // they run on statements of their own.
    List<String> empty = List.of(";", "-- nothing", "");
    Outcome outcome =
        DropIn.same(
            db -> {
              Connection c = db.connect();
              schema(c);
              List<Object> result = new ArrayList<>();
              // Given each text run several times, through one statement and through new ones
              try (Statement kept = c.createStatement()) {
                for (int run = 0; run < RUNS; run++) {
                  for (String sql : texts) {
                    result.add(sql + " query " + query(kept, sql));
                    try (Statement s = c.createStatement()) {
                      result.add(sql + " execute " + execute(s, sql));
                    }
                  }
                  for (String sql : empty) {
                    try (Statement s = c.createStatement()) {
                      result.add(sql + " query " + query(s, sql));
                    }
                    try (Statement s = c.createStatement()) {
                      result.add(sql + " execute " + execute(s, sql));
                    }
                  }
                }
              }
              return result;
            });
    // Then every run of a read answers its rows (and the file is the same: DropIn compares it)
    assertThat(outcome.result())
        .filteredOn(r -> r.startsWith("SELECT id FROM t ORDER BY id; -- the end query"))
        .containsOnly("SELECT id FROM t ORDER BY id; -- the end query id [1, 2, 3, 4]")
        .hasSize(RUNS);
  }

  @Test
  void aPlainStatementAndAPreparedOneRunTheSameTextNestedInsideEachOther() throws Exception {
    Outcome outcome =
        DropIn.same(
            db -> {
              Connection c = db.connect();
              schema(c);
              String sql = "SELECT id, name FROM t ORDER BY id";
              List<Object> result = new ArrayList<>();
              for (int run = 0; run < RUNS; run++) {
                // Given an outer result set of a plain statement, open
                try (Statement outer = c.createStatement();
                    ResultSet o = outer.executeQuery(sql)) {
                  while (o.next()) {
                    // When the same text runs inside it, prepared and plain, for each row
                    try (PreparedStatement p = c.prepareStatement(sql);
                        ResultSet i = p.executeQuery()) {
                      result.add(o.getInt(1) + " prepared " + rows(i));
                    }
                    try (Statement s = c.createStatement();
                        ResultSet i = s.executeQuery(sql)) {
                      i.next();
                      result.add(o.getString(2) + " plain " + i.getString(2));
                    }
                  }
                }
                // And the other way round: an outer prepared one, a plain one inside
                try (PreparedStatement outer = c.prepareStatement(sql);
                    ResultSet o = outer.executeQuery()) {
                  while (o.next()) {
                    try (Statement s = c.createStatement();
                        ResultSet i = s.executeQuery(sql)) {
                      result.add(o.getInt(1) + " inside prepared " + rows(i).size());
                    }
                  }
                }
              }
              return result;
            });
    // Then each outer row was read in order and each inner one saw all rows from the start
    assertThat(outcome.result())
        .filteredOn(r -> r.startsWith("3 "))
        .containsOnly("3 prepared [1|a, 2|b, 3|c, 4|null]", "3 inside prepared 4")
        .hasSize(2 * RUNS);
    assertThat(outcome.result()).filteredOn(r -> r.startsWith("c plain ")).hasSize(RUNS);
  }

  @Test
  void executeThenGetResultSetUpdateCountAndMoreResultsAnswerAsOnPlain() throws Exception {
    Outcome outcome =
        DropIn.same(
            db -> {
              Connection c = db.connect();
              schema(c);
              String sql = "SELECT name FROM t WHERE id <= 2 ORDER BY id";
              List<Object> result = new ArrayList<>();
              try (Statement s = c.createStatement()) {
                for (int run = 0; run < RUNS; run++) {
                  // Given execute(sql) of a read, its result set taken and read to its end
                  result.add(s.execute(sql));
                  result.add(s.getUpdateCount());
                  ResultSet r = s.getResultSet();
                  result.addAll(rows(r));
                  // When the statement is asked again
                  try {
                    s.getResultSet();
                    result.add("second getResultSet answered");
                  } catch (SQLException e) {
                    result.add("second getResultSet failed " + e.getErrorCode());
                  }
                  result.add(r.isClosed());
                  result.add(s.getMoreResults());
                  result.add(s.getUpdateCount());
                  result.add(r.isClosed());
                  result.add(s.getResultSet());
                  // And executed again without taking its result set, then run again
                  result.add(s.execute(sql));
                  result.add(s.execute(sql));
                  result.addAll(rows(s.getResultSet()));
                }
              }
              return result;
            });
    assertThat(outcome.result()).startsWith("true", "-1", "a", "b");
  }

  @Test
  void aResultSetReadToItsEndAndLeftOpenIsNotDisturbedByTheSameTextRunningAgain() throws Exception {
    Outcome outcome =
        DropIn.same(
            db -> {
              Connection c = db.connect();
              schema(c);
              String sql = "SELECT name FROM t WHERE id <= 2 ORDER BY id";
              List<Object> result = new ArrayList<>();
              Statement first = c.createStatement();
              result.add(query(first, sql));
              // Given a result set read to its end and not closed
              ResultSet open = first.executeQuery(sql);
              result.addAll(rows(open));
              // When the same text runs on other statements and another connection
              for (int run = 0; run < RUNS; run++) {
                try (Statement s = c.createStatement();
                    ResultSet r = s.executeQuery(sql)) {
                  result.add(r.next() + ":" + r.getString(1));
                  result.add("first next " + open.next());
                }
                try (Connection other = db.connect();
                    Statement s = other.createStatement()) {
                  result.add(query(s, sql));
                }
              }
              result.add("first closed " + open.isClosed());
              first.close();
              result.add("after close " + open.isClosed());
              return result;
            });
    assertThat(outcome.result())
        .containsExactly(
            "name [a, b]",
            "a",
            "b",
            "true:a",
            "first next false",
            "name [a, b]",
            "true:a",
            "first next false",
            "name [a, b]",
            "true:a",
            "first next false",
            "name [a, b]",
            "first closed false",
            "after close true");
  }

  @Test
  void maxRowsFetchSizeAndQueryTimeoutOfOneStatementDoNotReachTheNext() throws Exception {
    Outcome outcome =
        DropIn.same(
            db -> {
              Connection c = db.connect();
              schema(c);
              String sql = "SELECT id FROM t ORDER BY id";
              List<Object> result = new ArrayList<>();
              for (int run = 0; run < RUNS; run++) {
                // Given statements with settings, running a text that is kept
                try (Statement s = c.createStatement()) {
                  s.setMaxRows(2);
                  result.add("max rows " + query(s, sql));
                }
                try (Statement s = c.createStatement()) {
                  s.setFetchSize(1);
                  try (ResultSet r = s.executeQuery(sql)) {
                    result.add("fetch size " + r.getFetchSize() + " " + rows(r));
                  }
                }
                try (Statement s = c.createStatement()) {
                  s.setQueryTimeout(5);
                  result.add("timeout " + s.getQueryTimeout() + " " + execute(s, sql));
                }
                // When a statement without settings runs it
                try (Statement s = c.createStatement();
                    ResultSet r = s.executeQuery(sql)) {
                  r.setFetchSize(3);
                  result.add("plain " + r.getFetchSize() + " " + rows(r));
                }
                try (Statement s = c.createStatement();
                    ResultSet r = s.executeQuery(sql)) {
                  result.add("after " + r.getFetchSize() + " " + s.getMaxRows() + " " + rows(r));
                }
              }
              return result;
            });
    // Then it returns every row, with the defaults
    assertThat(outcome.result())
        .filteredOn(r -> r.startsWith("max rows ") || r.startsWith("after "))
        .containsOnly("max rows id [1, 2]", "after 0 0 [1, 2, 3, 4]")
        .hasSize(2 * RUNS);
  }

  /**
   * A difference of plain sqlite-jdbc that the cache did not make: after {@code executeQuery} of a
   * text with no statement in it, its {@code Statement} fails every later query. Sluice's runs
   * them, as a fresh statement of plain does (design.md "Compiled statements kept on readers").
   */
  @Test
  void afterAnEmptyTextPlainsStatementFailsLaterQueriesAndSluicesDoesNot() throws Exception {
    DropIn.Body body =
        db -> {
          Connection c = db.connect();
          schema(c);
          List<Object> result = new ArrayList<>();
          try (Statement s = c.createStatement()) {
            // Given a statement that ran a text with no statement in it
            result.add(query(s, ";"));
            // When it runs a read, twice
            result.add(query(s, "SELECT id FROM t WHERE id = 2"));
            result.add(query(s, "SELECT id FROM t WHERE id = 2"));
          }
          return result;
        };
    Outcome plain = DropIn.run(DropIn.Target.PLAIN, body);
    Outcome sluice = DropIn.run(DropIn.Target.SLUICE, body);
    // Then plain fails the reads and Sluice answers them
    assertThat(plain.result()).containsExactly("failed 0", "failed 0", "failed 0");
    assertThat(sluice.result()).containsExactly("failed 0", "id [2]", "id [2]");
    assertThat(sluice.content()).isEqualTo(plain.content());
  }
}
