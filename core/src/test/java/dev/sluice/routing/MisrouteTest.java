package dev.sluice.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.SluiceDataSource;
import dev.sluice.TestDatabase;
import dev.sluice.sql.SqlClassifier;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The safety net behind the classifier: a write that reaches a reader (forced here by handing the
 * router a read classification) changes nothing there, runs again on the writer, and is counted.
 */
class MisrouteTest {
  @RegisterExtension final TestDatabase db = new TestDatabase();

  @Test
  void aWriteClassifiedAsAReadRunsOnTheWriterOnceAndIsCounted() throws SQLException {
    SluiceDataSource ds = db.dataSource();
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE t (x)");
      LogicalStatement logical = s.unwrap(LogicalStatement.class);
      boolean hasResultSet =
          logical.run(
              "INSERT INTO t VALUES (42)",
              SqlClassifier.classify("SELECT 1"),
              LogicalStatement.EXECUTE);
      assertThat(hasResultSet).isFalse();
      assertThat(s.getUpdateCount()).isEqualTo(1);
    }
    assertThat(db.rawLong("SELECT count(*) FROM t")).as("written once").isEqualTo(1);
    assertThat(db.registry.get("sluice.misroutes").counter().count()).isEqualTo(1);
  }
}
