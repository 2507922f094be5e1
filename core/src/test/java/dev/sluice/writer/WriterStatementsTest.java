package dev.sluice.writer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.jdbc.Parameters;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The statements kept compiled on the writer connection ({@link WriterStatements}). */
class WriterStatementsTest {
  @TempDir Path dir;
  private Connection c;

  @BeforeEach
  void open() throws SQLException {
    c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("w.db"));
    try (Statement s = c.createStatement()) {
      s.execute("PRAGMA journal_mode=WAL");
      s.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
    }
  }

  @AfterEach
  void close() throws SQLException {
    c.close();
  }

  private long count() throws SQLException {
    try (Statement s = c.createStatement();
        var r = s.executeQuery("SELECT count(*) FROM t")) {
      r.next();
      return r.getLong(1);
    }
  }

  @Test
  void transactionControlIsCompiledOnceAndRunsAgain() throws SQLException {
    WriterStatements w = new WriterStatements(c, 8);
    PreparedStatement begin = w.take("BEGIN IMMEDIATE");
    w.give("BEGIN IMMEDIATE", begin);

    for (int i = 0; i < 3; i++) {
      w.exec("BEGIN IMMEDIATE");
      try (Statement s = c.createStatement()) {
        s.executeUpdate("INSERT INTO t (v) VALUES ('x')");
      }
      w.exec(i == 1 ? "ROLLBACK" : "COMMIT");
    }

    assertThat(count()).isEqualTo(2);
    assertThat(w.take("BEGIN IMMEDIATE")).isSameAs(begin);
  }

  @Test
  void aStatementSqliteJdbcFinalizedAfterAnErrorIsPreparedAgain() throws SQLException {
    WriterStatements w = new WriterStatements(c, 8);
    // ROLLBACK with no transaction open fails, and sqlite-jdbc finalizes the statement
    assertThatThrownBy(() -> w.exec("ROLLBACK")).isInstanceOf(SQLException.class);

    w.exec("BEGIN IMMEDIATE");
    try (Statement s = c.createStatement()) {
      s.executeUpdate("INSERT INTO t (v) VALUES ('x')");
    }
    w.exec("ROLLBACK");

    assertThat(count()).isZero();
    assertThat(c.getAutoCommit()).isTrue();
  }

  @Test
  void aParameterTheNextUserDoesNotSetIsNullNotTheLastUsersValue() throws SQLException {
    WriterStatements w = new WriterStatements(c, 8);
    String sql = "INSERT INTO t (id, v) VALUES (?, ?)";
    PreparedStatement ps = w.take(sql);
    ps.setInt(1, 1);
    ps.setString(2, "kept?");
    ps.executeUpdate();
    w.give(sql, ps);

    PreparedStatement again = w.take(sql);
    Parameters next = new Parameters();
    next.setInt(1, 2);
    next.apply(again);
    again.executeUpdate();
    w.give(sql, again);

    assertThat(again).isSameAs(ps);
    try (Statement s = c.createStatement();
        var r = s.executeQuery("SELECT v FROM t WHERE id = 2")) {
      r.next();
      assertThat(r.getString(1)).isNull();
    }
  }

  @Test
  void capacityZeroKeepsNothing() throws SQLException {
    WriterStatements w = new WriterStatements(c, 0);
    PreparedStatement first = w.take("BEGIN IMMEDIATE");
    w.give("BEGIN IMMEDIATE", first);

    assertThat(first.isClosed()).isTrue();
    w.exec("BEGIN IMMEDIATE");
    w.exec("COMMIT");
    assertThat(w.take("BEGIN IMMEDIATE")).isNotSameAs(first);
  }

  @Test
  void clearClosesEveryKeptStatement() throws SQLException {
    WriterStatements w = new WriterStatements(c, 8);
    PreparedStatement begin = w.take("BEGIN IMMEDIATE");
    PreparedStatement commit = w.take("COMMIT");
    w.give("BEGIN IMMEDIATE", begin);
    w.give("COMMIT", commit);

    w.clear();

    assertThat(begin.isClosed()).isTrue();
    assertThat(commit.isClosed()).isTrue();
  }
}
