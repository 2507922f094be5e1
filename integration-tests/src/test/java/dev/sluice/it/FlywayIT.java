package dev.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.SluiceDataSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationState;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.core.api.output.MigrateResult;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Flyway 13 through Sluice (issue 22, item 2): every scenario runs four ways, plain sqlite-jdbc and
 * Sluice, each by {@code DataSource} and by URL (Sluice's URL through the {@code sluice-flyway}
 * plugin), on a file with {@code foreign_keys=on}. Where plain and Sluice must agree the test
 * asserts the same outcome for all four; the concurrent scenario asserts what holds for both
 * (acknowledged = stored) and, for Sluice, that no write failed, and logs each way's outcome.
 */
class FlywayIT {
  private static final Logger LOG = LoggerFactory.getLogger(FlywayIT.class);

  @TempDir Path dir;

  private static FluentConfiguration flyway(Target target, String... locations) {
    FluentConfiguration config = Flyway.configure().cleanDisabled(false).locations(locations);
    return target.access().byUrl()
        ? config.dataSource(target.url(), null, null)
        : config.dataSource(target.dataSource());
  }

  @ParameterizedTest
  @EnumSource(Access.class)
  void migrateInfoAndValidateAgreeOnEveryWay(Access access) throws SQLException {
    try (Target target = Target.open(access, dir.resolve("app.db"))) {
      // Given three migrations
      Flyway flyway = flyway(target, "classpath:db/flyway/base").load();

      // When Flyway migrates, then reports and validates
      MigrateResult result = flyway.migrate();
      MigrationInfo[] applied = flyway.info().applied();
      flyway.validate();

      // Then all three are applied and successful, and the data is there
      assertThat(result.success).isTrue();
      assertThat(result.migrationsExecuted).isEqualTo(3);
      assertThat(applied)
          .extracting(MigrationInfo::getState)
          .containsExactly(MigrationState.SUCCESS, MigrationState.SUCCESS, MigrationState.SUCCESS);
      assertThat(flyway.info().pending()).isEmpty();
      assertThat(target.count("SELECT sum(amount) FROM orders")).isEqualTo(100);
      assertThat(flyway.migrate().migrationsExecuted).isZero();
    }
  }

  @ParameterizedTest
  @EnumSource(Access.class)
  void cleanDropsEveryTable(Access access) throws SQLException {
    try (Target target = Target.openWithoutForeignKeys(access, dir.resolve("app.db"))) {
      // Given a migrated database whose tables reference each other
      Flyway flyway = flyway(target, "classpath:db/flyway/base").load();
      flyway.migrate();

      // When Flyway cleans it
      flyway.clean();

      // Then no table, index or history is left, and it migrates again from scratch
      assertThat(target.query("SELECT name FROM sqlite_schema WHERE name NOT LIKE 'sqlite%'"))
          .isEmpty();
      assertThat(flyway.info().applied()).isEmpty();
      assertThat(flyway.migrate().migrationsExecuted).isEqualTo(3);
    }
  }

  /**
   * With {@code foreign_keys=on}, Flyway 13 drops each table with one string of three statements,
   * {@code PRAGMA foreign_keys = OFF; DROP TABLE ...; PRAGMA foreign_keys = ON}, and sqlite-jdbc
   * runs only the first statement of a string: {@code clean} reports success and drops nothing.
   * Sluice does exactly what plain does (and refuses nothing).
   */
  @ParameterizedTest
  @EnumSource(Access.class)
  void cleanWithForeignKeysOnDropsNothingAsOnPlain(Access access) throws SQLException {
    try (Target target = Target.open(access, dir.resolve("app.db"))) {
      // Given a migrated database with foreign keys on
      Flyway flyway = flyway(target, "classpath:db/flyway/base").load();
      flyway.migrate();

      // When Flyway cleans it
      var result = flyway.clean();

      // Then, as on plain sqlite-jdbc, it reports the schema cleaned and every table is still there
      assertThat(result.schemasCleaned).containsExactly("main");
      assertThat(target.query("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name"))
          .containsExactly("account", "event", "flyway_schema_history", "orders");
      assertThat(target.count("SELECT count(*) FROM orders")).isEqualTo(4);
    }
  }

