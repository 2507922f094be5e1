package dev.sluice.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.mock;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link LogicalResultSet} over a real sqlite-jdbc result set changes only what it should. */
class LogicalResultSetTest {
  @TempDir Path dir;
  private Connection connection;
  private Statement physicalStatement;
  private Statement logicalStatement;
  private final AtomicInteger releases = new AtomicInteger();

  @BeforeEach
  void openDatabase() throws SQLException {
    connection = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("test.db"));
    try (Statement setup = connection.createStatement()) {
      setup.executeUpdate("CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT)");
      setup.executeUpdate("INSERT INTO t VALUES (1, 'one'), (2, NULL), (3, 'three')");
    }
    physicalStatement = connection.createStatement();
    // A second real statement stands in for the logical one: only its identity matters here.
    logicalStatement = connection.createStatement();
  }

  @AfterEach
  void closeDatabase() throws SQLException {
    connection.close();
  }

  private LogicalResultSet query() throws SQLException {
    ResultSet physical = physicalStatement.executeQuery("SELECT id, name FROM t ORDER BY id");
    return new LogicalResultSet(physical, logicalStatement, releases::incrementAndGet);
  }

  @Test
  void readsTheRowsOfARealSqliteResultSet() throws SQLException {
    // Given a logical result set over a real query
    try (ResultSet rs = query()) {
      // When all rows are read through it
      long idSum = 0;
      List<String> names = new ArrayList<>();
      int nulls = 0;
      while (rs.next()) {
        idSum += rs.getLong("id");
        names.add(rs.getString(2));
        nulls += rs.wasNull() ? 1 : 0;
      }

      // Then they are the table's rows
      assertThat(idSum).isEqualTo(6);
      assertThat(names).containsExactly("one", null, "three");
      assertThat(nulls).isEqualTo(1);
      assertThat(rs.getMetaData().getColumnCount()).isEqualTo(2);
      assertThat(rs.findColumn("name")).isEqualTo(2);
    }
  }

  @Test
  void closeClosesThePhysicalResultSetFirstAndReleasesExactlyOnce() throws SQLException {
    // Given a logical result set whose release sees whether the physical one is closed
    ResultSet physical = physicalStatement.executeQuery("SELECT id FROM t");
    List<Boolean> physicalClosedAtRelease = new ArrayList<>();
    LogicalResultSet rs =
        new LogicalResultSet(
            physical,
            logicalStatement,
            () -> {
              releases.incrementAndGet();
              physicalClosedAtRelease.add(physical.isClosed());
            });

    // When it is closed twice
    rs.close();
    rs.close();

    // Then the release ran once, after the physical close
    assertThat(releases).hasValue(1);
    assertThat(physicalClosedAtRelease).containsExactly(true);
    assertThat(physical.isClosed()).isTrue();
  }

  @Test
  void afterCloseIsClosedIsTrueAndOtherCallsFailWith08003() throws SQLException {
    // Given a closed logical result set
    LogicalResultSet rs = query();
    rs.close();

    // Then it says so, and every other use fails as closed
    assertThat(rs.isClosed()).isTrue();
    for (ThrowingCall call :
        List.<ThrowingCall>of(
            rs::next,
            () -> rs.getInt(1),
            () -> rs.getString("name"),
            rs::getMetaData,
            rs::getStatement,
            rs::getWarnings)) {
      assertThatThrownBy(call::run)
          .isInstanceOf(SQLNonTransientConnectionException.class)
          .hasMessageContaining("ResultSet is closed")
          .extracting(e -> ((SQLException) e).getSQLState())
          .isEqualTo("08003");
    }
    assertThat(releases).hasValue(1);
  }

  @Test
  void getStatementIsTheLogicalStatement() throws SQLException {
    try (ResultSet rs = query()) {
      assertThat(rs.getStatement()).isSameAs(logicalStatement).isNotSameAs(physicalStatement);
    }
  }

  @Test
  void unwrapGivesItselfButNeverThePhysicalResultSet() throws SQLException {
    // Given a logical result set over a sqlite-jdbc one
    try (ResultSet physical = physicalStatement.executeQuery("SELECT 1");
        LogicalResultSet rs = new LogicalResultSet(physical, logicalStatement, () -> {})) {
      Class<? extends ResultSet> physicalType = physical.getClass();

      // Then it unwraps to its own types only
      assertThat(rs.isWrapperFor(ResultSet.class)).isTrue();
      assertThat(rs.isWrapperFor(LogicalResultSet.class)).isTrue();
      assertThat(rs.unwrap(ResultSet.class)).isSameAs(rs);
      assertThat(rs.unwrap(LogicalResultSet.class)).isSameAs(rs);
      assertThat(rs.isWrapperFor(physicalType)).isFalse();
      assertThat(rs.isWrapperFor(null)).isFalse();
      assertThatThrownBy(() -> rs.unwrap(physicalType))
          .isInstanceOf(SQLFeatureNotSupportedException.class)
          .hasMessageContaining(physicalType.getName())
          .extracting(e -> ((SQLException) e).getSQLState())
          .isEqualTo("0A000");
    }
  }

  @Test
  void releaseRunsWhenThePhysicalCloseFailsAndTheFirstFailureIsThrown() throws SQLException {
    // Given a physical result set whose close fails (a mock: a real one cannot be made to fail)
    ResultSet physical = mock(ResultSet.class);
    SQLException closeFailure = new SQLException("close failed");
    doThrow(closeFailure).when(physical).close();
    SQLException releaseFailure = new SQLException("release failed");
    LogicalResultSet rs =
        new LogicalResultSet(
            physical,
            logicalStatement,
            () -> {
              releases.incrementAndGet();
              throw releaseFailure;
            });

    // When it is closed, then the close failure is thrown with the release failure suppressed
    assertThatThrownBy(rs::close).isSameAs(closeFailure);
    assertThat(closeFailure.getSuppressed()).containsExactly(releaseFailure);
    assertThat(releases).hasValue(1);
    assertThat(rs.isClosed()).isTrue();

    // And a second close does nothing
    rs.close();
    assertThat(releases).hasValue(1);
  }

  @Test
  void aFailingReleaseAloneIsThrown() throws SQLException {
    // Given a release that fails
    SQLException releaseFailure = new SQLException("release failed");
    LogicalResultSet rs =
        new LogicalResultSet(
            physicalStatement.executeQuery("SELECT 1"),
            logicalStatement,
            () -> {
              throw releaseFailure;
            });

    // Then closing throws its failure
    assertThatThrownBy(rs::close).isSameAs(releaseFailure);
    assertThat(rs.isClosed()).isTrue();
  }

  @FunctionalInterface
  interface ThrowingCall {
    Object run() throws SQLException;
  }
}
