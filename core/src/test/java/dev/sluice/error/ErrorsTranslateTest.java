package dev.sluice.error;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.Function;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteException;
import org.sqlite.SQLiteOpenMode;

/**
 * {@link Errors#translate} on real sqlite-jdbc errors, each produced against a file in a temp dir.
 */
class ErrorsTranslateTest {
  @TempDir Path dir;

  private String url;
  private Connection connection;
  private Statement statement;

  @BeforeEach
  void openDatabase() throws SQLException {
    url = "jdbc:sqlite:" + dir.resolve("test.db");
    connection = DriverManager.getConnection(url + "?foreign_keys=on&busy_timeout=0");
    statement = connection.createStatement();
    statement.execute(
        "CREATE TABLE parent (id INTEGER PRIMARY KEY, code TEXT UNIQUE, name TEXT NOT NULL,"
            + " qty INT CHECK (qty > 0))");
    statement.execute(
        "CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INT REFERENCES parent(id))");
    statement.execute("INSERT INTO parent VALUES (1, 'a', 'first', 1)");
  }

  @AfterEach
  void closeDatabase() throws SQLException {
    connection.close();
  }

  @Test
  void uniqueViolationMapsTo23505() {
    SQLException raw =
        sqliteFailure(() -> statement.execute("INSERT INTO parent VALUES (2, 'a', 'x', 1)"));

    SQLException translated = Errors.translate(raw);

    assertTranslated(translated, raw, "23505", 19);
    assertThat(translated.getMessage()).contains("UNIQUE constraint failed: parent.code");
  }

  @Test
  void primaryKeyViolationMapsTo23505() {
    SQLException raw =
        sqliteFailure(() -> statement.execute("INSERT INTO parent VALUES (1, 'b', 'x', 1)"));

    SQLException translated = Errors.translate(raw);

    assertTranslated(translated, raw, "23505", 19);
    assertThat(translated.getMessage()).contains("SQLITE_CONSTRAINT_PRIMARYKEY", "parent.id");
  }

  @Test
  void foreignKeyViolationMapsTo23503() {
    SQLException raw = sqliteFailure(() -> statement.execute("INSERT INTO child VALUES (1, 99)"));

    SQLException translated = Errors.translate(raw);

    assertTranslated(translated, raw, "23503", 19);
    assertThat(translated.getMessage()).contains("FOREIGN KEY constraint failed");
  }

  @Test
  void notNullViolationMapsTo23502() {
    SQLException raw =
        sqliteFailure(() -> statement.execute("INSERT INTO parent VALUES (3, 'c', NULL, 1)"));

    SQLException translated = Errors.translate(raw);

    assertTranslated(translated, raw, "23502", 19);
    assertThat(translated.getMessage()).contains("NOT NULL constraint failed: parent.name");
  }

  @Test
  void checkViolationMapsTo23514() {
    SQLException raw =
        sqliteFailure(() -> statement.execute("INSERT INTO parent VALUES (4, 'd', 'x', 0)"));

    SQLException translated = Errors.translate(raw);

    assertTranslated(translated, raw, "23514", 19);
    assertThat(translated.getMessage()).contains("CHECK constraint failed: qty > 0");
  }

  @Test
  void otherConstraintMapsTo23000() throws SQLException {
    // RAISE(ABORT) in a trigger is SQLITE_CONSTRAINT_TRIGGER (1811), which has no specific state.
    statement.execute(
        "CREATE TRIGGER no_delete BEFORE DELETE ON parent BEGIN SELECT RAISE(ABORT, 'kept'); END");
    SQLException raw = sqliteFailure(() -> statement.execute("DELETE FROM parent"));

    SQLException translated = Errors.translate(raw);

    assertTranslated(translated, raw, "23000", 19);
    assertThat(translated.getMessage()).contains("kept");
  }

  @Test
  void syntaxErrorMapsTo42000() {
    SQLException raw = sqliteFailure(() -> statement.execute("SELEC 1"));

    SQLException translated = Errors.translate(raw);

    assertTranslated(translated, raw, "42000", 1);
    assertThat(translated.getMessage()).contains("near \"SELEC\": syntax error");
  }

