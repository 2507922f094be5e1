package dev.sluice;

import static dev.sluice.DropIn.exec;
import static dev.sluice.DropIn.one;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.DropIn.Failure;
import dev.sluice.DropIn.Outcome;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * The edges of issue #19 that plain sqlite-jdbc users rely on (errors, URLs, statements, metadata),
 * each run through {@link DropIn} against plain sqlite-jdbc and Sluice.
 */
class DropInEdgesTest {

  /** #19: {@code catch (SQLiteException e)} written for plain sqlite-jdbc still catches. */
  @Test
  void constraintErrorIsCaughtAsSqliteExceptionWithItsResultCode() throws Exception {
    Outcome outcome =
        DropIn.same(
            db -> {
              // Given a row with id 7
              Connection c = db.connect();
              exec(
                  c,
                  "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)",
                  "INSERT INTO t VALUES (7, 'a')");
              // When a second row with id 7 is inserted, caught as plain's users catch it
              try {
                exec(c, "INSERT INTO t VALUES (7, 'b')");
                return List.of("inserted");
              } catch (SQLiteException e) {
                return List.of(e.getResultCode().name(), e.getErrorCode());
              }
            });
    // Then it is caught with the result code and vendor code plain gives
    assertThat(outcome.result()).containsExactly("SQLITE_CONSTRAINT_PRIMARYKEY", "19");
  }

  /** #19: the SQLState Sluice adds is there for frameworks that translate by it. */
  @Test
  void constraintErrorCarriesTheStandardSqlState() throws Exception {
    Failure sluice =
        DropIn.sameVendorCode(
            db -> {
              Connection c = db.connect();
              exec(c, "CREATE TABLE t (id INTEGER PRIMARY KEY)", "INSERT INTO t VALUES (1)");
              exec(c, "INSERT INTO t VALUES (1)");
              return List.of();
            });
    assertThat(sluice.type()).isEqualTo(SQLiteException.class.getName());
    assertThat(sluice.sqlState()).isEqualTo("23505");
    assertThat(sluice.vendorCode()).isEqualTo(19);
  }

  /** #19: a directory as the database path fails as plain's SQLITE_CANTOPEN, with 08001. */
  @Test
  void directoryAsTheDatabaseFailsAsCantOpen() throws Exception {
    Failure sluice =
        DropIn.sameVendorCode(
            db -> {
              Path dir = Files.createDirectories(db.dir().resolve("adir"));
              db.connect(db.url(dir.toString()));
              return List.of();
            });
    assertThat(sluice.type()).isEqualTo(SQLiteException.class.getName());
    assertThat(sluice.vendorCode()).isEqualTo(SQLiteErrorCode.SQLITE_CANTOPEN.code);
    assertThat(sluice.sqlState()).isEqualTo("08001");
    assertThat(sluice.message()).contains("is a directory");
  }

