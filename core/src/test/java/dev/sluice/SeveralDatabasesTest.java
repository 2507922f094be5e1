package dev.sluice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.Statement;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Several databases open at once in one JVM, as plain sqlite-jdbc allows: files of the same name in
 * different folders, data sources closed and reopened, test suites that open one database per
 * class, and in-memory databases (docs/design.md, "Names and several databases").
 */
class SeveralDatabasesTest {
  @RegisterExtension final TestDatabase db = new TestDatabase();

  /** A file name no other test uses, so default names are predictable: {@code <base>.db}. */
  private String base() {
    return db.dir().getFileName().toString();
  }

  private Path fileIn(String folder) throws IOException {
    return Files.createDirectories(db.dir().resolve(folder)).resolve(base() + ".db");
  }

  private SluiceDataSource open(Path file, MeterRegistry registry) throws SQLException {
    return db.track(
        SluiceDataSource.builder()
            .url("jdbc:sqlite:" + file)
            .readers(2)
            .meterRegistry(registry)
            .build());
  }

  private static void exec(Connection c, String... sqls) throws SQLException {
    try (Statement s = c.createStatement()) {
      for (String sql : sqls) {
        s.execute(sql);
      }
    }
  }

  private static long count(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet r = s.executeQuery(sql)) {
      r.next();
      return r.getLong(1);
    }
  }

  private static long rows(Path file) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
      return count(c, "SELECT count(*) FROM t");
    }
  }

  private static long writes(MeterRegistry registry, String datasource) {
    return registry
        .find("sluice.statements")
        .tag("datasource", datasource)
        .tag("route", "write")
        .tag("outcome", "success")
        .timers()
        .stream()
        .mapToLong(Timer::count)
        .sum();
  }

  /** The {@code datasource} tags of Sluice meters in a registry that start with a prefix. */
  private static Set<String> datasources(MeterRegistry registry, String prefix) {
    Set<String> names = new TreeSet<>();
    for (Meter m : registry.find("sluice.writer.queue").meters()) {
      String name = m.getId().getTag("datasource");
      if (name != null && name.startsWith(prefix)) {
        names.add(name);
      }
    }
    return names;
  }

  private static long metersTagged(MeterRegistry registry, String key, String value) {
    return registry.getMeters().stream().filter(m -> value.equals(m.getId().getTag(key))).count();
  }

  @Test
  void filesOfTheSameNameInTwoFoldersOpenTogetherThroughTheDriver() throws Exception {
    // Given
    Path a = fileIn("a");
    Path b = fileIn("b");

    // When
    try (Connection ca = DriverManager.getConnection("jdbc:sluice:sqlite:" + a);
        Connection cb = DriverManager.getConnection("jdbc:sluice:sqlite:" + b)) {
      exec(ca, "CREATE TABLE t (x)", "INSERT INTO t VALUES (1)");
      exec(cb, "CREATE TABLE t (x)", "INSERT INTO t VALUES (1), (2)");

      // Then
      assertThat(count(ca, "SELECT count(*) FROM t")).isEqualTo(1);
      assertThat(count(cb, "SELECT count(*) FROM t")).isEqualTo(2);
    }
    assertThat(rows(a)).isEqualTo(1);
    assertThat(rows(b)).isEqualTo(2);
    // The global registry, with no registry added to it, keeps meters but records nothing.
    assertThat(datasources(Metrics.globalRegistry, base())).containsExactly(base(), base() + "-2");
  }

  @Test
  void metersOfTwoEnginesAreBothVisibleUnderDistinctDefaultNames() throws Exception {
    // Given
    SluiceDataSource first = open(fileIn("a"), db.registry);
    SluiceDataSource second = open(fileIn("b"), db.registry);

    // When
    try (Connection c = first.getConnection()) {
      exec(c, "CREATE TABLE t (x)", "INSERT INTO t VALUES (1)");
    }
    try (Connection c = second.getConnection()) {
      exec(c, "CREATE TABLE t (x)");
      for (int i = 0; i < 4; i++) {
        exec(c, "INSERT INTO t VALUES (" + i + ")");
      }
    }

    // Then
    assertThat(first.getName()).isEqualTo(base());
    assertThat(second.getName()).isEqualTo(base() + "-2");
    assertThat(datasources(db.registry, base())).containsExactly(base(), base() + "-2");
    assertThat(writes(db.registry, base())).isEqualTo(2);
    assertThat(writes(db.registry, base() + "-2")).isEqualTo(5);
    assertThat(db.registry.get("hikaricp.connections.max").tag("pool", base() + "-2-readers"))
        .satisfies(g -> assertThat(g.gauge().value()).isEqualTo(2));
    assertThat(rows(fileIn("a"))).isEqualTo(1);
    assertThat(rows(fileIn("b"))).isEqualTo(4);
  }

  @Test
  void aClosedDataSourceReopensUnderItsNameWhileAnotherOfTheSameFileNameIsOpen() throws Exception {
    // Given
    SluiceDataSource first = open(fileIn("a"), db.registry);
    SluiceDataSource second = open(fileIn("b"), db.registry);
    try (Connection c = second.getConnection()) {
      exec(c, "CREATE TABLE t (x)", "INSERT INTO t VALUES (1), (2)");
    }

    // When
    second.close();

    // Then its meters, HikariCP's included, left the registry; the other's stayed
    assertThat(metersTagged(db.registry, "datasource", base() + "-2")).isZero();
    assertThat(metersTagged(db.registry, "pool", base() + "-2-readers")).isZero();
    assertThat(metersTagged(db.registry, "datasource", base())).isPositive();

    // When
    SluiceDataSource reopened = open(fileIn("b"), db.registry);
    SluiceDataSource third = open(fileIn("c"), db.registry);

    // Then
    assertThat(reopened.getName()).isEqualTo(base() + "-2");
    assertThat(third.getName()).isEqualTo(base() + "-3");
    try (Connection c = reopened.getConnection()) {
      assertThat(count(c, "SELECT count(*) FROM t")).isEqualTo(2);
      exec(c, "INSERT INTO t VALUES (3)");
    }
    assertThat(writes(db.registry, base() + "-2")).isEqualTo(1);
    try (Connection c = first.getConnection()) {
      exec(c, "CREATE TABLE t (x)");
      assertThat(count(c, "SELECT count(*) FROM t")).isZero();
    }
    assertThat(rows(fileIn("b"))).isEqualTo(3);
  }

  @Test
  void anExplicitNameInUseInTheSameRegistryFailsAtOpenWith08001() throws Exception {
    // Given
    Path a = fileIn("a");
    Path b = fileIn("b");
    SluiceDataSource first =
        db.track(
            SluiceDataSource.builder()
                .url("jdbc:sqlite:" + a)
                .name("orders")
                .meterRegistry(db.registry)
                .build());
    SluiceDataSource.Builder second =
        SluiceDataSource.builder()
            .url("jdbc:sqlite:" + b)
            .name("orders")
            .meterRegistry(db.registry);

    // When, Then
    assertThatThrownBy(second::build)
        .isInstanceOf(SQLNonTransientConnectionException.class)
        .hasMessageContaining("sluice.name \"orders\"")
        .hasMessageContaining(a.toString())
        .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("08001"));
    assertThat(b).doesNotExist();
    try (Connection c = first.getConnection()) {
      exec(c, "CREATE TABLE t (x)", "INSERT INTO t VALUES (1)");
      assertThat(count(c, "SELECT count(*) FROM t")).isEqualTo(1);
    }
    assertThat(writes(db.registry, "orders")).isEqualTo(2);

    // When
    first.close();
    SluiceDataSource again = db.track(second.build());

    // Then
    assertThat(again.getName()).isEqualTo("orders");
    try (Connection c = again.getConnection()) {
      exec(c, "CREATE TABLE t (x)", "INSERT INTO t VALUES (1), (2)");
    }
    assertThat(writes(db.registry, "orders")).isEqualTo(2);
    assertThat(rows(b)).isEqualTo(2);
  }

  @Test
  void anExplicitNameMayRepeatInAnotherRegistry() throws Exception {
    // Given
    SimpleMeterRegistry other = new SimpleMeterRegistry();
    SluiceDataSource first =
        db.track(
            SluiceDataSource.builder()
                .url("jdbc:sqlite:" + fileIn("a"))
                .name("orders")
                .meterRegistry(db.registry)
                .build());

    // When
    SluiceDataSource second =
        db.track(
            SluiceDataSource.builder()
                .url("jdbc:sqlite:" + fileIn("b"))
                .name("orders")
                .meterRegistry(other)
                .build());
    try (Connection c = first.getConnection()) {
      exec(c, "CREATE TABLE t (x)");
    }
    try (Connection c = second.getConnection()) {
      exec(c, "CREATE TABLE t (x)", "INSERT INTO t VALUES (1)", "INSERT INTO t VALUES (2)");
    }

    // Then
    assertThat(second.getName()).isEqualTo("orders");
    assertThat(writes(db.registry, "orders")).isEqualTo(1);
    assertThat(writes(other, "orders")).isEqualTo(3);
    assertThat(rows(fileIn("b"))).isEqualTo(2);
  }

  /** What connections to one URL see of each other's table, in the order of {@link #seen}. */
  record Seen(
      boolean secondSeesTable,
      long rowsInFirst,
      long rowsInSecondAfterFirstClosed,
      boolean thirdSeesTable) {}

  private static boolean hasTable(Connection c) throws SQLException {
    return count(c, "SELECT count(*) FROM sqlite_master WHERE name = 't'") == 1;
  }

  /**
   * The first connection makes a table with one row; the second adds one row to it if it sees it,
   * else makes its own with three; the first closes, then the second; a third looks for the table.
   */
  private static Seen seen(String url) throws SQLException {
    try (Connection first = DriverManager.getConnection(url);
        Connection second = DriverManager.getConnection(url)) {
      exec(first, "CREATE TABLE t (x)", "INSERT INTO t VALUES (1)");
      boolean secondSees = hasTable(second);
      if (secondSees) {
        exec(second, "INSERT INTO t VALUES (2)");
      } else {
        exec(second, "CREATE TABLE t (x)", "INSERT INTO t VALUES (2), (3), (4)");
      }
      long rowsInFirst = count(first, "SELECT count(*) FROM t");
      first.close();
      long rowsInSecond = count(second, "SELECT count(*) FROM t");
      second.close();
      try (Connection third = DriverManager.getConnection(url)) {
        return new Seen(secondSees, rowsInFirst, rowsInSecond, hasTable(third));
      }
    }
  }

  @Test
  void inMemoryAndTemporaryDatabasesAreSharedExactlyWhenPlainSqliteJdbcSharesThem()
      throws SQLException {
    Seen privateDatabase = new Seen(false, 1, 3, false);
    Seen sharedWhileOpen = new Seen(true, 2, 2, false);
    String named = "file:" + base();
    String[][] cases = {
      {":memory:", "private"},
      {"", "private"},
      {"file::memory:", "private"},
      {named + "-p?mode=memory", "private"},
      {named + "-s?mode=memory&cache=shared", "shared"},
      {"file::memory:?cache=shared", "shared"},
    };
    for (String[] c : cases) {
      // Given, When
      Seen plain = seen("jdbc:sqlite:" + c[0]);
      Seen sluice = seen("jdbc:sluice:sqlite:" + c[0]);

      // Then
      assertThat(plain)
          .as("plain %s", c[0])
          .isEqualTo(c[1].equals("private") ? privateDatabase : sharedWhileOpen);
      assertThat(sluice).as("sluice %s", c[0]).isEqualTo(plain);
    }
  }

  @Test
  void eachMemoryConnectionHasItsOwnEngineClosedWithTheConnection() throws SQLException {
    // Given
    Set<String> before = datasources(Metrics.globalRegistry, "memory");

    // When
    Set<String> whileOpen;
    try (Connection a = DriverManager.getConnection("jdbc:sluice:sqlite::memory:");
        Connection b = DriverManager.getConnection("jdbc:sluice:sqlite::memory:")) {
      exec(a, "CREATE TABLE t (x)", "INSERT INTO t VALUES (1), (2)");
      exec(b, "CREATE TABLE t (x)", "INSERT INTO t VALUES (1)");
      assertThat(count(a, "SELECT count(*) FROM t")).isEqualTo(2);
      assertThat(count(b, "SELECT count(*) FROM t")).isEqualTo(1);
      whileOpen = datasources(Metrics.globalRegistry, "memory");
    }

    // Then
    assertThat(whileOpen).containsAll(before).hasSize(before.size() + 2);
    assertThat(datasources(Metrics.globalRegistry, "memory")).isEqualTo(before);
  }

  @Test
  void memoryConnectionsOfOneUrlWithAGivenNameAreEachPrivate() throws SQLException {
    // Given
    String name = base() + "-mem";
    String url = "jdbc:sluice:sqlite::memory:?sluice.name=" + name;

    // When
    Set<String> whileOpen;
    try (Connection a = DriverManager.getConnection(url);
        Connection b = DriverManager.getConnection(url)) {
      exec(a, "CREATE TABLE t (x)", "INSERT INTO t VALUES (1), (2), (3)");
      assertThat(hasTable(b)).isFalse();
      exec(b, "CREATE TABLE t (x)", "INSERT INTO t VALUES (1)");
      assertThat(count(a, "SELECT count(*) FROM t")).isEqualTo(3);
      assertThat(count(b, "SELECT count(*) FROM t")).isEqualTo(1);
      whileOpen = datasources(Metrics.globalRegistry, name);
    }

    // Then
    assertThat(whileOpen).containsExactly(name, name + "-2");
    assertThat(datasources(Metrics.globalRegistry, name)).isEmpty();
  }
}
