package dev.sluice;

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
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * The edges of issue #19 that plain sqlite-jdbc users rely on (errors, URLs, statements, metadata),
 * each run through {@link DropIn} against plain sqlite-jdbc and Sluice.
 */
class DropInEdgesTest {

  private static void exec(Connection c, String... sqls) throws SQLException {
    try (Statement s = c.createStatement()) {
      for (String sql : sqls) {
        s.execute(sql);
      }
    }
  }

  private static long one(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet r = s.executeQuery(sql)) {
      r.next();
      return r.getLong(1);
    }
  }

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
}
