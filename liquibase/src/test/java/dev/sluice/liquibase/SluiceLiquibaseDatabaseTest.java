package dev.sluice.liquibase;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.SluiceDriver;
import dev.sluice.driver.Engines;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import liquibase.command.CommandScope;
import liquibase.database.DatabaseFactory;
import liquibase.database.jvm.JdbcConnection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SluiceLiquibaseDatabaseTest {
  @TempDir Path dir;

  /**
   * The driver keeps an engine per file open after its last connection; it is closed before the
   * temporary directory is deleted, or its reader pool, still filling itself, may create a file in
   * it meanwhile (the deletion then fails).
   */
  @AfterEach
  void closeEngines() {
    Engines.closeAll();
  }

  @Test
  void liquibaseUpdatesThroughAJdbcSluiceUrlWithoutADriverSetting() throws Exception {
    // Given a database reached only by a jdbc:sluice: URL, as Liquibase's command line gets it
    String file = dir.resolve("app.db").toString();

    // When Liquibase updates it, no driver named
    new CommandScope("update")
        .addArgumentValue("changelogFile", "db/changelog.sql")
        .addArgumentValue("url", "jdbc:sluice:sqlite:" + file + "?foreign_keys=on")
        .execute();

    // Then both change sets are applied, and the file holds them for plain sqlite-jdbc too
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT (SELECT count(*) FROM DATABASECHANGELOG), (SELECT count(*) FROM orders)")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getInt(1)).isEqualTo(2);
      assertThat(rs.getInt(2)).isEqualTo(1);
    }
  }

  @Test
  void liquibaseFindsSluicesDriverForASluiceUrlAndSqliteJdbcsForAPlainOne() {
    // Given Liquibase's database factory, this extension found through its service locator
    DatabaseFactory factory = DatabaseFactory.getInstance();

    // When it looks up the default driver of a Sluice URL and of a plain one
    // Then the Sluice URL gets Sluice's driver, in any case, and the plain URL keeps sqlite-jdbc's
    assertThat(factory.findDefaultDriver("jdbc:sluice:sqlite:app.db"))
        .isEqualTo(SluiceDriver.class.getName());
    assertThat(factory.findDefaultDriver("JDBC:SLUICE:SQLITE:app.db"))
        .isEqualTo(SluiceDriver.class.getName());
    assertThat(factory.findDefaultDriver("jdbc:sqlite:app.db")).isEqualTo("org.sqlite.JDBC");
  }

  @Test
  void aSluiceConnectionIsLiquibasesOwnSqliteDatabase() throws Exception {
    // Given a Sluice connection
    try (Connection c = DriverManager.getConnection("jdbc:sluice:sqlite:" + dir.resolve("b.db"))) {
      // When Liquibase picks the database for it
      var database =
          DatabaseFactory.getInstance().findCorrectDatabaseImplementation(new JdbcConnection(c));

      // Then it is Liquibase's SQLite support, not this extension
      assertThat(database.getShortName()).isEqualTo("sqlite");
      assertThat(database).isNotInstanceOf(SluiceLiquibaseDatabase.class);
    }
  }
}
