package dev.sluice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * SQLITE_FULL without filling a disk: {@code PRAGMA max_page_count} caps the file. It is a
 * per-connection pragma, so through Sluice it pins the writer to the logical connection that set
 * it, until that connection closes and the writer is replaced.
 */
class DiskFullTest {
  @RegisterExtension final TestDatabase db = new TestDatabase();
  private SluiceDataSource ds;

  @BeforeEach
  void setUp() throws SQLException {
    db.rawExec("PRAGMA journal_mode=WAL", "CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)");
    ds = db.dataSource();
  }

  private static void assertFull(Throwable e) {
    assertThat(e).isInstanceOf(SQLException.class);
    SQLException sql = (SQLException) e;
    assertThat(sql.getSQLState()).isEqualTo("53100");
    assertThat(sql.getErrorCode()).isEqualTo(13);
    assertThat(sql.getMessage()).contains("full").contains("max_page_count");
  }

  private static long pageCount(Statement s) throws SQLException {
    try (ResultSet r = s.executeQuery("SELECT page_count FROM pragma_page_count()")) {
      r.next();
      return r.getLong(1);
    }
  }

  private void assertIntact() throws SQLException {
    assertThat(db.rawLong("SELECT count(*) FROM pragma_integrity_check WHERE integrity_check='ok'"))
        .isEqualTo(1);
  }

  @Test
  void fullDatabaseFailsTheInsertWith53100KeepsEarlierCommitsAndWorkContinuesOnceThereIsSpace()
      throws SQLException {
    int committed = 0;
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      for (int i = 0; i < 3; i++) {
        committed += s.executeUpdate("INSERT INTO t (v) VALUES ('before the limit')");
      }
      s.execute("PRAGMA max_page_count = " + (pageCount(s) + 4));
      SQLException full = null;
      for (int i = 0; i < 1000 && full == null; i++) {
        try {
          committed += s.executeUpdate("INSERT INTO t (v) VALUES (zeroblob(2000))");
        } catch (SQLException e) {
          full = e;
        }
      }
      assertFull(full);
      assertThat(committed).isGreaterThan(3);
      assertThat(db.rawLong("SELECT count(*) FROM t")).isEqualTo(committed);
      assertIntact();

      // Freed pages are reused under the same limit.
      committed -= s.executeUpdate("DELETE FROM t WHERE length(v) = 2000");
      committed += s.executeUpdate("INSERT INTO t (v) VALUES (zeroblob(2000))");
      assertThat(db.rawLong("SELECT count(*) FROM t")).isEqualTo(committed);

      s.execute("PRAGMA max_page_count = 1000000");
      committed += s.executeUpdate("INSERT INTO t (v) VALUES (zeroblob(100000))");
    }
    assertThat(db.rawLong("SELECT count(*) FROM t")).isEqualTo(committed);
    assertThat(db.rawLong("SELECT count(*) FROM t WHERE v = 'before the limit'")).isEqualTo(3);
    assertIntact();
  }

  @Test
  void fullInsideAUnitRollsTheWholeUnitBackAndTheReplacedWriterHasNoLimit() throws SQLException {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.executeUpdate("INSERT INTO t (v) VALUES ('committed before')");
    }
    assertThatThrownBy(
            () ->
                ds.inTransaction(
                    c -> {
                      try (Statement s = c.createStatement()) {
                        s.executeUpdate("INSERT INTO t (v) VALUES ('first of the unit')");
                        s.execute("PRAGMA max_page_count = " + (pageCount(s) + 1));
                        return s.executeUpdate("INSERT INTO t (v) VALUES (zeroblob(100000))");
                      }
                    }))
        .satisfies(DiskFullTest::assertFull);
    assertThat(db.rawLong("SELECT count(*) FROM t WHERE v = 'first of the unit'")).isZero();
    assertThat(db.rawLong("SELECT count(*) FROM t")).isEqualTo(1);

    // The unit's connection closed, so the pinned writer was replaced: the limit is gone.
    int inserted =
        ds.inTransaction(
            c -> {
              try (Statement s = c.createStatement()) {
                return s.executeUpdate("INSERT INTO t (v) VALUES (zeroblob(100000))");
              }
            });
    assertThat(inserted).isEqualTo(1);
    assertThat(db.rawLong("SELECT count(*) FROM t")).isEqualTo(2);
    assertIntact();
  }

  @Test
  void fullAutoCommitBatchChangesNothing() throws SQLException {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.executeUpdate("INSERT INTO t (v) VALUES ('committed before')");
      s.execute("PRAGMA max_page_count = " + (pageCount(s) + 2));
      s.addBatch("INSERT INTO t (v) VALUES ('batch 1')");
      s.addBatch("INSERT INTO t (v) VALUES ('batch 2')");
      s.addBatch("INSERT INTO t (v) VALUES (zeroblob(100000))");
      assertThatThrownBy(s::executeBatch)
          .isInstanceOf(BatchUpdateException.class)
          .satisfies(DiskFullTest::assertFull);
      assertThat(db.rawLong("SELECT count(*) FROM t")).isEqualTo(1);
      assertThat(s.executeUpdate("INSERT INTO t (v) VALUES ('small still fits')")).isEqualTo(1);
    }
    assertThat(db.rawLong("SELECT count(*) FROM t")).isEqualTo(2);
    assertIntact();
  }
}
