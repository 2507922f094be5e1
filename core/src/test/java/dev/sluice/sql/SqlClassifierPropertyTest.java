package dev.sluice.sql;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Generated statements: writes dressed up with random case, comments, whitespace, CTEs and reads
 * around them are never reads; reads dressed up the same way stay reads; and random token soup
 * classified as a read changes nothing on a real query-only connection. Seeded, so a failure
 * repeats.
 */
class SqlClassifierPropertyTest {

  private static final int CASES = 5_000;

  // Tokens are separated by single spaces so that random separators can replace them.
  private static final String[] DML = {
    "INSERT INTO t ( a ) VALUES ( 'x' )",
    "INSERT OR REPLACE INTO t ( id , a ) VALUES ( 1 , 'select' )",
    "INSERT OR IGNORE INTO t ( id ) VALUES ( 1 ) RETURNING id",
    "INSERT INTO t ( id ) VALUES ( 1 ) ON CONFLICT ( id ) DO UPDATE SET b = 2",
    "INSERT INTO t DEFAULT VALUES",
    "REPLACE INTO t ( id ) VALUES ( 2 )",
    "UPDATE t SET a = 'y' WHERE id = 1",
    "UPDATE OR ROLLBACK t SET b = b + 1 RETURNING *",
    "DELETE FROM t WHERE a = 'SELECT'",
    "DELETE FROM t WHERE id IN ( SELECT t_id FROM u )",
  };

  private static final String[] OTHER_WRITES = {
    "CREATE TABLE x ( a )",
    "CREATE TEMP TABLE x ( a )",
    "CREATE INDEX temp . i ON x ( a )",
    "CREATE TRIGGER tr AFTER INSERT ON t BEGIN DELETE FROM u ; SELECT 1 ; END",
    "DROP TABLE t",
    "ALTER TABLE t ADD COLUMN z",
    "ANALYZE",
    "REINDEX",
    "VACUUM",
    "VACUUM INTO 'f.db'",
    "ATTACH ':memory:' AS aux",
    "DETACH aux",
    "BEGIN IMMEDIATE",
    "COMMIT",
    "END TRANSACTION",
    "ROLLBACK",
    "SAVEPOINT s",
    "RELEASE s",
    "ROLLBACK TO s",
    "PRAGMA foreign_keys = OFF",
    "PRAGMA query_only = 0",
    "PRAGMA query_only = 0 junk",
    "PRAGMA main . cache_size ( -1 )",
    "PRAGMA optimize",
    "PRAGMA wal_checkpoint ( TRUNCATE )",
    "EXPLAIN PRAGMA query_only = 0",
    "EXPLAIN QUERY PLAN PRAGMA foreign_keys = 1",
    "SELECT load_extension ( 'x' )",
    "SELECT * FROM pragma_optimize",
    "BACKUP TO 'x.db'",
    "SELECT 'unterminated",
  };

  private static final String[] CTES = {
    "WITH c AS ( SELECT 1 )",
    "WITH RECURSIVE c ( n ) AS ( SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 3 )",
    "WITH a AS MATERIALIZED ( SELECT ')' ) , b AS NOT MATERIALIZED ( SELECT '(' )",
    "WITH \"select\" AS ( VALUES ( 1 ) ) , [delete] ( x ) AS ( SELECT 2 )",
  };

  private static final String[] READS = {
    "SELECT 1",
    "SELECT 'x;y' , \"delete\" FROM t",
    "VALUES ( 1 ) , ( 2 )",
    "PRAGMA user_version",
    "PRAGMA table_info ( t )",
    "EXPLAIN DELETE FROM t",
    "EXPLAIN QUERY PLAN INSERT INTO t ( a ) VALUES ( 1 )",
    "WITH c AS ( SELECT 1 ) SELECT * FROM c",
    "SELECT changes ( ) , last_insert_rowid ( )",
  };

  private static final String[] SEPARATORS = {
    " ",
    "  ",
    "\n",
    "\t",
    "\r\n",
    "/* c */",
    "/* ; DELETE FROM t */",
    "-- ; DROP TABLE t\n",
    "/**/",
  };

  private static final String[] SOUP = {
    "SELECT",
    "INSERT",
    "INTO",
    "t",
    "u",
    "VALUES",
    "(",
    ")",
    ";",
    ",",
    "1",
    "-1",
    "'x'",
    "\"a\"",
    "PRAGMA",
    "query_only",
    "foreign_keys",
    "user_version",
    "=",
    "0",
    "EXPLAIN",
    "QUERY",
    "PLAN",
    "WITH",
    "c",
    "AS",
    "CREATE",
    "TEMP",
    "TABLE",
    "temp",
    ".",
    "x",
    "DELETE",
    "FROM",
    "UPDATE",
    "SET",
    "a",
    "BEGIN",
    "END",
    "ATTACH",
    "':memory:'",
    "DETACH",
    "aux",
    "/* c */",
    "-- c\n",
    "*",
    "changes",
    "load_extension",
    "pragma_optimize",
    "REPLACE",
    "TRIGGER",
    "ON",
    "AFTER",
    "VACUUM",
    "SAVEPOINT",
    "RELEASE",
    "ROLLBACK",
    "TO",
    "MATERIALIZED",
    "NOT",
    "RECURSIVE",
  };

