package dev.sluice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The driver through {@link DriverManager} only, as an application that swapped its URL. */
class DriverTest {
  @RegisterExtension final TestDatabase db = new TestDatabase();

  @Test
  void connectionsForTheSameUrlShareOneWriter() throws Exception {
    String url = db.sluiceUrl("sluice.writer.acquireTimeout=300");
    try (Connection a = DriverManager.getConnection(url);
        Statement s = a.createStatement()) {
      s.execute("CREATE TABLE t (x)");
      a.setAutoCommit(false);
      s.executeUpdate("INSERT INTO t VALUES (1)");
      ExecutorService other = Executors.newSingleThreadExecutor();
      try {
        Throwable failure =
            other
                .submit(
                    () -> {
                      try (Connection b = DriverManager.getConnection(url);
                          Statement bs = b.createStatement()) {
                        bs.executeUpdate("INSERT INTO t VALUES (2)");
                        return null;
                      } catch (SQLException e) {
                        return e;
                      }
                    })
                .get(10, TimeUnit.SECONDS);
        // Held by "a" through the same engine: the writer queue, not a SQLite lock, answered.
        assertThat(failure)
            .isInstanceOf(SQLTransientConnectionException.class)
            .hasMessageContaining("Writer not available");
      } finally {
        other.shutdown();
      }
      a.commit();
    }
    assertThat(db.rawLong("SELECT count(*) FROM t")).isEqualTo(1);
  }

  @Test
  void closeCheckpointsTheWalAndRefusesNewWork() throws Exception {
    SluiceDataSource ds = db.builder().build();
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE t (x)");
      for (int i = 0; i < 100; i++) {
        s.executeUpdate("INSERT INTO t VALUES (" + i + ")");
      }
    }
    Path wal = Path.of(db.file() + "-wal");
    assertThat(Files.size(wal)).isPositive();
    ds.close();
    assertThat(Files.exists(wal) ? Files.size(wal) : 0).isZero();
    assertThatThrownBy(ds::getConnection)
        .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("08003"));
    assertThat(db.rawLong("SELECT count(*) FROM t")).isEqualTo(100);
  }

  @Test
  void unwrapNeverExposesThePool() throws SQLException {
    SluiceDataSource ds = db.dataSource();
    assertThat(ds.isWrapperFor(com.zaxxer.hikari.HikariDataSource.class)).isFalse();
    assertThatThrownBy(() -> ds.unwrap(com.zaxxer.hikari.HikariDataSource.class))
        .isInstanceOf(java.sql.SQLFeatureNotSupportedException.class);
    try (Connection c = ds.getConnection()) {
      assertThatThrownBy(() -> c.unwrap(org.sqlite.SQLiteConnection.class))
          .isInstanceOf(java.sql.SQLFeatureNotSupportedException.class);
    }
  }
}
