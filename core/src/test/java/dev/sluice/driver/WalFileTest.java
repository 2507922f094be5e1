package dev.sluice.driver;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading the live part of a WAL file and noticing its restart from the file alone (issue 20). */
class WalFileTest {
  @TempDir Path dir;

  @Test
  void aRestartedLogIsShorterThanItsFileAndHasNewSalts() throws Exception {
    // Given a log of a few hundred frames that no checkpoint has touched
    Path db = dir.resolve("w.db");
    Path wal = dir.resolve("w.db-wal");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        Statement s = c.createStatement()) {
      s.execute("PRAGMA journal_mode=WAL");
      s.execute("PRAGMA wal_autocheckpoint=0");
      s.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, b BLOB)");
      for (int i = 0; i < 200; i++) {
        s.execute("INSERT INTO t (b) VALUES (randomblob(3000))");
      }
      long fullFile = Files.size(wal);
      long salts = WalFile.salts(wal);
      assertThat(WalFile.liveBytes(wal)).isEqualTo(fullFile);
      assertThat(salts).isNotZero();

      // When a checkpoint restarts the log (the file keeps its size) and one row is written
      s.execute("PRAGMA wal_checkpoint(RESTART)");
      s.execute("INSERT INTO t (b) VALUES (x'00')");

      // Then the file is as long as before, but the live log is a few frames with new salts
      assertThat(Files.size(wal)).isEqualTo(fullFile);
      assertThat(WalFile.liveBytes(wal)).isPositive().isLessThan(fullFile / 10);
      assertThat(WalFile.salts(wal)).isNotEqualTo(salts);
    }
  }

  @Test
  void noLogFileIsAnEmptyLog() {
    // Given no WAL file / When read / Then nothing is live and there are no salts
    Path wal = dir.resolve("none.db-wal");
    assertThat(WalFile.liveBytes(wal)).isZero();
    assertThat(WalFile.salts(wal)).isZero();
  }
}