  private static final String[] OPENERS = {
    "SELECT", "VALUES", "WITH", "EXPLAIN", "EXPLAIN QUERY PLAN", "PRAGMA", "(", "SELECT 1 ;",
  };

  @Test
  void writesInAnyDisguiseAreNeverReads() {
    Random random = new Random(20_251_123L);
    List<String> misclassified = new ArrayList<>();
    for (int i = 0; i < CASES; i++) {
      boolean dml = random.nextInt(10) < 6;
      String write =
          dml
              ? (random.nextBoolean() ? pick(random, CTES) + " " : "") + pick(random, DML)
              : pick(random, OTHER_WRITES);
      int readsBefore = random.nextInt(3);
      boolean readAfter = random.nextInt(3) == 0;
      String sql = disguise(random, write, readsBefore, readAfter);

      Classification c = SqlClassifier.classify(sql);

      // An unterminated string swallows what follows it, up to a quote in a later statement.
      boolean swallows = write.endsWith("'unterminated");
      boolean expectedMultiple = readsBefore > 0 || readAfter;
      if (c.isRead() || (dml && !c.dml()) || (!swallows && c.multiple() != expectedMultiple)) {
        misclassified.add(c + " <- " + sql);
      }
    }

    assertThat(misclassified).isEmpty();
  }

  @Test
  void readsInTheSameDisguisesStayReads() {
    Random random = new Random(7L);
    List<String> misclassified = new ArrayList<>();
    for (int i = 0; i < CASES; i++) {
      int readsBefore = random.nextInt(3);
      String sql = disguise(random, pick(random, READS), readsBefore, random.nextInt(3) == 0);

      Classification c = SqlClassifier.classify(sql);

      if (!c.isRead() || c.dml()) {
        misclassified.add(c + " <- " + sql);
      }
    }

    assertThat(misclassified).isEmpty();
  }

  @Test
  void tokenSoupClassifiedAsReadChangesNothingOnAQueryOnlyConnection(@TempDir Path dir)
      throws SQLException {
    Random random = new Random(42L);
    List<String> problems = new ArrayList<>();
    int reads = 0;
    try (SqlClassifierTest.ReadOnlyProbe probe = SqlClassifierTest.ReadOnlyProbe.open(dir)) {
      for (int i = 0; i < CASES; i++) {
        // Mostly start like a read, so that the soup probes what could pass for one.
        StringBuilder sql = new StringBuilder();
        if (random.nextInt(4) != 0) {
          sql.append(pick(random, OPENERS)).append(pick(random, SEPARATORS));
        }
        int tokens = 1 + random.nextInt(8);
        for (int t = 0; t < tokens; t++) {
          sql.append(pick(random, SOUP)).append(pick(random, SEPARATORS));
        }

        if (SqlClassifier.classify(sql.toString()).isRead()) {
          reads++;
          String problem = probe.problem(sql.toString(), false);
          if (problem != null) {
            problems.add(problem + " <- " + sql);
          }
        }
      }
    }

    assertThat(reads).isGreaterThan(50);
    assertThat(problems).isEmpty();
  }

  /** Reads with ';' before and after, random separators and prefixes, random case. */
  private static String disguise(Random random, String statement, int readsBefore, boolean after) {
    StringBuilder sql = new StringBuilder();
    int prefixes = random.nextInt(3);
    for (int i = 0; i < prefixes; i++) {
      sql.append(pick(random, SEPARATORS));
    }
    for (int i = 0; i < readsBefore; i++) {
      append(random, sql, pick(random, READS));
      sql.append(pick(random, SEPARATORS)).append(';').append(pick(random, SEPARATORS));
    }
    append(random, sql, statement);
    if (after) {
      sql.append(pick(random, SEPARATORS)).append(';').append(pick(random, SEPARATORS));
      append(random, sql, pick(random, READS));
    }
    if (random.nextBoolean()) {
      sql.append(pick(random, SEPARATORS)).append(';').append(pick(random, SEPARATORS));
    }
    return sql.toString();
  }

  private static void append(Random random, StringBuilder sql, String statement) {
    String[] tokens = statement.split(" ", -1);
    for (int i = 0; i < tokens.length; i++) {
      if (i > 0) {
        sql.append(pick(random, SEPARATORS));
      }
      sql.append(randomCase(random, tokens[i]));
    }
  }

  private static String randomCase(Random random, String token) {
    if (token.startsWith("'") || token.startsWith("\"")) {
      return token;
    }
    StringBuilder out = new StringBuilder(token.length());
    for (int i = 0; i < token.length(); i++) {
      String s = String.valueOf(token.charAt(i));
      out.append(random.nextBoolean() ? s.toUpperCase(Locale.ROOT) : s.toLowerCase(Locale.ROOT));
    }
    return out.toString();
  }

  private static String pick(Random random, String[] from) {
    return from[random.nextInt(from.length)];
  }
}
