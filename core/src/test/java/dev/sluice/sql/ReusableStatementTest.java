package dev.sluice.sql;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** #21: which prepared SQL may keep its compiled statement in a reader's cache. */
class ReusableStatementTest {

  private static boolean reusable(String sql) {
    return SqlClassifier.reusable(sql, SqlClassifier.classifyPrepared(sql));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "SELECT id, name FROM t WHERE id = ?",
        "SELECT count(*) FROM t",
        "SELECT a * b FROM t",
        "select a*2, b FROM t",
        "WITH x AS (SELECT 1 AS a) SELECT a FROM x",
        "SELECT '*' FROM t",
        "SELECT \"*\" FROM t",
        "SELECT /* all */ id FROM t",
        "VALUES (1)"
      })
  void namedColumnsAreReusable(String sql) {
    assertThat(reusable(sql)).as(sql).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "SELECT * FROM t",
        "select distinct * from t",
        "SELECT ALL * FROM t",
        "SELECT id, * FROM t",
        "SELECT t.* FROM t",
        "SELECT id FROM t UNION ALL SELECT * FROM u",
        "SELECT 1; SELECT 2",
        "INSERT INTO t VALUES (?)",
        "PRAGMA user_version",
        "SELECT 'unterminated"
      })
  void wildcardsWritesPragmasAndSeveralStatementsAreNot(String sql) {
    assertThat(reusable(sql)).as(sql).isFalse();
  }

  @Test
  void nullAndVeryLongSqlAreNot() {
    assertThat(reusable(null)).isFalse();
    assertThat(reusable("SELECT 1 " + " ".repeat(5000))).isFalse();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "SELECT id FROM t WHERE id = 1 /* plain */",
        "SELECT id FROM t WHERE name = ':x' /* plain */",
        "SELECT \"?\", [@x], `$x` FROM t /* plain */",
        "SELECT a$b FROM t /* plain */",
        "SELECT id FROM t; /* plain */",
        "SELECT id FROM t -- ? plain"
      })
  void aPlainStatementsReadIsReusableFromItsSecondRun(String sql) {
    Classification c = SqlClassifier.classify(sql);
    assertThat(SqlClassifier.reusablePlain(sql, c)).as("first run of %s", sql).isFalse();
    assertThat(SqlClassifier.reusablePlain(sql, c)).as("second run of %s", sql).isTrue();
    assertThat(SqlClassifier.reusablePlain(sql, c)).as("third run of %s", sql).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "SELECT id FROM t WHERE id = ? /* plain */",
        "SELECT id FROM t WHERE id = ?1 /* plain */",
        "SELECT id FROM t WHERE id = :id /* plain */",
        "SELECT id FROM t WHERE id = @id /* plain */",
        "SELECT id FROM t WHERE id = $id /* plain */",
        "SELECT id FROM t WHERE id = #id /* plain */",
        "SELECT * FROM t /* plain */",
        "SELECT 1; SELECT 2 /* plain */",
        "PRAGMA user_version /* plain */",
        "INSERT INTO t VALUES (1) /* plain */",
        "SELECT 'unterminated /* plain */"
      })
  void aPlainStatementsReadWithMarkersOrWildcardsIsNeverReusable(String sql) {
    Classification c = SqlClassifier.classify(sql);
    for (int run = 0; run < 3; run++) {
      assertThat(SqlClassifier.reusablePlain(sql, c)).as("run %s of %s", run, sql).isFalse();
    }
  }
}