  @ParameterizedTest
  @EnumSource(Access.class)
  void aMigrationFailingInsideItsTransactionLeavesNoTraceAndItsFixApplies(Access access)
      throws SQLException {
    try (Target target = Target.open(access, dir.resolve("app.db"))) {
      // Given a migrated database and a next migration that fails at its third statement
      flyway(target, "classpath:db/flyway/base").load().migrate();
      Flyway broken =
          flyway(target, "classpath:db/flyway/base", "classpath:db/flyway/broken-tx").load();

      // When Flyway runs it
      // Then it fails, its transaction is rolled back (no table), nothing is recorded as applied
      assertThatThrownBy(broken::migrate)
          .isInstanceOf(FlywayException.class)
          .hasMessageContaining("no_such_table");
      assertThat(target.count("SELECT count(*) FROM sqlite_schema WHERE name = 'audit'")).isZero();
      assertThat(broken.info().current().getVersion().getVersion()).isEqualTo("3");

      // When the migration is fixed, repaired and run again
      Flyway fixed = flyway(target, "classpath:db/flyway/base", "classpath:db/flyway/fixed").load();
      fixed.repair();
      MigrateResult result = fixed.migrate();

      // Then it applies
      assertThat(result.migrationsExecuted).isEqualTo(1);
      assertThat(target.query("SELECT note FROM audit")).containsExactly("fixed");
    }
  }

  @ParameterizedTest
  @EnumSource(Access.class)
  void aMigrationFailingOutsideATransactionIsRepairedAndItsFixApplies(Access access)
      throws SQLException {
    try (Target target = Target.open(access, dir.resolve("app.db"))) {
      // Given a migrated database and a next migration, run outside a transaction, that fails at
      // its third statement
      flyway(target, "classpath:db/flyway/base").load().migrate();
      Flyway broken =
          flyway(target, "classpath:db/flyway/base", "classpath:db/flyway/broken-notx").load();

      // When Flyway runs it
      // Then it fails, its first two statements stay, and the history records the failure
      assertThatThrownBy(broken::migrate)
          .isInstanceOf(FlywayException.class)
          .hasMessageContaining("no_such_table");
      assertThat(target.query("SELECT note FROM audit")).containsExactly("before the mistake");
      assertThat(broken.info().current().getState()).isEqualTo(MigrationState.FAILED);

      // When the failed entry is repaired and the fixed migration runs
      Flyway fixed = flyway(target, "classpath:db/flyway/base", "classpath:db/flyway/fixed").load();
      fixed.repair();
      MigrateResult result = fixed.migrate();

      // Then the fix applies over what the failure left, and the history is clean
      assertThat(result.migrationsExecuted).isEqualTo(1);
      assertThat(target.query("SELECT note FROM audit")).containsExactly("fixed");
      assertThat(fixed.info().applied())
          .extracting(MigrationInfo::getState)
          .containsOnly(MigrationState.SUCCESS);
    }
  }

  @ParameterizedTest
  @EnumSource(Access.class)
  void theTwelveStepRebuildWithForeignKeysOffKeepsDataAndForeignKeys(Access access)
      throws SQLException {
    try (Target target = Target.open(access, dir.resolve("app.db"))) {
      // Given a parent table with children, and a migration that rebuilds the parent the way
      // SQLite documents: PRAGMA foreign_keys=OFF, new table, copy, drop, rename, check, ON
      flyway(target, "classpath:db/flyway/base").load().migrate();
      Flyway rebuild =
          flyway(target, "classpath:db/flyway/base", "classpath:db/flyway/rebuild")
              .mixed(true)
              .load();

      // When Flyway runs it
      MigrateResult result = rebuild.migrate();

      // Then the parent has its new column, every row and child is kept, nothing dangles
      assertThat(result.success).isTrue();
      assertThat(target.query("SELECT owner FROM account ORDER BY id"))
          .containsExactly("ada", "bob", "cy");
      assertThat(target.query("SELECT created FROM account")).containsOnly("2026-01-01");
      assertThat(target.count("SELECT count(*) FROM orders")).isEqualTo(4);
      assertThat(target.query("PRAGMA foreign_key_check")).isEmpty();

      // And the application's connections still enforce foreign keys, against the new table
      try (Connection c = target.connection();
          Statement s = c.createStatement()) {
        assertThat(pragma(s, "foreign_keys")).isEqualTo(1);
        assertThatThrownBy(
                () -> s.executeUpdate("INSERT INTO orders (account_id, amount) VALUES (99, 1)"))
            .isInstanceOf(SQLException.class)
            .satisfies(e -> assertThat(((SQLException) e).getErrorCode()).isEqualTo(19));
        assertThat(s.executeUpdate("INSERT INTO orders (account_id, amount) VALUES (2, 5)"))
            .isEqualTo(1);
      }
    }
  }

