package dev.sluice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLDataException;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTimeoutException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.sqlite.SQLiteException;

/**
 * The bad input catalogue of issue 8 that OpenTest, RoutingTest and RetryTest do not already cover:
 * each case asserts the exception type, SQLState, a message fragment, and that nothing changed.
 */
class BadInputTest {
  @RegisterExtension final TestDatabase db = new TestDatabase();
  private final List<Path> immutable = new ArrayList<>();
  private final List<Path> chmodded = new ArrayList<>();
  private ExecutorService pool;

  @BeforeEach
  void setUp() {
    pool = Executors.newSingleThreadExecutor();
  }

  @AfterEach
  void restoreWritability() throws Exception {
    pool.shutdownNow();
    for (Path p : immutable) {
      new ProcessBuilder("chattr", "-i", p.toString()).start().waitFor(10, TimeUnit.SECONDS);
    }
    for (Path p : chmodded) {
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
  }

  private static Consumer<Throwable> state(
      Class<? extends SQLException> type, String sqlState, String fragment) {
    return e -> {
      assertThat(e).isInstanceOf(type);
      assertThat(((SQLException) e).getSQLState()).isEqualTo(sqlState);
      assertThat(e.getMessage()).contains(fragment);
    };
  }

  private static void assertState(
      ThrowingCallable call, Class<? extends SQLException> type, String sqlState, String fragment) {
    assertThatThrownBy(call).satisfies(state(type, sqlState, fragment));
  }

  /** A table t with {@code rows} rows through a plain connection, in WAL mode. */
  private void table(int rows) throws SQLException {
    db.rawExec(
        "PRAGMA journal_mode=WAL",
        "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)",
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < "
            + rows
            + ") INSERT INTO t (v) SELECT 'row ' || x FROM c WHERE "
            + rows
            + " > 0");
  }

  private String rawValues() throws SQLException {
    try (Connection c = DriverManager.getConnection(db.sqliteUrl());
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT coalesce(group_concat(v, ','), '') FROM t")) {
      r.next();
      return r.getString(1);
    }
  }

  /**
   * Makes {@code path} unwritable for this process: by permissions, or, when they do not stop the
   * process (root), by the immutable attribute. Undone after the test.
   */
  private boolean makeUnwritable(Path path) throws IOException, InterruptedException {
    Set<PosixFilePermission> readOnly =
        PosixFilePermissions.fromString(Files.isDirectory(path) ? "r-xr-xr-x" : "r--r--r--");
    Files.setPosixFilePermissions(path, readOnly);
    chmodded.add(path);
    if (Files.isWritable(path)) {
      try {
        Process p =
            new ProcessBuilder("chattr", "+i", path.toString()).redirectErrorStream(true).start();
        if (p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0) {
          immutable.add(path);
        }
      } catch (IOException noChattr) {
        // No other way to stop root here: the caller skips.
      }
    }
    return !Files.isWritable(path);
  }

  // ---- URL, files ----------------------------------------------------------------------------

  @Test
  void malformedPercentEscapeInTheUrlIs08001() {
    assertState(
        () -> DriverManager.getConnection(db.sluiceUrl("sluice.readers=%zz")),
        SQLNonTransientConnectionException.class,
        "08001",
        "%zz");
    assertState(
        () -> DriverManager.getConnection("jdbc:sluice:sqlite:" + db.file() + "?cache=%"),
        SQLNonTransientConnectionException.class,
        "08001",
        "cache");
    assertState(
        () -> db.builder().url("jdbc:sqlite:file:" + db.file() + "%zz").build(),
        SQLNonTransientConnectionException.class,
        "08001",
        "%zz");
    assertThat(Files.exists(db.file())).isFalse();
  }

  @Test
  void optionWithoutValueOrADirectoryAsFileIs08001() {
    assertState(
        () -> DriverManager.getConnection(db.sluiceUrl("sluice.readers")),
        SQLNonTransientConnectionException.class,
        "08001",
        "sluice.readers");
    assertState(
        () -> DriverManager.getConnection("jdbc:sluice:sqlite:" + db.dir()),
        SQLiteException.class,
        "08001",
        "is a directory");
    assertThat(Files.exists(db.file())).isFalse();
  }

  @Test
  void readOnlyDatabaseFileIsRefusedAtOpen() throws Exception {
    table(3);
    assumeThat(makeUnwritable(db.file())).as("a file this process cannot write").isTrue();
    byte[] before = Files.readAllBytes(db.file());
    assertState(() -> db.track(db.builder().build()), SQLiteException.class, "08001", "read-only");
    assertThat(Files.readAllBytes(db.file())).isEqualTo(before);
  }

  @Test
  void databaseInADirectoryThatCannotBeWrittenIsRefusedAtOpen() throws Exception {
    table(3);
    byte[] before = Files.readAllBytes(db.file());
    Path other = db.dir().resolve("new.db");
    assumeThat(makeUnwritable(db.dir())).as("a directory this process cannot write").isTrue();
    // WAL needs the -wal and -shm files beside the database: an existing file cannot be used.
    assertState(
        () -> db.track(db.builder().build()), SQLiteException.class, "08001", db.file().toString());
    assertState(
        () -> DriverManager.getConnection("jdbc:sluice:sqlite:" + other),
        SQLiteException.class,
        "08001",
        other.toString());
    assertThat(Files.exists(other)).isFalse();
    assertThat(Files.readAllBytes(db.file())).isEqualTo(before);
  }

  @Test
  void corruptDatabaseFailsWith08001AndIsLeftAsItWas() throws Exception {
    table(2000);
    byte[] garbage = new byte[4096];
    Arrays.fill(garbage, (byte) 0x5a);
    // Page 2 is the root of table t (page 1 holds the schema).
    try (RandomAccessFile f = new RandomAccessFile(db.file().toFile(), "rw")) {
      assertThat(f.length()).isGreaterThan(3 * 4096L);
      f.seek(4096);
      f.write(garbage);
    }
    byte[] before = Files.readAllBytes(db.file());
    Consumer<Throwable> corrupt =
        e -> {
          state(SQLiteException.class, "08001", "malformed").accept(e);
          assertThat(((SQLException) e).getErrorCode()).isEqualTo(11);
          assertThat(e.getMessage()).contains("integrity_check");
        };
    SluiceDataSource ds;
    try {
      ds = db.builder().build();
    } catch (SQLException e) {
      corrupt.accept(e);
      ds = null;
    }
    if (ds != null) {
      try (SluiceDataSource open = ds;
          Connection c = open.getConnection();
          Statement s = c.createStatement()) {
        assertThatThrownBy(() -> s.executeQuery("SELECT count(*) FROM t")).satisfies(corrupt);
        assertThatThrownBy(() -> s.executeUpdate("INSERT INTO t (v) VALUES ('more')"))
            .satisfies(corrupt);
        c.setAutoCommit(false);
        assertThatThrownBy(() -> s.executeUpdate("DELETE FROM t")).satisfies(corrupt);
        c.rollback();
      }
    }
    assertThat(Files.readAllBytes(db.file())).isEqualTo(before);
  }

  @Test
  void attachOfAFileInAMissingDirectoryFailsAndTheConnectionStaysUsable() throws SQLException {
    table(1);
    SluiceDataSource ds = db.dataSource();
    Path missing = db.dir().resolve("nope/other.db");
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      // As plain's: no SQLState, on which a pool in front would evict the connection (design.md
      // "A pool in front of Sluice").
      assertThatThrownBy(() -> s.execute("ATTACH DATABASE '" + missing + "' AS other"))
          .isInstanceOf(SQLiteException.class)
          .hasMessageContaining(missing.toString())
          .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isNull())
          .satisfies(e -> assertThat(((SQLException) e).getErrorCode()).isEqualTo(14));
      try (ResultSet r = s.executeQuery("SELECT count(*) FROM pragma_database_list")) {
        r.next();
        assertThat(r.getInt(1)).as("main and temp only").isLessThanOrEqualTo(2);
      }
      assertThat(s.executeUpdate("INSERT INTO t (v) VALUES ('same connection')")).isEqualTo(1);
    }
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      assertThat(s.executeUpdate("INSERT INTO t (v) VALUES ('next connection')")).isEqualTo(1);
    }
    assertThat(Files.exists(missing.getParent())).isFalse();
    assertThat(rawValues()).isEqualTo("row 1,same connection,next connection");
  }

  // ---- statements ----------------------------------------------------------------------------

  @Test
  void syntaxErrorInsideATransactionLeavesTheTransactionUsable() throws SQLException {
    table(0);
    SluiceDataSource ds = db.dataSource();
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      c.setAutoCommit(false);
      s.executeUpdate("INSERT INTO t (v) VALUES ('a')");
      assertState(
          () -> s.executeUpdate("INSRT INTO t (v) VALUES ('never')"),
          SQLiteException.class,
          "42000",
          "syntax error");
      s.executeUpdate("INSERT INTO t (v) VALUES ('b')");
      c.commit();
      c.setAutoCommit(true);
      s.execute("BEGIN");
      s.executeUpdate("INSERT INTO t (v) VALUES ('c')");
      assertState(
          () -> s.executeUpdate("INSERT INTO nope (v) VALUES ('never')"),
          SQLiteException.class,
          "42000",
          "no such table");
      s.executeUpdate("INSERT INTO t (v) VALUES ('d')");
      s.execute("COMMIT");
    }
    assertThat(rawValues()).isEqualTo("a,b,c,d");
  }

  @Test
  void everyKindOfWriteInAReadOnlyTransactionIs25006() throws SQLException {
    table(1);
    SluiceDataSource ds = db.dataSource();
    assertState(
        () ->
            ds.inReadOnlyTransaction(
                c -> {
                  try (Statement s = c.createStatement()) {
                    return s.executeUpdate("UPDATE t SET v = 'changed'");
                  }
                }),
        SQLException.class,
        "25006",
        "read-only");
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement();
        PreparedStatement ps = c.prepareStatement("INSERT INTO t (v) VALUES (?)")) {
      c.setReadOnly(true);
      ps.setString(1, "prepared");
      assertState(ps::executeUpdate, SQLException.class, "25006", "read-only");
      s.addBatch("INSERT INTO t (v) VALUES ('batch')");
      assertState(s::executeBatch, SQLException.class, "25006", "read-only");
      assertState(
          () -> s.execute("/* SELECT */ WITH x AS (SELECT 1) DELETE FROM t"),
          SQLException.class,
          "25006",
          "read-only");
      c.setAutoCommit(false);
      assertState(() -> s.execute("CREATE TABLE u (x)"), SQLException.class, "25006", "read-only");
      try (ResultSet r = s.executeQuery("SELECT count(*) FROM t")) {
        r.next();
        assertThat(r.getInt(1)).isEqualTo(1);
      }
      c.commit();
    }
    assertThat(rawValues()).isEqualTo("row 1");
  }

  @Test
  void useAfterCloseIs08003ForResultSetsStatementsConnectionsAndTheDataSource()
      throws SQLException {
    table(1);
    SluiceDataSource ds = db.builder().build();
    Connection c = ds.getConnection();
    Statement s = c.createStatement();
    ResultSet r = s.executeQuery("SELECT v FROM t");
    r.close();
    r.close();
    assertState(r::next, SQLNonTransientConnectionException.class, "08003", "closed");
    assertState(() -> r.getString(1), SQLNonTransientConnectionException.class, "08003", "closed");
    PreparedStatement ps = c.prepareStatement("INSERT INTO t (v) VALUES (?)");
    ps.close();
    assertState(
        () -> ps.setString(1, "x"), SQLNonTransientConnectionException.class, "08003", "closed");
    assertState(ps::executeUpdate, SQLNonTransientConnectionException.class, "08003", "closed");

    Statement open = c.createStatement();
    PreparedStatement openPs = c.prepareStatement("INSERT INTO t (v) VALUES (?)");
    DatabaseMetaData meta = c.getMetaData();
    ds.close();
    ds.close();
    String name = ds.getName();
    assertState(
        () -> open.executeUpdate("INSERT INTO t (v) VALUES ('x')"),
        SQLNonTransientConnectionException.class,
        "08003",
        name);
    assertState(
        () -> openPs.setString(1, "x"), SQLNonTransientConnectionException.class, "08003", name);
    assertState(openPs::executeUpdate, SQLNonTransientConnectionException.class, "08003", name);
    assertState(c::createStatement, SQLNonTransientConnectionException.class, "08003", name);
    assertState(
        () -> c.setAutoCommit(false), SQLNonTransientConnectionException.class, "08003", name);
    assertState(
        () -> meta.getTables(null, null, "%", null),
        SQLNonTransientConnectionException.class,
        "08003",
        name);
    assertState(
        () -> ds.inTransaction(x -> 1), SQLNonTransientConnectionException.class, "08003", name);
    assertThat(c.isClosed()).isTrue();
    c.close();
    c.close();
    assertThat(rawValues()).isEqualTo("row 1");
  }

  @Test
  void enforcedPragmasCannotBeChangedByAnyForm() throws SQLException {
    table(0);
    SluiceDataSource ds = db.dataSource();
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      for (String sql :
          List.of(
              "PRAGMA main.journal_mode = 'delete'",
              "pragma JOURNAL_MODE=memory",
              "PRAGMA temp_store = FILE",
              "PRAGMA main.busy_timeout = 5")) {
        assertState(
            () -> s.execute(sql), SQLFeatureNotSupportedException.class, "0A000", "sluice.pragma.");
      }
      try (PreparedStatement ps = c.prepareStatement("PRAGMA journal_mode=DELETE")) {
        assertState(ps::execute, SQLFeatureNotSupportedException.class, "0A000", "journal_mode");
      }
      c.setAutoCommit(false);
      s.executeUpdate("INSERT INTO t (v) VALUES ('in the transaction')");
      assertState(
          () -> s.execute("PRAGMA journal_mode=DELETE"),
          SQLFeatureNotSupportedException.class,
          "0A000",
          "journal_mode");
      c.commit();
      c.setAutoCommit(true);
      // A batch bypasses the statement check; SQLite itself refuses inside the batch transaction.
      s.addBatch("PRAGMA journal_mode=DELETE");
      assertThatThrownBy(s::executeBatch).isInstanceOf(SQLException.class);
      c.setReadOnly(true);
      assertThatThrownBy(() -> s.execute("PRAGMA query_only=0"))
          .isInstanceOf(SQLException.class)
          .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isIn("0A000", "25006"));
      c.setReadOnly(false);
      c.setAutoCommit(false);
      try (ResultSet r = s.executeQuery("PRAGMA synchronous")) {
        r.next();
        assertThat(r.getInt(1)).as("writer's synchronous").isEqualTo(1);
      }
      c.commit();
    }
    assertThat(db.rawLong("SELECT count(*) FROM pragma_journal_mode WHERE journal_mode = 'wal'"))
        .isEqualTo(1);
    assertThat(rawValues()).isEqualTo("in the transaction");
  }

  @Test
  void enforcedPragmasCannotBeChangedInAMultiStatementString() throws SQLException {
    table(0);
    SluiceDataSource ds = db.dataSource();
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      assertState(
          () -> s.executeUpdate("INSERT INTO t (v) VALUES ('a'); PRAGMA temp_store=FILE"),
          SQLFeatureNotSupportedException.class,
          "0A000",
          "temp_store");
      assertState(
          () -> s.executeUpdate("INSERT INTO t (v) VALUES ('b'); PRAGMA journal_mode=DELETE"),
          SQLFeatureNotSupportedException.class,
          "0A000",
          "journal_mode");
      c.setAutoCommit(false);
      try (ResultSet r = s.executeQuery("PRAGMA synchronous")) {
        r.next();
        assertThat(r.getInt(1)).as("writer's synchronous").isEqualTo(1);
      }
      c.commit();
    }
    assertThat(rawValues()).isEmpty();
  }

  @Test
  void parameterIndexOutOfRangeIs22023AndWritesNothing() throws SQLException {
    table(0);
    SluiceDataSource ds = db.dataSource();
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement("INSERT INTO t (id, v) VALUES (?, ?)")) {
      assertState(() -> ps.setInt(0, 1), SQLDataException.class, "22023", "index 0");
      assertState(() -> ps.setInt(-1, 1), SQLDataException.class, "22023", "index -1");
      ps.setInt(1, 1);
      ps.setString(2, "x");
      try {
        ps.setString(3, "one too many");
      } catch (SQLException early) {
        state(SQLDataException.class, "22023", "index 3").accept(early);
      }
      assertState(ps::executeUpdate, SQLDataException.class, "22023", "2 parameters");
      assertThat(rawValues()).isEmpty();
      ps.clearParameters();
      ps.setInt(1, 1);
      ps.setString(2, "bound right");
      assertThat(ps.executeUpdate()).isEqualTo(1);
      assertState(() -> ps.setQueryTimeout(-1), SQLDataException.class, "22023", "-1");
      assertState(() -> ps.setMaxRows(-1), SQLDataException.class, "22023", "-1");
      assertState(() -> ps.setFetchSize(-1), SQLDataException.class, "22023", "-1");
    }
    assertThat(rawValues()).isEqualTo("bound right");
  }

  // ---- query timeout -------------------------------------------------------------------------

  /**
   * sqlite-jdbc's query timeout is a lock-wait timeout (it sets the busy timeout for the call), so
   * what can fire is a write waiting for another process's lock. With a busy timeout of a minute,
   * the statement ends within the bound only because its query timeout fired.
   */
  @Test
  void queryTimeoutFiresOnAWriteWaitingForAnotherProcessInsideATransaction() throws Exception {
    table(0);
    SluiceDataSource ds = db.track(db.builder().pragma("busy_timeout", "60000").build());
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      try (LockHolder other = new LockHolder(db.sqliteUrl())) {
        other.exec("INSERT INTO t (v) VALUES ('other')");
        s.setQueryTimeout(1);
        s.execute("BEGIN");
        Future<Integer> write =
            pool.submit(() -> s.executeUpdate("INSERT INTO t (v) VALUES ('x')"));
        Throwable e = failure(write);
        assertThat(e).isInstanceOf(SQLiteException.class);
        assertThat(((SQLException) e).getSQLState()).isEqualTo("40001");
        assertThat(((SQLException) e).getErrorCode()).isEqualTo(5);
        s.execute("ROLLBACK");
        other.release();
      }
      assertThat(s.executeUpdate("INSERT INTO t (v) VALUES ('after')")).isEqualTo(1);
    }
    assertThat(rawValues()).isEqualTo("other,after");
  }

  @Test
  void queryTimeoutThatFiresEndsAnAutoCommitWriteWith57014() throws Exception {
    table(0);
    SluiceDataSource ds =
        db.track(
            db.builder()
                .option("sluice.retry.attempts", "1000")
                .option("sluice.retry.maxDuration", "30000")
                .build());
    try (LockHolder other = new LockHolder(db.sqliteUrl());
        Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.setQueryTimeout(1);
      Future<Integer> write = pool.submit(() -> s.executeUpdate("INSERT INTO t (v) VALUES ('x')"));
      Throwable e = failure(write);
      assertThat(e).isInstanceOf(SQLTimeoutException.class);
      assertThat(((SQLException) e).getSQLState()).isEqualTo("57014");
    }
    assertThat(rawValues()).isEmpty();
  }

  /** What {@code f} failed with, waiting at most 20 s (far less than any wait but the timeout). */
  private static Throwable failure(Future<?> f) throws Exception {
    try {
      f.get(20, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    }
    throw new AssertionError("the statement did not fail");
  }
}
