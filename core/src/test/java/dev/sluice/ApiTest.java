package dev.sluice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.DriverPropertyInfo;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The public API's smaller corners: driver metadata, data source properties, units of work. */
class ApiTest {
  @RegisterExtension final TestDatabase db = new TestDatabase();

  @Test
  void driverDescribesEveryOptionWithItsDefault() throws SQLException {
    SluiceDriver driver = (SluiceDriver) DriverManager.getDriver("jdbc:sluice:sqlite:x.db");
    Properties given = new Properties();
    given.setProperty("sluice.readers", "3");
    DriverPropertyInfo[] info = driver.getPropertyInfo("jdbc:sluice:sqlite:x.db", given);
    assertThat(Arrays.stream(info).map(i -> i.name)).contains("sluice.readers", "sluice.name");
    DriverPropertyInfo readers =
        Arrays.stream(info).filter(i -> i.name.equals("sluice.readers")).findFirst().orElseThrow();
    assertThat(readers.value).isEqualTo("3");
    assertThat(readers.description).contains("reader pool");
    // and sqlite-jdbc's own, which pass through, as plain's driver lists them
    given.setProperty("busy_timeout", "4321");
    DriverPropertyInfo[] plain = new org.sqlite.JDBC().getPropertyInfo("jdbc:sqlite:x.db", null);
    DriverPropertyInfo[] both = driver.getPropertyInfo("jdbc:sluice:sqlite:x.db", given);
    assertThat(Arrays.stream(both).filter(i -> !i.name.startsWith("sluice.")))
        .hasSize(plain.length);
    assertThat(Arrays.stream(both).map(i -> i.name))
        .contains("sluice.readers")
        .containsAll(Arrays.stream(plain).map(i -> i.name).toList());
    assertThat(Arrays.stream(both).filter(i -> i.name.equals("busy_timeout")).findFirst())
        .hasValueSatisfying(i -> assertThat(i.value).isEqualTo("4321"));
    assertThat(driver.jdbcCompliant()).isFalse();
    assertThat(driver.getMajorVersion()).isZero();
    assertThat(driver.connect("jdbc:h2:mem:x", new Properties())).isNull();
    assertThatThrownBy(driver::getParentLogger).isInstanceOf(SQLFeatureNotSupportedException.class);
  }

  @Test
  void dataSourceBasics() throws SQLException {
    SluiceDataSource ds = db.dataSource();
    assertThat(ds.getName()).isNotBlank();
    assertThat(ds.toString()).contains(ds.getName());
    ds.setLoginTimeout(7);
    assertThat(ds.getLoginTimeout()).isEqualTo(7);
    assertThat(ds.getLogWriter()).isNull();
    assertThat(ds.isWrapperFor(SluiceDataSource.class)).isTrue();
    assertThat(ds.unwrap(javax.sql.DataSource.class)).isSameAs(ds);
    assertThatThrownBy(ds::getParentLogger).isInstanceOf(SQLFeatureNotSupportedException.class);
    try (Connection c = ds.getConnection("user", "ignored")) {
      assertThat(c.isValid(1)).isTrue();
    }
    assertThat(ds.isClosed()).isFalse();
    ds.close();
    assertThat(ds.isClosed()).isTrue();
  }

  @Test
  void connectionCountsCountTheHeldWriterAndTheLentReaders() throws SQLException {
    // Given a data source with three readers and one writer
    SluiceDataSource ds = db.track(db.builder().readers(3).build());
    assertThat(ds.getMaxConnections()).isEqualTo(4);
    try (Connection setup = ds.getConnection();
        Statement s = setup.createStatement()) {
      s.execute("CREATE TABLE t (x)");
    }
    try (Connection writing = ds.getConnection();
        Connection reading = ds.getConnection();
        Statement w = writing.createStatement();
        Statement r = reading.createStatement()) {
      // When one transaction holds the writer and a read-only one holds a reader
      writing.setAutoCommit(false);
      w.executeUpdate("INSERT INTO t VALUES (1)");
      reading.setReadOnly(true);
      reading.setAutoCommit(false);
      try (ResultSet rs = r.executeQuery("SELECT count(*) FROM t")) {
        assertThat(rs.next()).isTrue();
      }
      // Then both are active, and no more connections are idle than the rest
      assertThat(ds.getActiveConnections()).isEqualTo(2);
      assertThat(ds.getIdleConnections()).isBetween(0, 2);
      writing.rollback();
      reading.commit();
    }
    // And once both ended, none is active; once closed, none is counted
    assertThat(ds.getActiveConnections()).isZero();
    assertThat(ds.getIdleConnections()).isBetween(1, 4);
    ds.close();
    assertThat(ds.getActiveConnections()).isZero();
    assertThat(ds.getIdleConnections()).isZero();
  }

  @Test
  void inMemoryDataSourceCountsItsOneConnection() throws SQLException {
    try (SluiceDataSource ds = SluiceDataSource.builder().url("jdbc:sqlite::memory:").build()) {
      assertThat(ds.getMaxConnections()).isEqualTo(1);
      assertThat(ds.getActiveConnections()).isZero();
      assertThat(ds.getIdleConnections()).isEqualTo(1);
    }
  }

  @Test
  void builderWithoutUrlSaysWhatToDo() {
    assertThatThrownBy(() -> SluiceDataSource.builder().build())
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("url(");
  }

  @Test
  void readOnlyUnitSeesOneSnapshotAndRefusesWrites() throws SQLException {
    SluiceDataSource ds = db.dataSource();
    ds.inTransaction(
        c -> {
          try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t (x)");
            return s.executeUpdate("INSERT INTO t VALUES (1), (2)");
          }
        });
    long count =
        ds.inReadOnlyTransaction(
            c -> {
              try (Statement s = c.createStatement();
                  ResultSet r = s.executeQuery("SELECT count(*) FROM t")) {
                r.next();
                assertThat(c.isReadOnly()).isTrue();
                return r.getLong(1);
              }
            });
    assertThat(count).isEqualTo(2);
    assertThatThrownBy(
            () ->
                ds.inReadOnlyTransaction(
                    c -> {
                      try (Statement s = c.createStatement()) {
                        return s.executeUpdate("INSERT INTO t VALUES (3)");
                      }
                    }))
        .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("25006"));
    assertThat(db.rawLong("SELECT count(*) FROM t")).isEqualTo(2);
  }

  @Test
  void aUnitThatThrowsIsRolledBackAndItsExceptionPassesThrough() throws SQLException {
    SluiceDataSource ds = db.dataSource();
    db.rawExec("CREATE TABLE t (x)");
    IllegalStateException boom = new IllegalStateException("boom");
    assertThatThrownBy(
            () ->
                ds.inTransaction(
                    c -> {
                      try (Statement s = c.createStatement()) {
                        s.executeUpdate("INSERT INTO t VALUES (1)");
                      }
                      throw boom;
                    }))
        .isSameAs(boom);
    assertThat(db.rawLong("SELECT count(*) FROM t")).isZero();
  }
}
