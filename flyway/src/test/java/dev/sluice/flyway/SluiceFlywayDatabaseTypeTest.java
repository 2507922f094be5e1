package dev.sluice.flyway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.SluiceDriver;
import dev.sluice.driver.Engines;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.flywaydb.core.internal.database.DatabaseType;
import org.flywaydb.core.internal.database.DatabaseTypeRegister;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SluiceFlywayDatabaseTypeTest {
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
  void flywayMigratesThroughAJdbcSluiceUrl() throws SQLException {
    // Given a database reached only by a jdbc:sluice: URL, as Flyway's command line gets it
    String file = dir.resolve("app.db").toString();
    Flyway flyway =
        Flyway.configure()
            .dataSource("jdbc:sluice:sqlite:" + file + "?foreign_keys=on", null, null)
            .locations("classpath:db/plugin")
            .load();

    // When Flyway migrates
    MigrateResult result = flyway.migrate();

    // Then both migrations are applied, and the file holds them for plain sqlite-jdbc too
    assertThat(result.success).isTrue();
    assertThat(result.migrationsExecuted).isEqualTo(2);
    assertThat(flyway.info().current().getVersion().getVersion()).isEqualTo("2");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT (SELECT count(*) FROM account), (SELECT count(*) FROM orders)")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getInt(1)).isEqualTo(1);
      assertThat(rs.getInt(2)).isEqualTo(1);
    }
  }

  @Test
  void onlyThisTypeAnswersASluiceUrlAndItNamesSluicesDriver() {
    // Given Flyway's register of database types, this plugin found through its ServiceLoader
    String url = "jdbc:sluice:sqlite:app.db";

    // When Flyway looks for the types that handle a Sluice URL
    var types = DatabaseTypeRegister.getDatabaseTypesForUrl(url, null);

    // Then it finds exactly this one, and it names Sluice's driver
    assertThat(types).hasSize(1).first().isInstanceOf(SluiceFlywayDatabaseType.class);
    assertThat(((DatabaseType) types.get(0)).getDriverClass(url, getClass().getClassLoader()))
        .isEqualTo(SluiceDriver.class.getName());
  }

  @Test
  void aPlainSqliteUrlStaysWithFlywaysOwnType() {
    // Given a plain sqlite-jdbc URL and one in upper case
    SluiceFlywayDatabaseType type = new SluiceFlywayDatabaseType();

    // When this type is asked about them, and about a connection
    // Then it answers only the Sluice URL in any case, and never claims a connection
    assertThat(type.handlesJDBCUrl("jdbc:sqlite:app.db")).isFalse();
    assertThat(type.handlesJDBCUrl("JDBC:SLUICE:SQLITE:app.db")).isTrue();
    assertThat(DatabaseTypeRegister.getDatabaseTypesForUrl("jdbc:sqlite:app.db", null))
        .noneMatch(SluiceFlywayDatabaseType.class::isInstance);
    assertThat(type.handlesDatabaseProductNameAndVersion("SQLite", "3.54.1", null)).isFalse();
  }
}
