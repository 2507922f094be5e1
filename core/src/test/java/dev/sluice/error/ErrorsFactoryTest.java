package dev.sluice.error;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransientConnectionException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/** Each factory of {@link Errors} once: type, SQLState, vendor code, cause and message. */
class ErrorsFactoryTest {
  @TempDir Path dir;

  @Test
  void closedIs08003() {
    SQLNonTransientConnectionException e = Errors.closed("Statement");

    assertThat(e.getSQLState()).isEqualTo("08003");
    assertThat(e.getMessage()).isEqualTo("Statement is closed.");
  }

  @Test
  void readOnlyViolationIs25006AndCutsTheSql() {
    String sql = "INSERT INTO t VALUES (" + "1, ".repeat(100) + "1)";

    SQLException e = Errors.readOnlyViolation(sql, null);

    assertThat((Throwable) e).isExactlyInstanceOf(SQLException.class);
    assertThat(e.getSQLState()).isEqualTo("25006");
    assertThat(e.getMessage())
        .contains(sql.substring(0, 200) + "...")
        .doesNotContain(sql)
        .contains("read-write transaction");
  }

  @Test
  void writerTimeoutIsTransient08001WithQueueAndHolder() {
    Throwable acquiredAt = new Throwable("acquired here");

    SQLTransientConnectionException e =
        Errors.writerTimeout(5000, 12, 7400, "worker-3", acquiredAt);

    assertThat(e.getSQLState()).isEqualTo("08001");
    assertThat(e.getCause()).isSameAs(acquiredAt);
    assertThat(e.getMessage())
        .isEqualTo(
            "Writer not available after 5000 ms (12 waiting; held 7400 ms by \"worker-3\")."
                + " Shorten transactions or raise sluice.writer.acquireTimeout.");
  }

  @Test
  void writerTimeoutWithoutHolderLeavesHolderOut() {
    SQLTransientConnectionException e = Errors.writerTimeout(250, 0, 0, null, null);

    assertThat(e.getMessage())
        .startsWith("Writer not available after 250 ms (0 waiting).")
        .doesNotContain("null");
  }

  @Test
  void writerReentryIs25001AndExplainsTheDeadlock() {
    SQLException e = Errors.writerReentry("main");

    assertThat(e.getSQLState()).isEqualTo("25001");
    assertThat(e.getMessage())
        .contains(
            "\"main\"",
            "would deadlock",
            "REQUIRES_NEW",
            "Reuse the outer connection",
            "after the outer transaction commits");
  }

  @Test
  void cannotOpenIs08001AndCopiesTheVendorCode() {
    SQLException cause =
        catchThrowableOfType(
            SQLException.class,
            () -> DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("no/such.db")));

    SQLNonTransientConnectionException e = Errors.cannotOpen("Cannot open no/such.db.", cause);

