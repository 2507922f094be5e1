package dev.sluice.error;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;
import org.sqlite.SQLiteOpenMode;

/** {@link SqliteCodes} on real sqlite-jdbc errors, raw and after {@link Errors} wrapped them. */
class SqliteCodesTest {
  @TempDir Path dir;

  private String url;
  private Connection connection;
  private Statement statement;

  @BeforeEach
  void openDatabase() throws SQLException {
    url = "jdbc:sqlite:" + dir.resolve("test.db");
    connection = DriverManager.getConnection(url + "?busy_timeout=0");
    statement = connection.createStatement();
    statement.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, code TEXT UNIQUE)");
    statement.execute("INSERT INTO t VALUES (1, 'a')");
  }

  @AfterEach
  void closeDatabase() throws SQLException {
    connection.close();
  }

  @Test
  void uniqueViolationHasExtendedAndPrimaryCodeRawAndTranslated() {
    SQLException raw = failure(() -> statement.execute("INSERT INTO t VALUES (2, 'a')"));
    SQLException translated = Errors.translate(raw);

    assertThat(SqliteCodes.extended(raw)).isEqualTo(SqliteCodes.CONSTRAINT_UNIQUE);
    assertThat(SqliteCodes.primary(raw)).isEqualTo(SqliteCodes.CONSTRAINT);
    assertThat(SqliteCodes.extended(translated)).isEqualTo(SqliteCodes.CONSTRAINT_UNIQUE);
    assertThat(SqliteCodes.primary(translated)).isEqualTo(SqliteCodes.CONSTRAINT);
    assertThat(SqliteCodes.isBusyOrLocked(translated)).isFalse();
    assertThat(SqliteCodes.isConnectionBroken(translated)).isFalse();
  }

  @Test
  void busyIsFoundRawTranslatedAndWrappedTwice() throws SQLException {
    SQLException raw;
    try (Connection holder = DriverManager.getConnection(url)) {
      holder.createStatement().execute("BEGIN IMMEDIATE");
      raw = failure(() -> statement.execute("INSERT INTO t VALUES (3, 'c')"));
      holder.createStatement().execute("ROLLBACK");
    }
    SQLException translated = Errors.translate(raw);
    SQLException wrappedTwice = Errors.busyInTransaction(translated);

    for (SQLException e : new SQLException[] {raw, translated, wrappedTwice}) {
      assertThat(SqliteCodes.primary(e)).isEqualTo(SqliteCodes.BUSY);
      assertThat(SqliteCodes.isBusy(e)).isTrue();
      assertThat(SqliteCodes.isLocked(e)).isFalse();
      assertThat(SqliteCodes.isBusyOrLocked(e)).isTrue();
      assertThat(SqliteCodes.isReadOnly(e)).isFalse();
      assertThat(SqliteCodes.isConnectionBroken(e)).isFalse();
    }
  }

  @Test
  void lockedIsLockedNotBusy() throws SQLException {
    SQLException raw;
    try (var open = statement.executeQuery("SELECT * FROM t")) {
      open.next();
      raw = failure(() -> connection.createStatement().execute("DROP TABLE t"));
    }

    assertThat(SqliteCodes.isLocked(raw)).isTrue();
    assertThat(SqliteCodes.isBusy(raw)).isFalse();
    assertThat(SqliteCodes.isBusyOrLocked(Errors.translate(raw))).isTrue();
  }

  @Test
  void readOnlyIsFoundThroughReadOnlyViolation() throws SQLException {
    statement.execute("PRAGMA query_only = 1");
    SQLException raw = failure(() -> statement.execute("INSERT INTO t VALUES (4, 'd')"));

    SQLException violation = Errors.readOnlyViolation("INSERT INTO t VALUES (4, 'd')", raw);

    assertThat(SqliteCodes.isReadOnly(raw)).isTrue();
    assertThat(SqliteCodes.isReadOnly(violation)).isTrue();
    assertThat(SqliteCodes.isBusyOrLocked(violation)).isFalse();
  }

  @Test
  void notADatabaseBreaksTheConnection() throws Exception {
    Path garbage = dir.resolve("garbage.db");
    Files.writeString(garbage, "not a database, ".repeat(500), StandardCharsets.US_ASCII);
    SQLException raw;
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + garbage)) {
      raw = failure(() -> c.createStatement().executeQuery("SELECT * FROM sqlite_master"));
    }

    assertThat(SqliteCodes.primary(raw)).isEqualTo(SqliteCodes.NOTADB);
    assertThat(SqliteCodes.isConnectionBroken(raw)).isTrue();
    assertThat(SqliteCodes.isConnectionBroken(Errors.translate(raw))).isTrue();
  }

  /**
   * CANTOPEN on an open connection names a file the statement wanted ({@code ATTACH}, {@code VACUUM
   * INTO}): the connection and its transaction are fine, raw or translated (08001).
   */
  @Test
  void cantOpenLeavesTheConnectionRawAndTranslated() throws SQLException {
    SQLException raw;
    try (Connection c = DriverManager.getConnection(url)) {
      raw =
          failure(
              () ->
                  c.createStatement()
                      .execute("ATTACH '" + dir.resolve("missing/x.db") + "' AS other"));
    }

    assertThat(SqliteCodes.primary(raw)).isEqualTo(SqliteCodes.CANTOPEN);
    assertThat(SqliteCodes.isConnectionBroken(raw)).isFalse();
    assertThat(SqliteCodes.isConnectionBroken(Errors.translate(raw))).isFalse();
  }

  @Test
  void misuseBreaksTheConnection() {
    // READONLY open mode without clearing READWRITE is SQLITE_MISUSE (sqlite-jdbc issue 1362).
    SQLiteConfig config = new SQLiteConfig();
    config.setOpenMode(SQLiteOpenMode.READONLY);
    SQLException raw = failure(() -> config.createConnection(url).close());

    assertThat(SqliteCodes.primary(raw)).isEqualTo(SqliteCodes.MISUSE);
    assertThat(SqliteCodes.isConnectionBroken(raw)).isTrue();
  }

  @Test
  void ioErrorBreaksTheConnection() {
    // No file system fault is reproducible in a test; this is the driver's own exception value.
    SQLException ioError =
        new SQLiteException(
            "[SQLITE_IOERR_SHORT_READ] read", SQLiteErrorCode.SQLITE_IOERR_SHORT_READ);

    assertThat(SqliteCodes.extended(ioError)).isEqualTo(522);
    assertThat(SqliteCodes.primary(ioError)).isEqualTo(SqliteCodes.IOERR);
    assertThat(SqliteCodes.isConnectionBroken(ioError)).isTrue();
  }

  @Test
  void connectionStatesBreakTheConnectionExceptWhenTransient() {
    assertThat(SqliteCodes.isConnectionBroken(Errors.closed("Connection"))).isTrue();
    assertThat(SqliteCodes.isConnectionBroken(Errors.cannotOpen("no", null))).isTrue();
    assertThat(SqliteCodes.isConnectionBroken(Errors.writerTimeout(5000, 1, 6000, "w", null)))
        .isFalse();
    assertThat(SqliteCodes.isConnectionBroken(null)).isFalse();
  }

  @Test
  void exceptionsWithoutSqliteCodeHaveNone() throws SQLException {
    Connection closed = DriverManager.getConnection(url);
    closed.close();
    SQLException driverClosed = catchThrowableOfType(SQLException.class, closed::createStatement);

    assertThat(SqliteCodes.extended(driverClosed)).isEqualTo(SqliteCodes.NONE);
    assertThat(SqliteCodes.primary(new SQLException("plain"))).isEqualTo(SqliteCodes.NONE);
    assertThat(SqliteCodes.primary(null)).isEqualTo(SqliteCodes.NONE);
    assertThat(SqliteCodes.isBusyOrLocked(driverClosed)).isFalse();
  }

  @Test
  void vendorCodeCountsOnlyWithoutSqlState() {
    assertThat(SqliteCodes.primary(new SQLException("copied", null, 5)))
        .isEqualTo(SqliteCodes.BUSY);
    assertThat(SqliteCodes.primary(new SQLException("other driver", "HY000", 5)))
        .isEqualTo(SqliteCodes.NONE);
    assertThat(SqliteCodes.primary(new SQLException("not sqlite", null, 1062)))
        .isEqualTo(SqliteCodes.NONE);
  }

  @Test
  void unknownSqliteCodeIsNone() {
    SQLException unknown =
        new SQLiteException("[UNKNOWN_ERROR] 1234", SQLiteErrorCode.UNKNOWN_ERROR);

    assertThat(SqliteCodes.extended(unknown)).isEqualTo(SqliteCodes.NONE);
    assertThat((Throwable) Errors.translate(unknown)).isSameAs(unknown);
  }

  @Test
  void causeCycleEnds() {
    SQLException first = new SQLException("first");
    SQLException second = new SQLException("second", first);
    first.initCause(second);

    assertThat(SqliteCodes.extended(first)).isEqualTo(SqliteCodes.NONE);
  }

  private static SQLException failure(ThrowingCallable call) {
    SQLException raw = catchThrowableOfType(SQLException.class, call);
    assertThat((Throwable) raw).isInstanceOf(SQLiteException.class);
    return raw;
  }
}