  /** #19: {@code :resource:} opens a database on the class path, in a folder or in a jar. */
  @Test
  void resourceUrlsOpenADatabaseOnTheClassPath() throws Exception {
    Path fixture = Files.createTempDirectory("sluice-resource");
    try {
      // Given a database with two rows on the class path, once as a file and once inside a jar
      Path folder = Files.createDirectories(fixture.resolve("classes/fixtures"));
      try (Connection raw =
          DriverManager.getConnection("jdbc:sqlite:" + folder.resolve("app.db"))) {
        exec(raw, "CREATE TABLE t (id INTEGER PRIMARY KEY)", "INSERT INTO t VALUES (1), (2)");
      }
      Path jar = fixture.resolve("fixtures.jar");
      try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
        out.putNextEntry(new JarEntry("packed/app.db"));
        Files.copy(folder.resolve("app.db"), (OutputStream) out);
        out.closeEntry();
      }
      URL[] path = {fixture.resolve("classes").toUri().toURL(), jar.toUri().toURL()};
      Thread thread = Thread.currentThread();
      ClassLoader before = thread.getContextClassLoader();
      try (URLClassLoader loader = new URLClassLoader(path, before)) {
        thread.setContextClassLoader(loader);
        // When both are opened by :resource: URLs and counted
        Outcome outcome =
            DropIn.same(
                db ->
                    List.of(
                        one(
                            db.connect(db.url(":resource:fixtures/app.db")),
                            "SELECT count(*) FROM t"),
                        one(
                            db.connect(db.url(":resource:packed/app.db")),
                            "SELECT count(*) FROM t")));
        // Then both hold the two rows
        assertThat(outcome.result()).containsExactly("2", "2");
      } finally {
        thread.setContextClassLoader(before);
      }
    } finally {
      try (var files = Files.walk(fixture)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** #19: SQLite compiles at prepare, so bad SQL fails at prepareStatement, as on plain. */
  @Test
  void badSqlFailsAtPrepare() throws Exception {
    for (String sql :
        List.of(
            "SELECT * FROM no_such_table",
            "SELECT nope FROM t",
            "SELEC 1",
            "INSERT INTO t (nope) VALUES (1)")) {
      Failure sluice =
          DropIn.sameVendorCode(
              db -> {
                Connection c = db.connect();
                exec(c, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
                c.prepareStatement(sql);
                return List.of("prepared");
              });
      assertThat(sluice.sqlState()).as(sql).isEqualTo("42000");
    }
  }

  /**
   * #22, a documented difference (design.md "Routing details"): a text compiled once is not
   * compiled again at prepare, so when a later schema change breaks it (here a rolled-back CREATE
   * TABLE), it fails at execution with the same error, where plain fails at prepare.
   */
  @Test
  void aTextBrokenByARolledBackCreateFailsAtExecutionInsteadOfAtPrepare() throws Exception {
    DropIn.Body body =
        db -> {
          Connection c = db.connect();
          exec(c, "CREATE TABLE t (id INTEGER PRIMARY KEY)");
          String insert = "INSERT INTO later (id) VALUES (?)";
          // Given a text compiled inside a transaction that created its table, then rolled back
          c.setAutoCommit(false);
          exec(c, "INSERT INTO t VALUES (1)", "CREATE TABLE later (id INTEGER PRIMARY KEY)");
          c.prepareStatement(insert).close();
          c.rollback();
          c.setAutoCommit(true);
          // When it is prepared and run again
          String at = "prepare";
          java.sql.PreparedStatement p = null;
          try {
            p = c.prepareStatement(insert);
            at = "execute";
            p.setInt(1, 1);
            p.executeUpdate();
            return List.of("no failure");
          } catch (SQLException e) {
            return List.of(
                at + " " + e.getErrorCode() + " " + e.getMessage().contains("no such table"));
          } finally {
            if (p != null) {
              p.close();
            }
          }
        };
    // Then plain fails at prepare, Sluice at execution, with the same code and message
    Outcome plain = DropIn.run(DropIn.Target.PLAIN, body);
    Outcome sluice = DropIn.run(DropIn.Target.SLUICE, body);
    assertThat(plain.result()).containsExactly("prepare 1 true");
    assertThat(sluice.result()).containsExactly("execute 1 true");
    assertThat(sluice.content()).isEqualTo(plain.content());
  }

  /** #19: text made valid by another connection's DDL prepares at once; one that stays good too. */
  @Test
  void sqlMadeValidByAnotherConnectionPreparesAndRuns() throws Exception {
    Outcome outcome =
        DropIn.same(
            db -> {
              Connection a = db.connect();
              Connection b = db.connect();
              exec(a, "CREATE TABLE t (id INTEGER PRIMARY KEY)");
              one(a, "SELECT count(*) FROM t");
              exec(
                  b,
                  "CREATE TABLE u (id INTEGER PRIMARY KEY, v TEXT)",
                  "INSERT INTO u VALUES (1, 'x')");
              List<Object> out = new java.util.ArrayList<>();
              for (int i = 0; i < 3; i++) {
                try (java.sql.PreparedStatement p =
                    a.prepareStatement("SELECT v FROM u WHERE id = ?")) {
                  p.setInt(1, 1);
                  try (ResultSet r = p.executeQuery()) {
                    out.add(r.next() ? r.getString(1) : "none");
                  }
                }
              }
              return out;
            });
    assertThat(outcome.result()).containsExactly("x", "x", "x");
  }

  /** #19: a parameter's type is that of the value bound now, as plain reports it. */
  @Test
  void parameterTypesFollowTheBoundValues() throws Exception {
    Outcome outcome =
        DropIn.same(
            db -> {
              Connection c = db.connect();
              exec(c, "CREATE TABLE t (a, b, c, d, e, f)");
              java.sql.PreparedStatement p =
                  c.prepareStatement("INSERT INTO t VALUES (?, ?, ?, ?, ?, ?)");
              java.sql.ParameterMetaData m = p.getParameterMetaData();
              p.setLong(1, 5);
              p.setInt(2, 5);
              p.setDouble(3, 1.5);
              p.setString(4, "x");
              p.setBytes(5, new byte[] {1});
              List<Object> out = new java.util.ArrayList<>();
              out.add(m.getParameterCount());
              for (int i = 1; i <= 6; i++) {
                out.add(m.getParameterType(i) + ":" + m.getParameterTypeName(i));
              }
              out.add(m.getParameterClassName(1));
              out.add(m.isNullable(1));
              out.add(m.getParameterMode(1));
              return out;
            });
    assertThat(outcome.result())
        .containsExactly(
            "6",
            "-5:BIGINT",
            "4:INTEGER",
            "7:REAL",
            "12:VARCHAR",
            "12:VARCHAR",
            "0:NULL",
            "java.lang.String",
            "1",
            "1");
  }

  /** #19: asking a parameter's type before anything is bound fails, as on plain. */
  @Test
  void parameterTypeBeforeAnyBindFails() throws Exception {
    Failure sluice =
        DropIn.sameVendorCode(
            db -> {
              Connection c = db.connect();
              exec(c, "CREATE TABLE t (a)");
              java.sql.PreparedStatement p = c.prepareStatement("INSERT INTO t VALUES (?)");
              return List.of(p.getParameterMetaData().getParameterType(1));
            });
    assertThat(sluice.sqlState()).isEqualTo("HY010");
  }

  /** #19: setSavepoint in auto-commit starts a transaction, as SQLite's SAVEPOINT does. */
  @Test
  void savepointInAutoCommitStartsATransaction() throws Exception {
    Outcome outcome =
        DropIn.same(
            db -> {
              Connection c = db.connect();
              exec(c, "CREATE TABLE t (id INTEGER PRIMARY KEY)");
              java.sql.Savepoint sp = c.setSavepoint();
              boolean autoCommit = c.getAutoCommit();
              exec(c, "INSERT INTO t VALUES (1)");
              c.rollback(sp);
              exec(c, "INSERT INTO t VALUES (2)");
              c.commit();
              return List.of(autoCommit, one(c, "SELECT count(*) FROM t"));
            });
    assertThat(outcome.result()).containsExactly("false", "1");
    assertThat(outcome.content()).containsExactly("t[2]");
  }

  /** #19: a result handed out once is not handed out again while open, as on plain. */
  @Test
  void resultSetIsHandedOutOnce() throws Exception {
    for (boolean query : new boolean[] {false, true}) {
      Failure sluice =
          DropIn.sameVendorCode(
              db -> {
                Statement s = db.connect().createStatement();
                if (query) {
                  s.executeQuery("SELECT 1");
                } else {
                  s.execute("SELECT 1");
                  s.getResultSet();
                }
                return List.of(s.getResultSet() == null);
              });
      assertThat(sluice.sqlState()).isEqualTo("HY010");
    }
  }

  /** #19: getMoreResults and setFetchDirection take their arguments as plain does. */
  @Test
  void getMoreResultsAndFetchDirectionArguments() throws Exception {
    Outcome hint =
        DropIn.same(
            db -> {
              Statement s = db.connect().createStatement();
              s.setFetchDirection(ResultSet.FETCH_REVERSE);
              s.setFetchDirection(ResultSet.FETCH_UNKNOWN);
              s.execute("SELECT 1");
              return List.of(
                  s.getFetchDirection(), s.getMoreResults(Statement.CLOSE_CURRENT_RESULT));
            });
    assertThat(hint.result()).containsExactly("1000", "false");
    for (int bad : new int[] {99, Statement.KEEP_CURRENT_RESULT, Statement.CLOSE_ALL_RESULTS}) {
      DropIn.sameVendorCode(
          db -> {
            Statement s = db.connect().createStatement();
            s.execute("SELECT 1");
            return List.of(s.getMoreResults(bad));
          });
    }
    DropIn.sameVendorCode(
        db -> {
          db.connect().createStatement().setFetchDirection(42);
          return List.of();
        });
  }

  /** #19: metadata rows have a statement, and the connection answers isValid as plain. */
  @Test
  void metadataRowsHaveAStatementAndIsValidRunsAQuery() throws Exception {
    Outcome outcome =
        DropIn.same(
            db -> {
              Connection c = db.connect();
              exec(c, "CREATE TABLE t (id INTEGER PRIMARY KEY)");
              try (ResultSet r = c.getMetaData().getTables(null, null, "%", null)) {
                Statement owner = r.getStatement();
                boolean sameConnection = owner.getConnection() == c;
                boolean valid = c.isValid(1);
                c.close();
                return List.of(owner != null, sameConnection, valid, c.isValid(1));
              }
            });
    assertThat(outcome.result()).containsExactly("true", "true", "true", "false");
  }

  private static List<String> rows(ResultSet r) throws SQLException {
    List<String> out = new java.util.ArrayList<>();
    try (r) {
      int n = r.getMetaData().getColumnCount();
      while (r.next()) {
        StringBuilder b = new StringBuilder();
        for (int i = 1; i <= n; i++) {
          b.append(r.getMetaData().getColumnLabel(i))
              .append('=')
              .append(r.getString(i))
              .append(' ');
        }
        out.add(b.toString());
      }
    }
    return out;
  }

  /**
   * #19: keys read through DatabaseMetaData right after the DDL that made them (named,
   * multi-column, mixed-case, to a missing table) are plain's, column for column.
   */
  @Test
  void foreignAndPrimaryKeysRightAfterTheirDdl() throws Exception {
    Outcome outcome =
        DropIn.same(
            db -> {
              Connection c = db.connect();
              one(c, "SELECT count(*) FROM sqlite_schema");
              exec(
                  c,
                  "CREATE TABLE Parent (A INTEGER, b INTEGER, PRIMARY KEY (A, b))",
                  "CREATE TABLE child (id INTEGER PRIMARY KEY, pa INTEGER, pb INTEGER,"
                      + " CONSTRAINT fk_named FOREIGN KEY (pa, pb) REFERENCES Parent (A, b))",
                  "CREATE TABLE orphan (id INTEGER, x INTEGER REFERENCES missing (id))",
                  "CREATE TABLE Other (id INTEGER PRIMARY KEY, p INTEGER REFERENCES parent (a))",
                  "CREATE INDEX child_pa ON child (pa)");
              java.sql.DatabaseMetaData m = c.getMetaData();
              List<Object> out = new java.util.ArrayList<>();
              out.addAll(rows(m.getImportedKeys(null, null, "child")));
              out.addAll(rows(m.getExportedKeys(null, null, "Parent")));
              out.addAll(rows(m.getImportedKeys(null, null, "orphan")));
              out.addAll(rows(m.getImportedKeys(null, null, "Other")));
              out.addAll(rows(m.getCrossReference(null, null, "Parent", null, null, "child")));
              out.addAll(rows(m.getPrimaryKeys(null, null, "Parent")));
              out.addAll(rows(m.getIndexInfo(null, null, "child", false, false)));
              out.addAll(rows(m.getColumns(null, null, "child", "%")));
              return out;
            });
    assertThat(outcome.result()).anyMatch(r -> r.contains("FK_NAME=fk_named"));
  }

  /** #19: a pragma that reads the schema sees DDL another connection just committed. */
  @Test
  void schemaPragmaSeesAnotherConnectionsDdl() throws Exception {
    Outcome outcome =
        DropIn.same(
            db -> {
              Connection a = db.connect();
              Connection b = db.connect();
              exec(a, "CREATE TABLE p (id INTEGER PRIMARY KEY)");
              one(a, "SELECT count(*) FROM p");
              exec(b, "CREATE TABLE c (id INTEGER PRIMARY KEY, p INTEGER REFERENCES p (id))");
              List<Object> out = new java.util.ArrayList<>();
              for (int i = 0; i < 3; i++) {
                out.add(one(a, "SELECT count(*) FROM pragma_foreign_key_list('c')"));
                try (Statement s = a.createStatement();
                    ResultSet r = s.executeQuery("PRAGMA foreign_key_list('c')")) {
                  out.add(r.next() ? r.getString("table") : "none");
                }
              }
              return out;
            });
    assertThat(outcome.result()).containsExactly("1", "p", "1", "p", "1", "p");
  }

  /**
   * #19, deliberately better (design.md "Fidelity"): plain sqlite-jdbc refuses to drop a table
   * while its own connection reads it (SQLITE_LOCKED); through Sluice the read runs on a reader
   * with its own snapshot, so the drop succeeds and the open result set reads on.
   */
  @Test
  void droppingATableWhileItsRowsAreReadSucceedsAndTheReadGoesOn() throws Exception {
    Outcome plain = DropIn.run(DropIn.Target.PLAIN, DropInEdgesTest::dropWhileReading);
    Outcome sluice = DropIn.run(DropIn.Target.SLUICE, DropInEdgesTest::dropWhileReading);
    assertThat(plain.failure().vendorCode()).isEqualTo(6);
    assertThat(plain.content()).containsExactly("t[1]", "t[2]");
    assertThat(sluice.failure()).isNull();
    assertThat(sluice.result()).containsExactly("1", "2");
    assertThat(sluice.content()).isEmpty();
  }

  private static List<?> dropWhileReading(DropIn.Db db) throws SQLException {
    Connection c = db.connect();
    exec(c, "CREATE TABLE t (id INTEGER PRIMARY KEY)", "INSERT INTO t VALUES (1), (2)");
    try (Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT id FROM t ORDER BY id")) {
      r.next();
      long first = r.getLong(1);
      exec(c, "DROP TABLE t");
      r.next();
      return List.of(first, r.getLong(1));
    }
  }

  /**
   * Deliberately different (design.md "Fidelity"): a result set opened in auto-commit reads the
   * snapshot of its first row while its own connection inserts, updates or deletes rows ahead of
   * it. SQLite leaves it undefined whether such a scan sees its connection's later changes; plain's
   * index scan today does. Sluice's runs on a reader and never does, as a read of another
   * connection never does. Either way the write commits at once, and a result set opened inside the
   * connection's transaction reads on the writer and sees them, as on plain.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = ';',
      value = {
        "INSERT INTO t VALUES (4, 4); 2|2 3|3 4|4; 2|2 3|3",
        "UPDATE t SET v = 30 WHERE k = 3; 2|2 3|30; 2|2 3|3",
        "DELETE FROM t WHERE k = 2; 3|3; 2|2 3|3"
      })
  void aResultSetOpenInAutoCommitReadsItsSnapshotBesideItsConnectionsWrites(
      String write, String plainRows, String sluiceRows) throws Exception {
    Outcome plain = DropIn.run(DropIn.Target.PLAIN, db -> writeAheadOfOpenRead(db, write, false));
    Outcome sluice = DropIn.run(DropIn.Target.SLUICE, db -> writeAheadOfOpenRead(db, write, false));
    assertThat(plain.result()).containsExactly("1", "1", plainRows);
    assertThat(sluice.result()).containsExactly("1", "1", sluiceRows);
    assertThat(sluice.content()).isEqualTo(plain.content());
    // inside a transaction the read is on the writer: the same as plain
    DropIn.same(db -> writeAheadOfOpenRead(db, write, true));
    assertThat(
            DropIn.run(DropIn.Target.SLUICE, db -> writeAheadOfOpenRead(db, write, true)).result())
        .containsExactly("1", "1", plainRows);
  }

  private static List<?> writeAheadOfOpenRead(DropIn.Db db, String write, boolean transaction)
      throws SQLException {
    Connection c = db.connect();
    Connection other = db.connect();
    exec(
        c,
        "CREATE TABLE t (k INTEGER UNIQUE, v INTEGER)",
        "INSERT INTO t VALUES (1, 1), (2, 2), (3, 3)");
    c.setAutoCommit(!transaction);
    try (Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT k, v FROM t ORDER BY k")) {
      r.next();
      long first = r.getLong(1);
      exec(c, write);
      if (transaction) {
        c.commit();
      }
      long seenByOther =
          one(other, "SELECT count(*) FROM t WHERE k = 4 OR v = 30 OR k = 2")
                  == one(c, "SELECT count(*) FROM t WHERE k = 4 OR v = 30 OR k = 2")
              ? 1
              : 0;
      StringBuilder rest = new StringBuilder();
      while (r.next()) {
        rest.append(rest.length() == 0 ? "" : " ")
            .append(r.getLong(1))
            .append('|')
            .append(r.getLong(2));
      }
      return List.of(first, seenByOther, rest.toString());
    }
  }

  /**
   * Documented difference: {@code next()} on a result set that had run out of rows (or had none)
   * before its connection was closed answers {@code false} again on plain; Sluice throws, as JDBC
   * asks of a closed result set. With rows left, plain throws too ("stmt pointer is closed").
   */
  @Test
  void nextOnARunOutResultSetWhoseConnectionClosedThrows() throws Exception {
    Outcome plain = DropIn.run(DropIn.Target.PLAIN, DropInEdgesTest::nextAfterClose);
    Outcome sluice = DropIn.run(DropIn.Target.SLUICE, DropInEdgesTest::nextAfterClose);
    assertThat(plain.failure()).isNull();
    assertThat(plain.result()).containsExactly("false", "false");
    assertThat(sluice.failure()).isNotNull();
    assertThat(sluice.failure().message()).contains("closed");
    assertThat(sluice.content()).isEqualTo(plain.content());
  }

  private static List<?> nextAfterClose(DropIn.Db db) throws SQLException {
    Connection c = db.connect();
    exec(c, "CREATE TABLE t (id INTEGER PRIMARY KEY)");
    Statement s = c.createStatement();
    ResultSet r = s.executeQuery("SELECT id FROM t ORDER BY id");
    boolean before = r.next();
    c.close();
    return List.of(before, r.next());
  }

  /**
   * Documented difference: another connection's write beside a result set left open in auto-commit.
   * Plain's reading connection holds the file's shared lock (its default rollback journal), so the
   * write waits out its busy timeout and fails with SQLITE_BUSY; through Sluice the read runs on a
   * reader of a WAL database and the write commits.
   */
  @Test
  void anotherConnectionsWriteBesideAnOpenReadCommitsWhereOnPlainItIsBusy() throws Exception {
    Outcome plain = DropIn.run(DropIn.Target.PLAIN, DropInEdgesTest::writeBesideOpenRead);
    Outcome sluice = DropIn.run(DropIn.Target.SLUICE, DropInEdgesTest::writeBesideOpenRead);
    assertThat(plain.failure().vendorCode()).isEqualTo(5);
    assertThat(plain.content()).containsExactly("t[1]", "t[2]");
    assertThat(sluice.failure()).isNull();
    assertThat(sluice.result()).containsExactly("1", "1", "2");
    assertThat(sluice.content()).containsExactly("t[1]", "t[2]", "t[3]");
  }

  private static List<?> writeBesideOpenRead(DropIn.Db db) throws SQLException {
    Connection c = db.connect();
    Connection other = db.connect();
    exec(c, "CREATE TABLE t (id INTEGER PRIMARY KEY)", "INSERT INTO t VALUES (1), (2)");
    if (db.target() == DropIn.Target.PLAIN) {
      exec(other, "PRAGMA busy_timeout = 200"); // not 3 s; Sluice enforces its own
    }
    try (Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT id FROM t ORDER BY id")) {
      r.next();
      long first = r.getLong(1);
      int inserted;
      try (Statement w = other.createStatement()) {
        inserted = w.executeUpdate("INSERT INTO t VALUES (3)");
      }
      r.next();
      return List.of(first, inserted, r.getLong(1));
    }
  }

  /**
   * Documented difference: {@code isClosed()} answers as JDBC says where plain answers false. A
   * statement whose connection closed, a result set whose statement ran again: closed on Sluice,
   * "open" on plain although neither can be used there. And a statement whose {@code execute("")}
   * failed stays usable on Sluice, where plain's is finalized for good.
   */
  @Test
  void isClosedAnswersAsJdbcSaysAndAFailedEmptyStatementStaysUsable() throws Exception {
    Outcome plain = DropIn.run(DropIn.Target.PLAIN, DropInEdgesTest::closedStates);
    Outcome sluice = DropIn.run(DropIn.Target.SLUICE, DropInEdgesTest::closedStates);
    assertThat(plain.result()).containsExactly("x", "false", "failed", "false");
    assertThat(sluice.result()).containsExactly("x", "true", "1", "true");
    assertThat(sluice.content()).isEqualTo(plain.content());
  }

  private static List<?> closedStates(DropIn.Db db) throws SQLException {
    Connection c = db.connect();
    java.sql.PreparedStatement p = c.prepareStatement("SELECT ?");
    p.setString(1, "x");
    ResultSet first = p.executeQuery();
    first.next();
    String value = first.getString(1);
    p.executeQuery();
    Statement s = c.createStatement();
    String afterEmpty;
    try {
      s.execute("");
    } catch (SQLException expected) {
      // both drivers refuse an empty statement
    }
    try (ResultSet r = s.executeQuery("SELECT 1")) {
      r.next();
      afterEmpty = r.getString(1);
    } catch (SQLException e) {
      afterEmpty = "failed";
    }
    c.close();
    return List.of(value, first.isClosed(), afterEmpty, s.isClosed());
  }

  /**
   * #19: a statement closed by another thread while it runs inserts in a loop fails that thread at
   * once with a SQLException, as on plain (it never hangs); every row it reported is stored.
   */
  @Test
  void closingAStatementOrItsConnectionUnderAnotherThreadFailsItQuickly() throws Exception {
    for (boolean closeConnection : new boolean[] {false, true}) {
      Outcome outcome =
          DropIn.run(
              DropIn.Target.SLUICE,
              db -> {
                Connection c = db.connect();
                exec(c, "CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER)");
                java.sql.PreparedStatement p = c.prepareStatement("INSERT INTO t (v) VALUES (?)");
                java.util.concurrent.atomic.AtomicInteger reported =
                    new java.util.concurrent.atomic.AtomicInteger();
                java.util.concurrent.CountDownLatch started =
                    new java.util.concurrent.CountDownLatch(1);
                java.util.concurrent.ExecutorService pool =
                    java.util.concurrent.Executors.newSingleThreadExecutor();
                try {
                  java.util.concurrent.Future<Throwable> loop =
                      pool.submit(
                          () -> {
                            try {
                              for (int i = 0; i < 1_000_000; i++) {
                                p.setInt(1, i);
                                reported.addAndGet(p.executeUpdate());
                                started.countDown();
                              }
                              return null;
                            } catch (SQLException e) {
                              return e;
                            }
                          });
                  assertThat(started.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
                  if (closeConnection) {
                    c.close();
                  } else {
                    p.close();
                  }
                  Throwable failure = loop.get(10, java.util.concurrent.TimeUnit.SECONDS);
                  assertThat(failure).isInstanceOf(SQLException.class);
                  return List.of(reported.get());
                } finally {
                  pool.shutdownNow();
                }
              });
      assertThat(outcome.failure()).isNull();
      assertThat(outcome.content()).hasSize(Integer.parseInt(outcome.result().get(0)));
    }
  }

  /** #19: metadata while many result sets of the connection are open answers at once. */
  @Test
  void columnsWhileTwelveResultSetsAreOpen() throws Exception {
    Outcome outcome =
        DropIn.same(
            db -> {
              Connection c = db.connect();
              exec(
                  c,
                  "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)",
                  "INSERT INTO t VALUES (1, 'a')");
              List<ResultSet> open = new java.util.ArrayList<>();
              for (int i = 0; i < 12; i++) {
                ResultSet r = c.createStatement().executeQuery("SELECT id, v FROM t");
                r.next();
                open.add(r);
              }
              List<Object> out = new java.util.ArrayList<>();
              try (ResultSet columns = c.getMetaData().getColumns(null, null, "t", "%")) {
                while (columns.next()) {
                  out.add(columns.getString("COLUMN_NAME"));
                }
              }
              for (ResultSet r : open) {
                out.add(r.getString(2));
                r.close();
              }
              return out;
            });
    assertThat(outcome.result()).startsWith("id", "v", "a").hasSize(14);
  }
}
