package dev.sluice;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A statement's query timeout bounds its wait for a reader as well as for the writer (issue 18):
 * past it the statement fails with 57014 and never ran, where the engine's own acquire timeout is
 * much longer.
 */
class QueryTimeoutTest {
  @RegisterExtension final TestDatabase db = new TestDatabase();

  @Test
  void aReadWaitingForTheOnlyReaderFailsWith57014AtItsQueryTimeout() throws Exception {
    // Given one reader, held by an open result set of another connection
    SluiceDataSource ds =
        db.track(db.builder().readers(1).option("sluice.reader.acquireTimeout", "30000").build());
    try (Connection holder = ds.getConnection();
        Statement hs = holder.createStatement()) {
      hs.execute("CREATE TABLE t (x)");
      hs.execute("INSERT INTO t VALUES (1), (2)");
      ResultSet open = hs.executeQuery("SELECT x FROM t");
      assertThat(open.next()).isTrue();

      // When a read with a 1 s query timeout runs on another thread
      CompletableFuture<SQLException> failure =
          CompletableFuture.supplyAsync(
              () -> {
                try (Connection c = ds.getConnection();
                    Statement s = c.createStatement()) {
                  s.setQueryTimeout(1);
                  s.executeQuery("SELECT count(*) FROM t").close();
                  return null;
                } catch (SQLException e) {
                  return e;
                }
              });

      // Then it fails with 57014 long before the reader acquire timeout, and the holder goes on
      SQLException e = failure.get(20, TimeUnit.SECONDS);
      assertThat((Throwable) e).isInstanceOf(SQLTimeoutException.class);
      assertThat(e.getSQLState()).isEqualTo("57014");
      assertThat(open.next()).isTrue();
      open.close();
    }
  }
}
