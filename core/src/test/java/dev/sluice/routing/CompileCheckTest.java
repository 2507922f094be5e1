package dev.sluice.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.SluiceDataSource;
import dev.sluice.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * #22: which texts {@code prepareStatement} compiles once for the whole engine. A statement
 * prepared inside a write transaction, after its first statement, compiles on the writer: it is
 * remembered as compiled unless the connection has temp objects or attached databases there, which
 * no other connection sees.
 */
class CompileCheckTest {
  @RegisterExtension final TestDatabase db = new TestDatabase();

  private static final String UPDATE = "UPDATE t SET v = v + ? WHERE id = ?";

  private static Router router(Connection c) throws SQLException {
    return c.unwrap(LogicalConnection.class).router;
  }

  @Test
  void aTextPreparedInAWriteTransactionIsCompiledOnceForTheEngine() throws Exception {
    // Given a connection whose transaction holds the writer
    SluiceDataSource ds = db.dataSource();
    try (Connection c = ds.getConnection()) {
      try (Statement s = c.createStatement()) {
        s.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER)");
      }
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.executeUpdate("INSERT INTO t VALUES (1, 0)");
      }
      assertThat(router(c).compiledParameters(UPDATE)).isEqualTo(-1);

      // When a statement is prepared there
      c.prepareStatement(UPDATE).close();

      // Then its text is remembered as compiled, with its parameters
      assertThat(router(c).compiledParameters(UPDATE)).isEqualTo(2);
      c.commit();
    }
  }

  @Test
  void aTextPreparedBesideTempObjectsIsNotRememberedAndFailsElsewhereAtPrepareAsOnPlain()
      throws Exception {
    // Given a connection pinned to the writer by a temp table
    SluiceDataSource ds = db.dataSource();
    String insert = "INSERT INTO scratch VALUES (?)";
    try (Connection pinned = ds.getConnection();
        Connection other = ds.getConnection()) {
      try (Statement s = pinned.createStatement()) {
        s.execute("CREATE TEMP TABLE scratch (v INTEGER)");
      }

      // When it prepares a statement on its temp table
      pinned.prepareStatement(insert).close();

      // Then the text is not remembered, and another connection cannot prepare it
      assertThat(router(pinned).compiledParameters(insert)).isEqualTo(-1);
      try (Statement s = pinned.createStatement()) {
        s.execute("DROP TABLE scratch");
      }
      assertThatThrownBy(() -> other.prepareStatement(insert))
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("no such table")
          .extracting(e -> ((SQLException) e).getSQLState())
          .isEqualTo("42000");
    }
  }
}