  @Test
  void missingTableMapsTo42000() {
    SQLException raw = sqliteFailure(() -> statement.executeQuery("SELECT * FROM nowhere"));

    SQLException translated = Errors.translate(raw);

    assertTranslated(translated, raw, "42000", 1);
    assertThat(translated.getMessage()).contains("no such table: nowhere");
  }

  @Test
  void busyFromAnotherConnectionMapsTo40001AndKeepsVendorCode5() throws SQLException {
    try (Connection holder = DriverManager.getConnection(url)) {
      holder.createStatement().execute("BEGIN IMMEDIATE");
      SQLException raw =
          sqliteFailure(() -> statement.execute("INSERT INTO parent VALUES (5, 'e', 'x', 1)"));

      SQLException translated = Errors.translate(raw);

      assertTranslated(translated, raw, "40001", 5);
      assertThat(translated.getMessage())
          .contains(
              "database is locked", "Another process holds the database; retry the unit of work.");
      holder.createStatement().execute("ROLLBACK");
    }
    assertStillUsable();
  }

  @Test
  void staleSnapshotMapsTo40001WithSnapshotHint() throws SQLException {
    String walUrl = "jdbc:sqlite:" + dir.resolve("wal.db");
    try (Connection setup = DriverManager.getConnection(walUrl);
        Statement wal = setup.createStatement();
        Statement create = setup.createStatement()) {
      // The PRAGMA returns a row; its statement must be closed before the next write commits.
      wal.execute("PRAGMA journal_mode = WAL");
      wal.close();
      create.execute("CREATE TABLE t (x INT)");
    }
    SQLException raw;
    try (Connection reader = DriverManager.getConnection(walUrl);
        Connection other = DriverManager.getConnection(walUrl)) {
      reader.setAutoCommit(false);
      try (ResultSet rs = reader.createStatement().executeQuery("SELECT count(*) FROM t")) {
        rs.next();
      }
      other.createStatement().execute("INSERT INTO t VALUES (1)");
      raw = sqliteFailure(() -> reader.createStatement().execute("INSERT INTO t VALUES (2)"));
      reader.rollback();
    }

    SQLException translated = Errors.translate(raw);

    assertTranslated(translated, raw, "40001", 5);
    assertThat(SqliteCodes.extended(translated)).isEqualTo(SqliteCodes.BUSY_SNAPSHOT);
    assertThat(translated.getMessage())
        .contains("SQLITE_BUSY_SNAPSHOT", "wrote since this transaction started reading");
  }

  @Test
  void lockedTableMapsTo40001() throws SQLException {
    SQLException raw;
    try (ResultSet open = statement.executeQuery("SELECT * FROM parent")) {
      assertThat(open.next()).isTrue();
      raw = sqliteFailure(() -> connection.createStatement().execute("DROP TABLE child"));
    }

    SQLException translated = Errors.translate(raw);

    assertTranslated(translated, raw, "40001", 6);
    assertThat(translated.getMessage())
        .contains("database table is locked", "close open result sets");
  }

  @Test
  void writeUnderQueryOnlyMapsTo25006() throws SQLException {
    statement.execute("PRAGMA query_only = 1");
    SQLException raw =
        sqliteFailure(() -> statement.execute("INSERT INTO parent VALUES (6, 'f', 'x', 1)"));
    statement.execute("PRAGMA query_only = 0");

    SQLException translated = Errors.translate(raw);

    assertTranslated(translated, raw, "25006", 8);
    assertThat(translated.getMessage())
        .contains("attempt to write a readonly database", "read-only");
    assertStillUsable();
  }

  @Test
  void fullDatabaseMapsTo53100() throws SQLException {
    statement.execute("CREATE TABLE blobs (b BLOB)");
    long pages;
    try (ResultSet rs = statement.executeQuery("PRAGMA page_count")) {
      rs.next();
      pages = rs.getLong(1);
    }
    statement.execute("PRAGMA max_page_count = " + pages);
    SQLException raw =
        sqliteFailure(() -> statement.execute("INSERT INTO blobs VALUES (zeroblob(100000))"));

    SQLException translated = Errors.translate(raw);

    assertTranslated(translated, raw, "53100", 13);
    assertThat(translated.getMessage()).contains("database or disk is full", "max_page_count");
  }

