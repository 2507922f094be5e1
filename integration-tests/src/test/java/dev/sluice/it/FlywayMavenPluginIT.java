package dev.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Flyway's Maven plugin as a user configures it (issue 22, item 2): this module's build runs {@code
 * flyway:migrate}, {@code flyway:validate} and {@code flyway:info} before the integration tests,
 * once with a {@code jdbc:sluice:sqlite:} URL (the {@code sluice-flyway} and {@code sluice-core}
 * artifacts as the plugin's dependencies) and once with plain {@code jdbc:sqlite:}, both with
 * {@code foreign_keys=on}, on the base migrations and the 12-step table rebuild. This test reads
 * both files with plain sqlite-jdbc and asserts the same outcome.
 */
class FlywayMavenPluginIT {

  private static Path file(String name) {
    String dir = System.getProperty("flyway.plugin.dir", "target");
    return Path.of(dir, "flyway-plugin-" + name + ".db");
  }

  @Test
  void thePluginMigratesThroughSluiceAsThroughPlainSqliteJdbc() throws SQLException {
    // Given the two files the plugin migrated before this test
    Path sluice = file("sluice");
    Path plain = file("plain");
    assertThat(sluice).as("the plugin's jdbc:sluice: run left its file").exists();
    assertThat(plain).as("the plugin's jdbc:sqlite: run left its file").exists();

    // When both are read back
    List<String> sluiceHistory = history(sluice);
    List<String> plainHistory = history(plain);

    // Then the same four migrations succeeded, the data and schema are the same, keys intact
    assertThat(sluiceHistory)
        .containsExactly("1 schema true", "2 data true", "3 index true", "4 account rebuild true");
    assertThat(sluiceHistory).isEqualTo(plainHistory);
    assertThat(content(sluice)).isNotEmpty().isEqualTo(content(plain));
    assertThat(rows(sluice, "PRAGMA foreign_key_check")).isEmpty();
    assertThat(rows(sluice, "SELECT sql FROM sqlite_schema WHERE name = 'account'"))
        .singleElement()
        .asString()
        .contains("created");
    assertThat(rows(sluice, "PRAGMA integrity_check")).containsExactly("[ok]");
  }

  private static List<String> history(Path file) throws SQLException {
    return rows(
            file,
            "SELECT version || ' ' || description || ' ' || CASE success WHEN 1 THEN 'true'"
                + " ELSE 'false' END FROM flyway_schema_history WHERE version IS NOT NULL"
                + " ORDER BY installed_rank")
        .stream()
        .map(row -> row.substring(1, row.length() - 1))
        .toList();
  }

  /** Every table's rows, but Flyway's own history (times and checksums differ by run). */
  private static List<String> content(Path file) throws SQLException {
    List<String> all = new ArrayList<>();
    for (String table :
        rows(
            file,
            "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                + " AND name <> 'flyway_schema_history' ORDER BY name")) {
      String name = table.substring(1, table.length() - 1);
      for (String row : rows(file, "SELECT * FROM \"" + name + "\" ORDER BY 1")) {
        all.add(name + row);
      }
    }
    return all;
  }

  private static List<String> rows(Path file, String sql) throws SQLException {
    assertThat(Files.exists(file)).isTrue();
    List<String> rows = new ArrayList<>();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery(sql)) {
      ResultSetMetaData m = r.getMetaData();
      while (r.next()) {
        List<String> values = new ArrayList<>();
        for (int i = 1; i <= m.getColumnCount(); i++) {
          values.add(String.valueOf(r.getObject(i)));
        }
        rows.add(values.toString());
      }
    }
    return rows;
  }
}
