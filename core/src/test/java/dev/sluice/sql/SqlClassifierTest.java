package dev.sluice.sql;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class SqlClassifierTest {

  /** One line of {@code statements.txt}. */
  record Case(int line, StatementKind kind, String flags, boolean rejectedBySqlite, String sql) {
    @Override
    public String toString() {
      return "line " + line + ": " + sql.replace("\n", "\\n").replace("\t", "\\t");
    }
  }

  static List<Case> table() {
    List<Case> cases = new ArrayList<>();
    try (InputStream in = SqlClassifierTest.class.getResourceAsStream("statements.txt");
        BufferedReader reader =
            new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String line;
      int number = 0;
      while ((line = reader.readLine()) != null) {
        number++;
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        int bar = line.indexOf('|');
        String[] head = line.substring(0, bar).trim().split(" +", -1);
        String sql = line.substring(bar + 1);
        sql = sql.startsWith(" ") ? sql.substring(1) : sql;
        sql = sql.replace("\\n", "\n").replace("\\t", "\t");
        String flags = head[1];
        cases.add(
            new Case(
                number,
                StatementKind.valueOf(head[0]),
                flags.replace("!", ""),
                flags.endsWith("!"),
                sql));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return cases;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("table")
  void classifiesEachStatementOfTheTableAsExpected(Case c) {
    Classification result = SqlClassifier.classify(c.sql());

    assertThat(result.kind()).as("kind").isEqualTo(c.kind());
    assertThat(result.dml()).as("dml").isEqualTo(c.flags().contains("d"));
    assertThat(result.insert()).as("insert").isEqualTo(c.flags().contains("i"));
    assertThat(result.usesConnectionState())
        .as("usesConnectionState")
        .isEqualTo(c.flags().contains("c"));
    assertThat(result.multiple()).as("multiple").isEqualTo(c.flags().contains("m"));
  }

  @Test
  void theTableCoversEveryKindWithAtLeast170Statements() {
    List<Case> cases = table();

    assertThat(cases).hasSizeGreaterThanOrEqualTo(170);
    assertThat(cases.stream().map(Case::kind).distinct())
        .containsExactlyInAnyOrder(StatementKind.values());
  }

  @Test
  void everyStatementClassifiedAsReadRunsOnAQueryOnlyConnectionWithoutChangingAnything(
      @TempDir Path dir) throws SQLException {
    List<String> problems = new ArrayList<>();
    int reads = 0;
    try (ReadOnlyProbe probe = ReadOnlyProbe.open(dir)) {
      for (Case c : table()) {
        if (!SqlClassifier.classify(c.sql()).isRead()) {
          continue;
        }
        reads++;
        String problem = probe.problem(c.sql(), !c.rejectedBySqlite());
        if (problem != null) {
          problems.add(c + " -> " + problem);
        }
      }
    }

    assertThat(reads).isGreaterThan(100);
    assertThat(problems).isEmpty();
  }

  @Test
  void nullBlankAndCommentsAreEmptyAndShareOneInstance() {
    Classification empty = SqlClassifier.classify(null);

    assertThat(empty.kind()).isEqualTo(StatementKind.EMPTY);
    assertThat(SqlClassifier.classify("  -- nothing")).isSameAs(empty);
    assertThat(empty.isRead()).isFalse();
    assertThat(empty.isTransactionControl()).isFalse();
  }

  @Test
  void classificationsAreSharedInstances() {
    assertThat(SqlClassifier.classify("SELECT 1")).isSameAs(SqlClassifier.classify("VALUES (2)"));
    assertThat(SqlClassifier.classify("INSERT INTO t VALUES (1)"))
        .isSameAs(SqlClassifier.classify("REPLACE INTO u VALUES (2)"));
  }

  @Test
  void classifyAllocatesNothing() {
    String[] statements = table().stream().map(Case::sql).toArray(String[]::new);
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    int kinds = 0;
    for (String sql : statements) {
      kinds += SqlClassifier.classify(sql).kind().ordinal();
    }

    long before = threads.getCurrentThreadAllocatedBytes();
    for (int round = 0; round < 200; round++) {
      for (String sql : statements) {
        kinds += SqlClassifier.classify(sql).kind().ordinal();
      }
    }
    long allocated = threads.getCurrentThreadAllocatedBytes() - before;

    // Even 8 bytes per call would add up to more than 500 KB over these 70,000 calls.
    assertThat(allocated).as("bytes allocated").isLessThan(8 * 1024);
    assertThat(kinds).isPositive();
  }

  @Test
  void readKindsAreReadAndControlKindsAreTransactionControl() {
    for (StatementKind kind : StatementKind.values()) {
      Classification c = Classification.of(kind, 0);

      assertThat(c.isRead())
          .as(kind.name())
          .isEqualTo(kind == StatementKind.READ || kind == StatementKind.PRAGMA_READ);
      assertThat(c.isTransactionControl())
          .as(kind.name())
          .isEqualTo(
              switch (kind) {
                case BEGIN, COMMIT, ROLLBACK, SAVEPOINT, RELEASE, ROLLBACK_TO -> true;
                default -> false;
              });
    }
  }

  @Test
  void flagBitsMapToTheRecordComponents() {
    Classification c =
        Classification.of(
            StatementKind.WRITE,
            Classification.DML | Classification.USES_CONNECTION_STATE | Classification.MULTIPLE);

    assertThat(c).isEqualTo(new Classification(StatementKind.WRITE, true, false, true, true));
  }

  @Test
  void pragmaOfAMalformedExplainIsNoPragma() {
    assertThat(SqlClassifier.pragma("EXPLAIN QUERY junk")).isNull();
    assertThat(SqlClassifier.pragma("EXPLAIN QUERY")).isNull();
  }

  @Test
  void pragmaReadFormHasNoValue() {
    assertThat(SqlClassifier.pragma("PRAGMA user_version"))
        .isEqualTo(new PragmaCall(null, "user_version", null));
    assertThat(SqlClassifier.pragma("/* c */ pragma Journal_Mode;"))
        .isEqualTo(new PragmaCall(null, "journal_mode", null));
  }

  @Test
  void pragmaSchemaAndNameAreUnquotedAndTheNameIsLowerCase() {
    assertThat(SqlClassifier.pragma("pragma MAIN.Journal_Mode = WAL"))
        .isEqualTo(new PragmaCall("MAIN", "journal_mode", "WAL"));
    assertThat(SqlClassifier.pragma("PRAGMA \"main\" . \"Cache_Size\" = 10"))
        .isEqualTo(new PragmaCall("main", "cache_size", "10"));
    assertThat(SqlClassifier.pragma("PRAGMA [temp].[table_info]([t])"))
        .isEqualTo(new PragmaCall("temp", "table_info", "t"));
  }

  @Test
  void pragmaValuesKeepTheirSignAndLoseTheirQuotes() {
    assertThat(SqlClassifier.pragma("PRAGMA cache_size = -2000").value()).isEqualTo("-2000");
    assertThat(SqlClassifier.pragma("PRAGMA cache_size = - 2000").value()).isEqualTo("-2000");
    assertThat(SqlClassifier.pragma("PRAGMA mmap_size=+5").value()).isEqualTo("+5");
    assertThat(SqlClassifier.pragma("PRAGMA cache_size(-2000)").value()).isEqualTo("-2000");
    assertThat(SqlClassifier.pragma("PRAGMA journal_mode = 'wal'").value()).isEqualTo("wal");
    assertThat(SqlClassifier.pragma("PRAGMA table_info('my''table')").value())
        .isEqualTo("my'table");
    assertThat(SqlClassifier.pragma("PRAGMA table_info(\"t\")").value()).isEqualTo("t");
    assertThat(SqlClassifier.pragma("PRAGMA foreign_keys(ON)").value()).isEqualTo("ON");
    assertThat(SqlClassifier.pragma("PRAGMA busy_timeout = 100 ; -- done").value())
        .isEqualTo("100");
  }

  @Test
  void pragmaIsFoundBehindExplainAndBeforeJunkBecauseSqliteAppliesItThere() {
    assertThat(SqlClassifier.pragma("EXPLAIN QUERY PLAN PRAGMA query_only = 0"))
        .isEqualTo(new PragmaCall(null, "query_only", "0"));
    assertThat(SqlClassifier.pragma("PRAGMA query_only = 0 junk"))
        .isEqualTo(new PragmaCall(null, "query_only", "0"));
  }

  @Test
  void pragmaIsNullForAnythingElse() {
    assertThat(SqlClassifier.pragma(null)).isNull();
    assertThat(SqlClassifier.pragma("")).isNull();
    assertThat(SqlClassifier.pragma("SELECT 1")).isNull();
    assertThat(SqlClassifier.pragma("PRAGMA")).isNull();
    assertThat(SqlClassifier.pragma("PRAGMA = 1")).isNull();
    assertThat(SqlClassifier.pragma("PRAGMA main.")).isNull();
    assertThat(SqlClassifier.pragma("PRAGMA table_info(t")).isNull();
    assertThat(SqlClassifier.pragma("PRAGMA user_version = X'00'")).isNull();
    assertThat(SqlClassifier.pragma("PRAGMA journal_mode = 'wal")).isNull();
    assertThat(SqlClassifier.pragma("'PRAGMA user_version'")).isNull();
  }

  @Test
  void rewriteOfAWholeSelectOfACallKeepsTheCallAsColumnLabel() {
    assertThat(SqlClassifier.rewriteConnectionState("SELECT last_insert_rowid()", 42, 1, 9))
        .isEqualTo("SELECT 42 AS \"last_insert_rowid()\"");
    assertThat(SqlClassifier.rewriteConnectionState("select LAST_INSERT_ROWID( ) ;", 42, 1, 9))
        .isEqualTo("select 42 AS \"LAST_INSERT_ROWID( )\" ;");
    assertThat(SqlClassifier.rewriteConnectionState("/* c */ SELECT changes() -- x", 42, 3, 9))
        .isEqualTo("/* c */ SELECT 3 AS \"changes() -- x\" -- x");
    assertThat(SqlClassifier.rewriteConnectionState("SELECT total_changes()", 42, 3, -9))
        .isEqualTo("SELECT (-9) AS \"total_changes()\"");
    assertThat(SqlClassifier.rewriteConnectionState("SELECT \"changes\"()", 42, 3, 9))
        .isEqualTo("SELECT 3 AS \"\"\"changes\"\"()\"");
  }

  @Test
  void rewriteReplacesEveryCallOutsideStringsAndComments() {
    assertThat(SqlClassifier.rewriteConnectionState("SELECT last_insert_rowid() AS id", 42, 1, 9))
        .isEqualTo("SELECT 42 AS id");
    assertThat(SqlClassifier.rewriteConnectionState("SELECT changes(), total_changes()", 42, 1, 9))
        .isEqualTo("SELECT 1 AS \"changes()\", 9 AS \"total_changes()\"");
    assertThat(
            SqlClassifier.rewriteConnectionState(
                "INSERT INTO u (t_id) VALUES (last_insert_rowid())", 42, 1, 9))
        .isEqualTo("INSERT INTO u (t_id) VALUES (42)");
    assertThat(
            SqlClassifier.rewriteConnectionState(
                "SELECT 'last_insert_rowid()', Last_Insert_Rowid(/* c */) /* changes() */",
                42,
                1,
                9))
        .isEqualTo(
            "SELECT 'last_insert_rowid()', 42 AS \"Last_Insert_Rowid(/* c */) /* changes() */\""
                + " /* changes() */");
    assertThat(SqlClassifier.rewriteConnectionState("SELECT 1-changes()", 42, -5, 9))
        .isEqualTo("SELECT 1-(-5) AS \"1-changes()\"");
    assertThat(
            SqlClassifier.rewriteConnectionState(
                "INSERT INTO t (a) VALUES (1); SELECT last_insert_rowid();", 42, 1, 9))
        .isEqualTo("INSERT INTO t (a) VALUES (1); SELECT 42 AS \"last_insert_rowid()\";");
  }

  @Test
  void rewriteLeavesStoredCallsNamesAndTextWithoutCallsAlone() {
    String none = "SELECT changes FROM t WHERE a = 'changes()'";
    String trigger =
        "CREATE TRIGGER tr AFTER INSERT ON t BEGIN"
            + " INSERT INTO u (t_id) VALUES (last_insert_rowid()); END";

    assertThat(SqlClassifier.rewriteConnectionState(none, 42, 1, 9)).isSameAs(none);
    assertThat(SqlClassifier.rewriteConnectionState(trigger, 42, 1, 9)).isSameAs(trigger);
    assertThat(SqlClassifier.rewriteConnectionState("SELECT t.changes FROM t", 42, 1, 9))
        .isEqualTo("SELECT t.changes FROM t");
    assertThat(SqlClassifier.rewriteConnectionState("INSERT INTO changes(a) VALUES (1)", 42, 1, 9))
        .isEqualTo("INSERT INTO changes(a) VALUES (1)");
    assertThat(
            SqlClassifier.rewriteConnectionState(
                "CREATE VIEW w AS SELECT changes(); SELECT changes()", 42, 1, 9))
        .isEqualTo("CREATE VIEW w AS SELECT changes(); SELECT 1 AS \"changes()\"");
    assertThat(SqlClassifier.rewriteConnectionState(null, 42, 1, 9)).isNull();
  }

  @Test
  void rewrittenSelectGivesTheValueUnderTheLabelSqliteGivesTheCall(@TempDir Path dir)
      throws SQLException {
    String[] calls = {
      "SELECT last_insert_rowid()",
      "select LAST_INSERT_ROWID( )",
      "SELECT changes(/* none */)",
      "SELECT \"total_changes\"()",
    };
    try (Connection connection =
            DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("labels.db"));
        Statement statement = connection.createStatement()) {
      for (String sql : calls) {
        String expectedLabel;
        try (ResultSet rs = statement.executeQuery(sql)) {
          expectedLabel = rs.getMetaData().getColumnLabel(1);
        }

        String rewritten = SqlClassifier.rewriteConnectionState(sql, -7, -7, -7);

        try (ResultSet rs = statement.executeQuery(rewritten)) {
          assertThat(rs.next()).isTrue();
          assertThat(rs.getMetaData().getColumnLabel(1)).as(sql).isEqualTo(expectedLabel);
          assertThat(rs.getLong(1)).as(sql).isEqualTo(-7);
        }
      }
    }
  }

  @Test
  void rewriteAliasesEachChangedResultColumnWithItsTextAndNothingElse() {
    assertThat(SqlClassifier.rewriteConnectionState("SELECT  changes( ) , 1+changes()", 42, 3, 9))
        .isEqualTo("SELECT  3 AS \"changes( )\" , 1+3 AS \"1+changes()\"");
    assertThat(
            SqlClassifier.rewriteConnectionState(
                "SELECT changes() AS c, last_insert_rowid() id, changes() \"q\", a FROM t",
                42,
                3,
                9))
        .isEqualTo("SELECT 3 AS c, 42 id, 3 \"q\", a FROM t");
    assertThat(
            SqlClassifier.rewriteConnectionState(
                "SELECT a FROM t WHERE a > changes() ORDER BY changes()", 42, 3, 9))
        .isEqualTo("SELECT a FROM t WHERE a > 3 ORDER BY 3");
    assertThat(SqlClassifier.rewriteConnectionState("SELECT (SELECT changes())", 42, 3, 9))
        .isEqualTo("SELECT (SELECT 3 AS \"changes()\") AS \"(SELECT changes())\"");
    assertThat(
            SqlClassifier.rewriteConnectionState(
                "SELECT count(*) FROM t WHERE a IN (SELECT changes())", 42, 3, 9))
        .isEqualTo("SELECT count(*) FROM t WHERE a IN (SELECT 3 AS \"changes()\")");
    assertThat(
            SqlClassifier.rewriteConnectionState(
                "INSERT INTO t (a) VALUES (changes()) RETURNING a + total_changes()", 42, 3, 9))
        .isEqualTo("INSERT INTO t (a) VALUES (3) RETURNING a + 9 AS \"a + total_changes()\"");
    assertThat(SqlClassifier.rewriteConnectionState("SELECT \"changes\"() \"a\"\"b\"", 42, 3, 9))
        .isEqualTo("SELECT 3 \"a\"\"b\"");
    assertThat(SqlClassifier.rewriteConnectionState("SELECT -changes() - x", 42, -3, 9))
        .isEqualTo("SELECT -(-3) - x AS \"-changes() - x\"");
  }

  @Test
  void rewrittenQueriesGiveTheLabelsAndNamesSqliteGivesTheirCalls(@TempDir Path dir)
      throws SQLException {
    String[] queries = {
      "SELECT last_insert_rowid(), changes()",
      "SELECT  changes( ) , 1+changes()",
      "select Changes(/* c */), LAST_INSERT_ROWID( ) -- x",
      "SELECT 1 + total_changes() /* c */, 2 FROM t WHERE a < changes()",
      "SELECT changes() AS c, last_insert_rowid()",
      "SELECT changes() x, changes() \"y\", changes() 'z', changes() AS \"w\"",
      "SELECT * FROM (SELECT changes(), total_changes() + 1)",
      "SELECT (SELECT changes()), a FROM t",
      "WITH c AS (SELECT changes()) SELECT * FROM c",
      "SELECT changes() UNION ALL SELECT 5 UNION SELECT total_changes()",
      "SELECT DISTINCT changes() COLLATE nocase, changes() IS NOT NULL, changes() NOTNULL",
      "SELECT CASE WHEN changes() THEN 1 ELSE 2 END, changes() IS DISTINCT FROM 1",
      "SELECT sum(a) FILTER (WHERE a > changes()), max(changes(), a) FROM t",
      "SELECT x'00' || changes(), ?1 + changes(), changes() BETWEEN 0 AND 1",
      "INSERT INTO t (a) VALUES (7) RETURNING changes(), a+ last_insert_rowid(), a",
      "SELECT a, changes() FROM t GROUP BY a HAVING changes() >= 0 ORDER BY 1 LIMIT 1",
      "SELECT [changes](), changes() WHERE changes() >= 0 UNION SELECT 5, 6 ORDER BY 1",
      "SELECT changes() + a AS \"x\", (changes()) FROM t, (SELECT changes() AS b) ON b >= 0",
      "UPDATE t SET a = changes() WHERE a <> changes() RETURNING changes(), -a",
    };
    try (Connection connection =
            DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("labels.db"));
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE TABLE t (a INTEGER)");
      for (String sql : queries) {
        List<String> expected = labels(connection, sql);

        String rewritten = SqlClassifier.rewriteConnectionState(sql, 5, 5, 5);

        assertThat(labels(connection, rewritten)).as(rewritten).isEqualTo(expected);
      }
    }
  }

  private static List<String> labels(Connection connection, String sql) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      if (sql.contains("?1")) {
        statement.setInt(1, 1);
      }
      assertThat(statement.execute() || statement.getResultSet() != null).as(sql).isTrue();
      try (ResultSet rs = statement.getResultSet()) {
        ResultSetMetaData meta = rs.getMetaData();
        List<String> labels = new ArrayList<>();
        for (int i = 1; i <= meta.getColumnCount(); i++) {
          labels.add(meta.getColumnLabel(i) + " | " + meta.getColumnName(i));
        }
        return labels;
      }
    }
  }

  /**
   * A real SQLite file with tables t and u, index t_a and view v, read through a connection with
   * {@code query_only=1}. It reports a statement that fails with SQLITE_READONLY, or that changes
   * anything the safety net does not stop: query_only itself, attached databases, temp objects, row
   * changes, the schema, foreign_keys.
   */
  static final class ReadOnlyProbe implements AutoCloseable {
    private static final int SQLITE_READONLY = 8;
    private static final String STATE =
        "SELECT (SELECT query_only FROM pragma_query_only),"
            + " (SELECT count(*) FROM pragma_database_list WHERE name NOT IN ('main', 'temp')),"
            + " (SELECT count(*) FROM temp.sqlite_master),"
            + " total_changes(),"
            + " (SELECT schema_version FROM pragma_schema_version),"
            + " (SELECT foreign_keys FROM pragma_foreign_keys)";

    private final Connection reader;
    private final String initialState;

    private ReadOnlyProbe(Connection reader) throws SQLException {
      this.reader = reader;
      this.initialState = state();
    }

    static ReadOnlyProbe open(Path dir) throws SQLException {
      String url = "jdbc:sqlite:" + dir.resolve("probe.db");
      try (Connection writer = DriverManager.getConnection(url);
          Statement statement = writer.createStatement()) {
        statement.executeUpdate(
            "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b INTEGER, \"delete\" TEXT,"
                + " [select] TEXT, `update` TEXT, changes INTEGER)");
        statement.executeUpdate(
            "CREATE TABLE u (id INTEGER PRIMARY KEY, t_id INTEGER REFERENCES t (id), c TEXT)");
        statement.executeUpdate("CREATE INDEX t_a ON t (a)");
        statement.executeUpdate("CREATE VIEW v AS SELECT id, a FROM t");
        statement.executeUpdate(
            "INSERT INTO t (a, b, \"delete\", [select], `update`, changes) VALUES"
                + " ('x', 1, 'd1', 's1', 'u1', 0), ('y', 2, 'd2', 's2', 'u2', 1),"
                + " ('z', 3, 'd3', 's3', 'u3', 2)");
        statement.executeUpdate("INSERT INTO u (t_id, c) VALUES (1, 'p'), (2, 'q')");
      }
      Connection reader = DriverManager.getConnection(url);
      try (Statement statement = reader.createStatement()) {
        statement.executeUpdate("PRAGMA query_only = 1");
      }
      return new ReadOnlyProbe(reader);
    }

    /**
     * Runs every statement in {@code sql} to completion. Returns null if that went well, else what
     * went wrong; an error other than SQLITE_READONLY is tolerated unless {@code mustSucceed}.
     */
    String problem(String sql, boolean mustSucceed) throws SQLException {
      try (Statement statement = reader.createStatement()) {
        // sqlite-jdbc's executeUpdate runs all statements of the text through sqlite3_exec.
        statement.executeUpdate(sql);
      } catch (SQLException e) {
        if (e.getErrorCode() == SQLITE_READONLY) {
          return "SQLITE_READONLY: " + e.getMessage();
        }
        if (mustSucceed) {
          return "failed: " + e.getMessage();
        }
      }
      String now = state();
      return now.equals(initialState) ? null : "changed " + initialState + " to " + now;
    }

    private String state() throws SQLException {
      try (Statement statement = reader.createStatement();
          ResultSet rs = statement.executeQuery(STATE)) {
        rs.next();
        StringBuilder state = new StringBuilder();
        for (int i = 1; i <= 6; i++) {
          state.append(i == 1 ? "[" : ", ").append(rs.getString(i));
        }
        return state.append(']').toString();
      }
    }

    @Override
    public void close() throws SQLException {
      reader.close();
    }
  }
}