  @Test
  void garbageFileMapsTo08001() throws Exception {
    Path garbage = dir.resolve("garbage.db");
    Files.writeString(garbage, "not a database, ".repeat(500), StandardCharsets.US_ASCII);
    SQLException raw;
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + garbage)) {
      raw = sqliteFailure(() -> c.createStatement().executeQuery("SELECT * FROM sqlite_master"));
    }

    SQLException translated = Errors.translate(raw);

    assertTranslated(translated, raw, "08001", 26);
    assertThat(translated.getMessage())
        .contains("file is not a database", "wrong file", "encrypted");
  }

  /**
   * SQLITE_CANTOPEN from a statement names a file it wanted ({@code ATTACH}): the connection is
   * fine, and the error stays as plain's, without a SQLState, so that a pool in front does not
   * evict the connection (HikariCP evicts on 08xxx). Opening a database maps it to 08001 ({@code
   * ErrorsOpenTest}).
   */
  @Test
  void cantOpenFromAStatementStaysAsPlains() throws SQLException {
    SQLException raw;
    try (Connection c = DriverManager.getConnection(url)) {
      raw =
          sqliteFailure(
              () ->
                  c.createStatement()
                      .execute("ATTACH '" + dir.resolve("missing/x.db") + "' AS other"));
    }

    SQLException translated = Errors.translate(raw);

    assertThat((Object) translated).isSameAs(raw);
    assertThat(translated.getSQLState()).isNull();
    assertThat(translated.getErrorCode()).isEqualTo(14);
  }

  @Test
  void corruptFileMapsTo08001() throws Exception {
    Path file = dir.resolve("corrupt.db");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
      Statement s = c.createStatement();
      s.execute("CREATE TABLE z (a TEXT)");
      s.execute(
          "INSERT INTO z WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r WHERE x < 500)"
              + " SELECT hex(randomblob(100)) FROM r");
    }
    // Zero page 2, the table's root page: the schema still reads, the table does not.
    byte[] bytes = Files.readAllBytes(file);
    java.util.Arrays.fill(bytes, 4096, 8192, (byte) 0);
    Files.write(file, bytes);
    SQLException raw;
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
      raw = sqliteFailure(() -> c.createStatement().executeQuery("SELECT count(*) FROM z").next());
    }

    SQLException translated = Errors.translate(raw);

    assertTranslated(translated, raw, "08001", 11);
    assertThat(translated.getMessage()).contains("malformed", "restore it from a backup");
  }

  @Test
  void valueOverLengthLimitMapsTo22001() throws SQLException {
    SQLiteConfig config = new SQLiteConfig();
    config.setPragma(SQLiteConfig.Pragma.LIMIT_LENGTH, "10");
    SQLException raw;
    try (Connection limited = config.createConnection(url)) {
      raw = sqliteFailure(() -> limited.createStatement().executeQuery("SELECT zeroblob(100)"));
    }

    SQLException translated = Errors.translate(raw);

    assertTranslated(translated, raw, "22001", 18);
    assertThat(translated.getMessage()).contains("string or blob too big");
  }

  @Test
  void textRowidMapsTo22005() {
    SQLException raw =
        sqliteFailure(
            () ->
                statement.execute(
                    "INSERT INTO parent(rowid, code, name, qty) VALUES ('x', 'g', 'x', 1)"));

    SQLException translated = Errors.translate(raw);

    assertTranslated(translated, raw, "22005", 20);
    assertThat(translated.getMessage()).contains("datatype mismatch", "INTEGER PRIMARY KEY");
  }

  @Test
  void cancelledStatementMapsTo57014() throws SQLException {
    // The function cancels from inside the running query, so the interrupt always lands mid-query.
    Function.create(
        connection,
        "cancel_now",
        new Function() {
          @Override
          protected void xFunc() throws SQLException {
            statement.cancel();
            result(1);
          }
        });
    SQLException raw =
        sqliteFailure(
            () ->
                statement.executeQuery(
                    "WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r WHERE x < 1000000)"
                        + " SELECT count(*) FROM r WHERE cancel_now() = 1"));

    SQLException translated = Errors.translate(raw);

    assertTranslated(translated, raw, "57014", 9);
    assertThat(translated.getMessage()).contains("interrupted");
  }

  @Test
  void failedStatementBatchStaysBatchUpdateExceptionWithState() throws SQLException {
    statement.addBatch("INSERT INTO parent VALUES (7, 'h', 'x', 1)");
    statement.addBatch("INSERT INTO parent VALUES (7, 'i', 'x', 1)");
    BatchUpdateException raw =
        catchThrowableOfType(BatchUpdateException.class, statement::executeBatch);
    assertThat(raw.getSQLState()).isNull();

    SQLException translated = Errors.translate(raw);

    assertThat((Throwable) translated).isInstanceOf(BatchUpdateException.class);
    assertThat(translated.getSQLState()).isEqualTo("23505");
    assertThat(translated.getErrorCode()).isEqualTo(19);
    // SQLite's error is the cause, as of plain's BatchUpdateException
    assertThat(translated.getCause()).isSameAs(raw.getCause()).isInstanceOf(SQLiteException.class);
    assertThat(((BatchUpdateException) translated).getLargeUpdateCounts())
        .isEqualTo(raw.getLargeUpdateCounts());
    assertThat(translated.getMessage()).contains("batch entry 1", "parent.id");
  }

  @Test
  void exceptionWithStateIsReturnedUnchanged() {
    SQLException withState = new SQLException("already mapped", "23505", 19);

    assertThat((Throwable) Errors.translate(withState)).isSameAs(withState);
  }

  @Test
  void driverExceptionWithoutCodeIsReturnedUnchanged() throws SQLException {
    Connection other = DriverManager.getConnection(url);
    other.close();
    SQLException raw = catchThrowableOfType(SQLException.class, other::createStatement);
    assertThat((Throwable) raw).isNotInstanceOf(SQLiteException.class);

    assertThat((Throwable) Errors.translate(raw)).isSameAs(raw);
  }

  @Test
  void unmappedSqliteCodeIsReturnedUnchanged() {
    // READONLY open mode without clearing READWRITE is SQLITE_MISUSE (sqlite-jdbc issue 1362).
    SQLiteConfig config = new SQLiteConfig();
    config.setOpenMode(SQLiteOpenMode.READONLY);
    SQLException misuse = sqliteFailure(() -> config.createConnection(url).close());
    assertThat(misuse.getErrorCode()).isEqualTo(21);

    assertThat((Throwable) Errors.translate(misuse)).isSameAs(misuse);
  }

  @Test
  void nullIsReturnedAsNull() {
    assertThat((Throwable) Errors.translate(null)).isNull();
  }

  private static SQLException sqliteFailure(ThrowingCallable call) {
    SQLException raw = catchThrowableOfType(SQLException.class, call);
    assertThat((Throwable) raw).as("the statement should fail").isInstanceOf(SQLiteException.class);
    assertThat(raw.getSQLState()).isNull();
    return raw;
  }

  private static void assertTranslated(
      SQLException translated, SQLException raw, String state, int vendorCode) {
    // Still the exception plain sqlite-jdbc throws, with its result code (design.md "Errors").
    assertThat((Throwable) translated).isInstanceOf(SQLiteException.class);
    assertThat(((SQLiteException) translated).getResultCode())
        .isEqualTo(((SQLiteException) raw).getResultCode());
    assertThat(translated.getSQLState()).isEqualTo(state);
    assertThat(translated.getErrorCode()).isEqualTo(vendorCode).isEqualTo(raw.getErrorCode());
    assertThat(translated.getCause()).isSameAs(raw);
    assertThat(translated.getMessage()).startsWith(raw.getMessage());
  }

  private void assertStillUsable() throws SQLException {
    try (ResultSet rs = statement.executeQuery("SELECT count(*) FROM parent")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getInt(1)).isEqualTo(1);
    }
  }
}
