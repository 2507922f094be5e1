package dev.sluice;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * sqlite-jdbc's {@code backup to} while 8 threads insert through group commit (issue 16): plain
 * sqlite-jdbc takes all 5 backups; through Sluice each must succeed too (it never joins a group),
 * with {@code executeUpdate} and with {@code execute}, and each backup is an intact database.
 */
class BackupUnderLoadIT {
  @RegisterExtension final TestDatabase db = new TestDatabase();

  private static long count(Path file, String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery(sql)) {
      r.next();
      return r.getLong(1);
    }
  }

  @Test
  void fiveBackupsBesideEightInsertingThreadsAllSucceedAndAreIntact() throws Exception {
    // Given 8 threads inserting in auto-commit, so that group commit is busy
    SluiceDataSource ds = db.dataSource();
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
    }
    ExecutorService pool = Executors.newFixedThreadPool(8);
    AtomicBoolean stop = new AtomicBoolean();
    CountDownLatch started = new CountDownLatch(8);
    List<Future<Integer>> writers = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      writers.add(
          pool.submit(
              () -> {
                int done = 0;
                started.countDown();
                while (!stop.get() && done < 20_000) {
                  try (Connection c = ds.getConnection();
                      PreparedStatement ps = c.prepareStatement("INSERT INTO t (v) VALUES (?)")) {
                    ps.setString(1, "row");
                    done += ps.executeUpdate();
                  }
                }
                return done;
              }));
    }
    try {
      assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();

      // When five backups run meanwhile, with executeUpdate and with execute
      List<Path> backups = new ArrayList<>();
      try (Connection c = ds.getConnection();
          Statement s = c.createStatement()) {
        for (int i = 0; i < 5; i++) {
          Path file = db.dir().resolve("backup-" + i + ".db");
          if (i % 2 == 0) {
            assertThat(s.executeUpdate("backup to '" + file + "'")).isZero();
          } else {
            assertThat(s.execute("backup to '" + file + "'")).isFalse();
          }
          backups.add(file);
        }
      }
      stop.set(true);
      long acknowledged = 0;
      for (Future<Integer> w : writers) {
        acknowledged += w.get(30, TimeUnit.SECONDS);
      }

      // Then every backup is an intact database, and every acknowledged insert is in the file
      for (Path file : backups) {
        assertThat(
                count(
                    file,
                    "SELECT count(*) FROM pragma_integrity_check WHERE integrity_check = 'ok'"))
            .isEqualTo(1);
        assertThat(count(file, "SELECT count(*) FROM t")).isBetween(0L, acknowledged);
      }
      assertThat(db.rawLong("SELECT count(*) FROM t")).isEqualTo(acknowledged);
    } finally {
      stop.set(true);
      pool.shutdownNow();
      assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    }
  }
}
