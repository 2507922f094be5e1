package dev.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import liquibase.command.CommandResults;
import liquibase.command.CommandScope;
import liquibase.database.Database;
import liquibase.database.DatabaseFactory;
import liquibase.database.jvm.JdbcConnection;
import liquibase.exception.CommandExecutionException;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Liquibase 4.33 through Sluice (issue 22, item 2): every scenario runs four ways, plain
 * sqlite-jdbc and Sluice, each by {@code DataSource} (a connection handed to Liquibase, as Spring's
 * {@code SpringLiquibase} does) and by URL (Liquibase opens it, as its command line and Maven
 * plugin do; {@code sluice-liquibase} names Sluice's driver for {@code jdbc:sluice:}), on a file
 * with {@code foreign_keys=on}. Where plain and Sluice must agree the test asserts the same outcome
 * for all four; the concurrent scenario asserts what holds for both and, for Sluice, that no write
 * failed, and logs each way's outcome.
 */
class LiquibaseIT {
  private static final Logger LOG = LoggerFactory.getLogger(LiquibaseIT.class);

  @TempDir Path dir;

  /** Runs one Liquibase command against the target and returns its results. */
  private static CommandResults liquibase(
      Target target, String command, String changelog, Map<String, Object> arguments)
      throws Exception {
    CommandScope scope = new CommandScope(command);
    if (changelog != null) {
      scope.addArgumentValue("changelogFile", changelog);
    }
    arguments.forEach(scope::addArgumentValue);
    if (target.access().byUrl()) {
      scope.addArgumentValue("url", target.url());
      return scope.execute();
    }
    try (Connection c = target.dataSource().getConnection()) {
      Database database =
          DatabaseFactory.getInstance().findCorrectDatabaseImplementation(new JdbcConnection(c));
      scope.addArgumentValue("database", database);
      return scope.execute();
    }
  }

  private static CommandResults liquibase(Target target, String command, String changelog)
      throws Exception {
    return liquibase(target, command, changelog, Map.of());
  }

  private static String status(Target target, String changelog) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    CommandScope scope = new CommandScope("status").setOutput(out);
    scope.addArgumentValue("changelogFile", changelog);
    scope.addArgumentValue("verbose", true);
    if (target.access().byUrl()) {
      scope.addArgumentValue("url", target.url());
      scope.execute();
    } else {
      try (Connection c = target.dataSource().getConnection()) {
        scope.addArgumentValue(
            "database",
            DatabaseFactory.getInstance().findCorrectDatabaseImplementation(new JdbcConnection(c)));
        scope.execute();
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static List<Object> applied(Target target) throws SQLException {
    return target.query("SELECT id FROM DATABASECHANGELOG ORDER BY orderexecuted");
  }

  @ParameterizedTest
  @EnumSource(Access.class)
  void updateStatusAndValidateAgreeOnEveryWay(Access access) throws Exception {
    try (Target target = Target.open(access, dir.resolve("app.db"))) {
      // Given a changelog of three change sets
      String changelog = "db/liquibase/base.xml";

      // When Liquibase updates, then reports status and validates
      liquibase(target, "update", changelog);
      String status = status(target, changelog);
      liquibase(target, "validate", changelog);

      // Then all three are applied, nothing is pending, and the data is there
      assertThat(applied(target)).containsExactly("1", "2", "3");
      assertThat(status).contains("is up to date");
      assertThat(target.count("SELECT sum(amount) FROM orders")).isEqualTo(100);
      liquibase(target, "update", changelog);
      assertThat(applied(target)).hasSize(3);
    }
  }

  @ParameterizedTest
  @EnumSource(Access.class)
  void dropAllDropsEveryTable(Access access) throws Exception {
    try (Target target = Target.open(access, dir.resolve("app.db"))) {
      // Given an updated database with tables, an index and a view
      liquibase(target, "update", "db/liquibase/nofk.xml");

      // When Liquibase drops everything
      liquibase(target, "dropAll", null);

      // Then nothing of the application is left, and it updates again from scratch
      assertThat(
              target.query(
                  "SELECT name FROM sqlite_schema WHERE name NOT LIKE 'sqlite%'"
                      + " AND name NOT LIKE 'DATABASECHANGELOG%'"))
          .isEmpty();
      liquibase(target, "update", "db/liquibase/nofk.xml");
      assertThat(target.count("SELECT count(*) FROM account_notes")).isEqualTo(3);
    }
  }

  /**
   * Liquibase 4.33 drops foreign keys before tables and has no SQLite generator for that, so {@code
   * dropAll} fails on a schema with foreign keys whatever the driver; Sluice fails the same way and
   * the schema is untouched.
   */
  @ParameterizedTest
  @EnumSource(Access.class)
  void dropAllFailsAsOnPlainWhenTablesHaveForeignKeys(Access access) throws Exception {
    try (Target target = Target.open(access, dir.resolve("app.db"))) {
      // Given an updated database whose tables reference each other
      liquibase(target, "update", "db/liquibase/base.xml");

      // When Liquibase drops everything
      // Then it fails before dropping anything, as on plain sqlite-jdbc
      assertThatThrownBy(() -> liquibase(target, "dropAll", null))
          .isInstanceOf(CommandExecutionException.class)
          .hasMessageContaining("DropForeignKeyConstraintStatement");
      assertThat(target.count("SELECT count(*) FROM orders")).isEqualTo(4);
    }
  }

  @ParameterizedTest
  @EnumSource(Access.class)
  void aChangeSetFailingInsideItsTransactionLeavesNoTraceAndItsFixApplies(Access access)
      throws Exception {
    try (Target target = Target.open(access, dir.resolve("app.db"))) {
      // Given an updated database and a next change set that fails at its third statement
      liquibase(target, "update", "db/liquibase/base.xml");

      // When Liquibase runs it
      // Then it fails, its transaction is rolled back (no table), nothing is recorded
      assertThatThrownBy(() -> liquibase(target, "update", "db/liquibase/with-broken-tx.xml"))
          .isInstanceOf(CommandExecutionException.class)
          .hasMessageContaining("no_such_table");
      assertThat(target.count("SELECT count(*) FROM sqlite_schema WHERE name = 'audit'")).isZero();
      assertThat(applied(target)).containsExactly("1", "2", "3");

      // When the change set is fixed and run again
      liquibase(target, "update", "db/liquibase/with-fixed.xml");

      // Then it applies
      assertThat(applied(target)).containsExactly("1", "2", "3", "4");
      assertThat(target.query("SELECT note FROM audit")).containsExactly("fixed");
    }
  }

  @ParameterizedTest
  @EnumSource(Access.class)
  void aChangeSetFailingOutsideATransactionKeepsItsFirstStatementsAndItsFixApplies(Access access)
      throws Exception {
    try (Target target = Target.open(access, dir.resolve("app.db"))) {
      // Given an updated database and a next change set, run outside a transaction, that fails at
      // its third statement
      liquibase(target, "update", "db/liquibase/base.xml");

      // When Liquibase runs it
      // Then it fails, its first two statements stay, and it is not recorded as applied
      assertThatThrownBy(() -> liquibase(target, "update", "db/liquibase/with-broken-notx.xml"))
          .isInstanceOf(CommandExecutionException.class)
          .hasMessageContaining("no_such_table");
      assertThat(target.query("SELECT note FROM audit")).containsExactly("before the mistake");
      assertThat(applied(target)).containsExactly("1", "2", "3");

      // When the fixed change set runs over what the failure left
      liquibase(target, "update", "db/liquibase/with-fixed.xml");

      // Then it applies
      assertThat(applied(target)).containsExactly("1", "2", "3", "4");
      assertThat(target.query("SELECT note FROM audit")).containsExactly("fixed");
    }
  }

  @ParameterizedTest
  @EnumSource(Access.class)
  void aLockLeftByAKilledRunIsReleasedAndChecksumsAreCleared(Access access) throws Exception {
    try (Target target = Target.open(access, dir.resolve("app.db"))) {
      // Given an updated database whose Liquibase lock a killed run left taken
      liquibase(target, "update", "db/liquibase/base.xml");
      try (Connection c = target.connection();
          Statement s = c.createStatement()) {
        s.executeUpdate(
            "UPDATE DATABASECHANGELOGLOCK SET LOCKED = 1, LOCKEDBY = 'killed' WHERE ID = 1");
      }

      // When Liquibase's repairs run: release the lock, clear the checksums
      liquibase(target, "releaseLocks", null);
      liquibase(target, "clearChecksums", null);

      // Then the lock is free, checksums are empty until the next update recomputes them
      assertThat(target.count("SELECT LOCKED FROM DATABASECHANGELOGLOCK")).isZero();
      assertThat(target.count("SELECT count(*) FROM DATABASECHANGELOG WHERE MD5SUM IS NULL"))
          .isEqualTo(3);
      liquibase(target, "update", "db/liquibase/with-more.xml");
      assertThat(target.count("SELECT count(*) FROM DATABASECHANGELOG WHERE MD5SUM IS NULL"))
          .isZero();
      assertThat(applied(target)).containsExactly("1", "2", "3", "4", "5", "6");
    }
  }

  @ParameterizedTest
  @EnumSource(Access.class)
  void theTwelveStepRebuildWithForeignKeysOffKeepsDataAndForeignKeys(Access access)
      throws Exception {
    try (Target target = Target.open(access, dir.resolve("app.db"))) {
      // Given a parent table with children, and a change set, outside a transaction, that
      // rebuilds the parent the way SQLite documents
      liquibase(target, "update", "db/liquibase/base.xml");

      // When Liquibase runs it
      liquibase(target, "update", "db/liquibase/with-rebuild.xml");

      // Then the parent has its new column, every row and child is kept, nothing dangles
      assertThat(target.query("SELECT owner FROM account ORDER BY id"))
          .containsExactly("ada", "bob", "cy");
      assertThat(target.query("SELECT created FROM account")).containsOnly("2026-01-01");
      assertThat(target.count("SELECT count(*) FROM orders")).isEqualTo(4);
      assertThat(target.query("PRAGMA foreign_key_check")).isEmpty();

      // And the application's connections still enforce foreign keys, against the new table
      try (Connection c = target.connection();
          Statement s = c.createStatement()) {
        assertThatThrownBy(
                () -> s.executeUpdate("INSERT INTO orders (account_id, amount) VALUES (99, 1)"))
            .isInstanceOf(SQLException.class)
            .satisfies(e -> assertThat(((SQLException) e).getErrorCode()).isEqualTo(19));
        assertThat(s.executeUpdate("INSERT INTO orders (account_id, amount) VALUES (2, 5)"))
            .isEqualTo(1);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Access.class)
  void updatingBesideFourWritingThreadsLosesNoWrite(Access access) throws Exception {
    try (Target target = Target.open(access, dir.resolve("app.db"))) {
      // Given an updated database and four application threads inserting into it
      liquibase(target, "update", "db/liquibase/base.xml");
      List<Writers.Result> results;
      String update;
      boolean updated;
      try (Writers writers = new Writers(target)) {
        writers.start();

        // When Liquibase applies three more change sets while they insert
        long started = System.nanoTime();
        try {
          liquibase(target, "update", "db/liquibase/with-more.xml");
          updated = true;
          update = "applied in " + (System.nanoTime() - started) / 1_000_000 + " ms";
        } catch (CommandExecutionException e) {
          updated = false;
          update = "failed: " + String.valueOf(e.getMessage()).lines().findFirst().orElse("");
        }
        results = writers.stop();
      }
      LOG.info(
          "Liquibase beside 4 writers, {}: update {}; inserts acknowledged {}, failed {}",
          access,
          update,
          Writers.acknowledged(results),
          Writers.failed(results));

      // Then, both ways: exactly the acknowledged inserts are in the file
      Writers.assertStoredExactlyAcknowledged(target, results);
      // And through Sluice: the update applied and no insert failed
      if (access.sluice()) {
        assertThat(updated).as(update).isTrue();
        assertThat(applied(target)).containsExactly("1", "2", "3", "4", "5", "6");
        assertThat(Writers.failed(results)).as("failed inserts").isZero();
        assertThat(target.count("SELECT sum(balance) FROM account")).isEqualTo(3000L * 3001 / 2);
      }
    }
  }
}
