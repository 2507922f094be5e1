package dev.sluice.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.SluiceDataSource;
import dev.sluice.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Leak detection of pooled readers (issue 21: Sluice's own instead of HikariCP's, which took one
 * executor lock per borrow and per return): a reader held past the threshold is reported once per
 * borrow, every borrowed reader is tracked until it goes back, and off means nothing is tracked.
 */
class ReaderHoldsTest {
  @RegisterExtension final TestDatabase db = new TestDatabase();

  @Test
  void aReaderHeldPastTheThresholdIsReportedOncePerBorrow() throws SQLException {
    // Given leak detection at 1 ms and a reader taken
    ReaderHolds holds = ReaderHolds.of("test", 1);
    try (Connection reader = db.raw()) {
      holds.taken(reader);
      // When the check runs until the reader is past the threshold, and twice more
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (holds.warnings() == 0 && System.nanoTime() < deadline) {
        holds.warnIfHeldTooLong();
      }
      holds.warnIfHeldTooLong();
      holds.warnIfHeldTooLong();
      // Then it is reported once for this borrow
      assertThat(holds.warnings()).as("once for this borrow").isEqualTo(1);
      holds.returned(reader);
      assertThat(holds.held()).isZero();
      holds.warnIfHeldTooLong();
      assertThat(holds.warnings()).as("nothing once it is back").isEqualTo(1);

      // And the next borrow of the same connection is reported again
      holds.taken(reader);
      while (holds.warnings() == 1 && System.nanoTime() < deadline) {
        holds.warnIfHeldTooLong();
      }
      assertThat(holds.warnings()).as("once more for the next borrow").isEqualTo(2);
      holds.returned(reader);
    }
  }

  @Test
  void offTracksNothing() throws SQLException {
    ReaderHolds holds = ReaderHolds.of("test", 0);
    assertThat(holds).isSameAs(ReaderHolds.NONE);
    try (Connection reader = DriverManager.getConnection(db.sqliteUrl())) {
      holds.taken(reader);
      holds.warnIfHeldTooLong();
      assertThat(holds.held()).isZero();
      assertThat(holds.warnings()).isZero();
      assertThat(holds.checkPeriodMillis()).isZero();
      holds.returned(reader);
    }
  }

  @Test
  void anOpenResultSetKeepsItsReaderTrackedUntilItCloses() throws SQLException {
    // Given an engine with leak detection at 60 s (off by default) and a table
    SluiceDataSource ds =
        db.track(db.builder().option("sluice.reader.leakDetectionThreshold", "60000").build());
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE t (x)");
      s.execute("INSERT INTO t VALUES (1), (2)");
    }
    try (Connection c = ds.getConnection()) {
      ReaderHolds holds = c.unwrap(LogicalConnection.class).router.readerHolds();
      assertThat(holds.checkPeriodMillis()).isEqualTo(1000);
      // When a read's result set stays open
      try (PreparedStatement p = c.prepareStatement("SELECT x FROM t ORDER BY x");
          ResultSet rs = p.executeQuery()) {
        assertThat(rs.next()).isTrue();
        // Then its reader is tracked
        assertThat(holds.held()).isEqualTo(1);
      }
      // And no longer once it is closed
      assertThat(holds.held()).isZero();
      holds.warnIfHeldTooLong();
      assertThat(holds.warnings()).isZero();
    }
  }
}