  private static int pragma(Statement s, String name) throws SQLException {
    try (var rs = s.executeQuery("PRAGMA " + name)) {
      assertThat(rs.next()).isTrue();
      return rs.getInt(1);
    }
  }

  @ParameterizedTest
  @EnumSource(Access.class)
  void migratingBesideFourWritingThreadsLosesNoWrite(Access access) throws Exception {
    try (Target target = Target.open(access, dir.resolve("app.db"))) {
      // Given a database at version 1 and four application threads inserting into it
      flyway(target, "classpath:db/flyway/base").target("1").load().migrate();
      Flyway flyway = flyway(target, "classpath:db/flyway/base", "classpath:db/flyway/more").load();
      List<Writers.Result> results;
      String migration;
      boolean migrated;
      try (Writers writers = new Writers(target)) {
        writers.start();

        // When Flyway migrates V2 to V6 while they insert
        long started = System.nanoTime();
        try {
          migrated = flyway.migrate().success;
          migration = "applied in " + (System.nanoTime() - started) / 1_000_000 + " ms";
        } catch (FlywayException e) {
          migrated = false;
          migration = "failed: " + e.getMessage().lines().findFirst().orElse("");
        }
        results = writers.stop();
      }
      LOG.info(
          "Flyway beside 4 writers, {}: migration {}; inserts acknowledged {}, failed {}",
          access,
          migration,
          Writers.acknowledged(results),
          Writers.failed(results));

      // Then, both ways: exactly the acknowledged inserts are in the file
      Writers.assertStoredExactlyAcknowledged(target, results);
      // And through Sluice: the migration applied and no insert failed
      if (access.sluice()) {
        assertThat(migrated).as(migration).isTrue();
        assertThat(flyway.info().current().getVersion().getVersion()).isEqualTo("6");
        assertThat(Writers.failed(results)).as("failed inserts").isZero();
        assertThat(target.count("SELECT sum(balance) FROM account")).isEqualTo(3000L * 3001 / 2);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Access.class)
  void anApplicationRestartedBesideAnotherDatabaseOfTheSameNameMigratesAgain(Access access)
      throws Exception {
    // Given another open database whose file has the same name, meters in the same registry
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    // (a file name no other test uses: a URL engine of another test class, idle for up to a
    // minute, would otherwise hold one of the derived names this test expects free)
    Path other = Files.createDirectories(dir.resolve("other")).resolve("restart.db");
    Path app = Files.createDirectories(dir.resolve("app")).resolve("restart.db");
    try (Target neighbour = Target.open(access, other, registry)) {
      flyway(neighbour, "classpath:db/flyway/base").load().migrate();

      // And the application's database, migrated, then closed as at shutdown
      String firstName;
      try (Target first = Target.open(access, app, registry)) {
        flyway(first, "classpath:db/flyway/base").load().migrate();
        firstName = name(first);
      }

      // When the application starts again and migrates with a new migration
      try (Target restarted = Target.open(access, app, registry)) {
        flyway(restarted, "classpath:db/flyway/base").load().validate();
        Flyway flyway =
            flyway(restarted, "classpath:db/flyway/base", "classpath:db/flyway/more").load();
        MigrateResult result = flyway.migrate();

        // Then it opens under the same name and applies only the new migrations
        assertThat(name(restarted)).isEqualTo(firstName);
        assertThat(result.migrationsExecuted).isEqualTo(3);
        assertThat(restarted.count("SELECT count(*) FROM ledger")).isEqualTo(3000);
      }
      assertThat(neighbour.count("SELECT count(*) FROM account")).isEqualTo(3);
    }
  }

  private static String name(Target target) {
    return target.access().sluice() && !target.access().byUrl()
        ? ((SluiceDataSource) target.dataSource()).getName()
        : target.access().toString();
  }
}