    assertThat(e.getSQLState()).isEqualTo("08001");
    assertThat(e.getErrorCode()).isEqualTo(14);
    assertThat(e.getCause()).isSameAs(cause);
    assertThat(e.getMessage()).isEqualTo("Cannot open no/such.db.");
  }

  @Test
  void invalidOptionNamesOptionRequirementAndValue() {
    SQLNonTransientConnectionException e =
        Errors.invalidOption("sluice.writer.acquireTimeout", "-5", "must be > 0 ms");

    assertThat(e.getSQLState()).isEqualTo("08001");
    assertThat(e.getMessage()).isEqualTo("sluice.writer.acquireTimeout must be > 0 ms (was -5)");
  }

  @Test
  void unknownOptionListsKnownOptionsSorted() {
    SQLNonTransientConnectionException e =
        Errors.unknownOption(
            "sluice.writr",
            List.of("sluice.writer.acquireTimeout", "sluice.name", "sluice.readers"));

    assertThat(e.getSQLState()).isEqualTo("08001");
    assertThat(e.getMessage())
        .startsWith("Unknown option sluice.writr.")
        .contains("sluice.name, sluice.readers, sluice.writer.acquireTimeout.");
  }

  @Test
  void pragmaMismatchOnWalBlamesTheFileSystemAndNamesTheRelaxOption() {
    SQLNonTransientConnectionException e =
        Errors.pragmaMismatch("journal_mode", "wal", "delete", "sluice.pragma.relax=journal_mode");

    assertThat(e.getSQLState()).isEqualTo("08001");
    assertThat(e.getMessage())
        .isEqualTo(
            "PRAGMA journal_mode is delete, wanted wal. WAL cannot be used on this file system"
                + " (network share?); use a local disk or relax it with"
                + " sluice.pragma.relax=journal_mode.");
  }

  @Test
  void pragmaMismatchOnMemoryAndOtherPragmas() {
    assertThat(Errors.pragmaMismatch("journal_mode", "wal", "memory", null).getMessage())
        .contains("in-memory database cannot use WAL; use a file.");
    assertThat(
            Errors.pragmaMismatch("synchronous", "1", "2", "sluice.pragma.relax=synchronous")
                .getMessage())
        .startsWith("PRAGMA synchronous is 2, wanted 1.")
        .endsWith("relax it with sluice.pragma.relax=synchronous.");
  }

  @Test
  void pragmaRefusedIs0A000AndNamesTheOption() {
    SQLFeatureNotSupportedException e = Errors.pragmaRefused("Journal_Mode", "wal", "delete");

    assertThat(e.getSQLState()).isEqualTo("0A000");
    assertThat(e.getMessage())
        .contains("Journal_Mode=delete refused", "Sluice enforces Journal_Mode=wal")
        .endsWith("Set sluice.pragma.journal_mode instead.");
  }

  @Test
  void unsupportedIs0A000() {
    SQLFeatureNotSupportedException e = Errors.unsupported("Connection.abort");

    assertThat(e.getSQLState()).isEqualTo("0A000");
    assertThat(e.getMessage()).isEqualTo("Connection.abort is not supported.");
  }

  @Test
  void busyInTransactionIs40001WithVendorCode5() throws SQLException {
    SQLException busy = realBusy();

    SQLException e = Errors.busyInTransaction(Errors.translate(busy));

    assertThat((Throwable) e).isInstanceOf(SQLiteException.class);
    assertThat(((SQLiteException) e).getResultCode()).isEqualTo(SQLiteErrorCode.SQLITE_BUSY);
    assertThat(e.getSQLState()).isEqualTo("40001");
    assertThat(e.getErrorCode()).isEqualTo(5);
    assertThat(e.getCause().getCause()).isSameAs(busy);
    assertThat(e.getMessage())
        .startsWith(busy.getMessage() + " inside a transaction.")
        .contains("retry the whole unit of work");
  }

  @Test
  void retriesExhaustedSaysHowManyAttemptsOverHowLong() throws SQLException {
    SQLException busy = realBusy();

    SQLException e = Errors.retriesExhausted(busy, 5, 1830);

    assertThat((Throwable) e).isInstanceOf(SQLiteException.class);
    assertThat(e.getSQLState()).isEqualTo("40001");
    assertThat(e.getErrorCode()).isEqualTo(5);
    assertThat(e.getCause()).isSameAs(busy);
    assertThat(e.getMessage())
        .startsWith("Gave up after 5 attempts over 1830 ms: [SQLITE_BUSY]")
        .contains("retry the unit of work later");
  }

  @Test
  void interruptedIs57014AndSetsTheFlagAgain() {
    InterruptedException cause = new InterruptedException();

    SQLException e = Errors.interrupted("the writer", cause);
    boolean flagSet = Thread.interrupted();

    assertThat(flagSet).isTrue();
    assertThat((Throwable) e).isExactlyInstanceOf(SQLTimeoutException.class);
    assertThat(e.getSQLState()).isEqualTo("57014");
    assertThat(e.getCause()).isSameAs(cause);
    assertThat(e.getMessage()).startsWith("Interrupted while waiting for the writer;");
  }

  @Test
  void abbreviateKeepsShortSqlAndCutsLongSql() {
    assertThat(Errors.abbreviate(null)).isEmpty();
    assertThat(Errors.abbreviate("x".repeat(200))).hasSize(200);
    assertThat(Errors.abbreviate("x".repeat(201))).isEqualTo("x".repeat(200) + "...");
  }

  private SQLException realBusy() throws SQLException {
    String url = "jdbc:sqlite:" + dir.resolve("busy.db");
    try (Connection holder = DriverManager.getConnection(url);
        Connection blocked = DriverManager.getConnection(url + "?busy_timeout=0")) {
      holder.createStatement().execute("CREATE TABLE t (x INT)");
      holder.createStatement().execute("BEGIN IMMEDIATE");
      SQLException busy =
          catchThrowableOfType(
              SQLException.class,
              () -> blocked.createStatement().execute("INSERT INTO t VALUES (1)"));
      holder.createStatement().execute("ROLLBACK");
      assertThat((Throwable) busy).isInstanceOf(SQLiteException.class);
      return busy;
    }
  }
}
