package dev.sluice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.Statement;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.sqlite.Function;

/**
 * A connection initializer runs on every physical connection, so a user function registered there
 * works whatever the route of the statement that calls it: on a reader, on the writer, in a
 * transaction (design.md, Extension points).
 */
class ConnectionInitializerTest {
  @RegisterExtension final TestDatabase db = new TestDatabase();

  /** Registers {@code REGEXP}, which SQLite parses but leaves to the application. */
  public static final class Regexp implements SluiceConnectionInitializer {
    @Override
    public void initialize(Connection connection) throws SQLException {
      Function.create(
          connection,
          "regexp",
          new Function() {
            @Override
            protected void xFunc() throws SQLException {
              result(Pattern.compile(value_text(0)).matcher(value_text(1)).find() ? 1 : 0);
            }
          });
    }
  }

  private static long one(Statement s, String sql) throws SQLException {
    try (ResultSet r = s.executeQuery(sql)) {
      r.next();
      return r.getLong(1);
    }
  }

  private static void useRegexpOnEveryRoute(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("CREATE TABLE t (v TEXT)");
      s.execute("INSERT INTO t VALUES ('abc'), ('xyz'), ('b')");
      // A read on a reader, a write on the writer, and both inside a transaction
      assertThat(one(s, "SELECT count(*) FROM t WHERE v REGEXP 'b'")).isEqualTo(2);
      assertThat(s.executeUpdate("DELETE FROM t WHERE v REGEXP '^x'")).isEqualTo(1);
      c.setAutoCommit(false);
      assertThat(one(s, "SELECT count(*) FROM t WHERE v REGEXP 'c$'")).isEqualTo(1);
      assertThat(s.executeUpdate("UPDATE t SET v = 'bb' WHERE v REGEXP '^b$'")).isEqualTo(1);
      c.commit();
      c.setAutoCommit(true);
      c.setReadOnly(true);
      assertThat(one(s, "SELECT count(*) FROM t WHERE v REGEXP 'b+'")).isEqualTo(2);
    }
  }

  @Test
  void aFunctionRegisteredByTheBuildersInitializerWorksOnReadersAndTheWriter() throws Exception {
    // Given a data source whose initializer registers REGEXP
    SluiceDataSource ds = db.track(db.builder().connectionInitializer(new Regexp()).build());
    // When and then: statements on every route can call it
    try (Connection c = ds.getConnection()) {
      useRegexpOnEveryRoute(c);
    }
    assertThat(db.rawLong("SELECT count(*) FROM t WHERE v = 'bb'")).isEqualTo(1);
  }

  @Test
  void anInitializerNamedInTheUrlRunsOnEveryConnection() throws Exception {
    // Given the initializer named by class in the URL
    String url =
        db.sluiceUrl("sluice.connectionInitializer=" + Regexp.class.getName().replace('$', '$'));
    try (Connection c = DriverManager.getConnection(url)) {
      // When and then: statements on every route can call it
      useRegexpOnEveryRoute(c);
    } finally {
      dev.sluice.driver.Engines.close(url, null);
    }
    assertThat(db.rawLong("SELECT count(*) FROM t")).isEqualTo(2);
  }

  @Test
  void anInitializerClassThatCannotBeMadeFailsTheOpenWith08001() {
    // Given an initializer class that does not exist, then the open fails and names the option
    assertThatThrownBy(
            () ->
                db.track(
                    db.builder().option("sluice.connectionInitializer", "no.such.Init").build()))
        .isInstanceOf(SQLNonTransientConnectionException.class)
        .hasMessageContaining("sluice.connectionInitializer")
        .extracting(e -> ((SQLException) e).getSQLState())
        .isEqualTo("08001");
  }
}
