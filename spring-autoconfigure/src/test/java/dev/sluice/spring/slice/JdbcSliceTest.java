package dev.sluice.spring.slice;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.SluiceDataSource;
import java.nio.file.Path;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.jdbc.test.autoconfigure.AutoConfigureTestDatabase;
import org.springframework.boot.jdbc.test.autoconfigure.AutoConfigureTestDatabase.Replace;
import org.springframework.boot.jdbc.test.autoconfigure.JdbcTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** Issue 22: a {@code @JdbcTest} on the application's database gets Sluice's data source. */
@JdbcTest
@AutoConfigureTestDatabase(replace = Replace.NONE)
@DirtiesContext
class JdbcSliceTest {
  @TempDir static Path dir;

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    SliceDatabase.register(registry, dir.resolve("jdbc.db"));
  }

  @Autowired DataSource dataSource;
  @Autowired JdbcTemplate jdbc;

  @Test
  void jdbcTemplateRunsOnSluice() {
    // Given Sluice's data source under the slice's JdbcTemplate
    assertThat(dataSource).isInstanceOf(SluiceDataSource.class);

    // When the test's transaction writes and reads
    jdbc.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
    int inserted = jdbc.update("INSERT INTO t (v) VALUES (?), (?)", "a", "b");

    // Then it sees its own writes, on the configured file in WAL mode
    assertThat(inserted).isEqualTo(2);
    assertThat(jdbc.queryForObject("SELECT count(*) FROM t", Integer.class)).isEqualTo(2);
    assertThat(jdbc.queryForObject("PRAGMA journal_mode", String.class)).isEqualTo("wal");
    assertThat(
            jdbc.queryForObject(
                "SELECT file FROM pragma_database_list WHERE name = 'main'", String.class))
        .isEqualTo(dir.resolve("jdbc.db").toString());
  }
}
