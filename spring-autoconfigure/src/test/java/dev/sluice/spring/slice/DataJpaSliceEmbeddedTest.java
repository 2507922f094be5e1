package dev.sluice.spring.slice;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.SluiceDataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.data.jpa.test.autoconfigure.DataJpaTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A {@code @DataJpaTest} without {@code replace = NONE} keeps Boot's behaviour: the application's
 * data source, Sluice's included, is replaced by an embedded database (H2 here), and the SQLite
 * file is never opened.
 */
@DataJpaTest
@DirtiesContext
class DataJpaSliceEmbeddedTest {
  @TempDir static Path dir;

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    SliceDatabase.register(registry, dir.resolve("replaced.db"));
  }

  @Autowired DataSource dataSource;
  @Autowired ItemRepository items;

  @Test
  void bootsEmbeddedDatabaseReplacesSluices() throws SQLException {
    assertThat(dataSource).isNotInstanceOf(SluiceDataSource.class);
    try (Connection c = dataSource.getConnection()) {
      assertThat(c.getMetaData().getDatabaseProductName()).isEqualTo("H2");
    }
    items.saveAndFlush(new Item("embedded"));
    assertThat(items.count()).isEqualTo(1);
    assertThat(Files.exists(dir.resolve("replaced.db"))).isFalse();
  }
}
