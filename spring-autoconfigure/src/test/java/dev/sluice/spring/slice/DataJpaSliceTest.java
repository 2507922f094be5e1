package dev.sluice.spring.slice;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.SluiceDataSource;
import java.nio.file.Path;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.data.jpa.test.autoconfigure.DataJpaTest;
import org.springframework.boot.jdbc.test.autoconfigure.AutoConfigureTestDatabase;
import org.springframework.boot.jdbc.test.autoconfigure.AutoConfigureTestDatabase.Replace;
import org.springframework.boot.jpa.test.autoconfigure.TestEntityManager;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Issue 22: a {@code @DataJpaTest} that keeps the application's database ({@code replace = NONE})
 * with H2 on the class path gets Sluice's data source, not Boot's pool with H2's driver ("Driver
 * org.h2.Driver claims to not accept jdbcUrl").
 */
@DataJpaTest
@AutoConfigureTestDatabase(replace = Replace.NONE)
@DirtiesContext
class DataJpaSliceTest {
  @TempDir static Path dir;

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    SliceDatabase.register(registry, dir.resolve("jpa.db"));
  }

  @Autowired DataSource dataSource;
  @Autowired ItemRepository items;
  @Autowired TestEntityManager entities;

  @Test
  void theSliceGetsSluicesDataSourceOnTheConfiguredFile() {
    assertThat(dataSource).isInstanceOf(SluiceDataSource.class);
    Object file =
        entities
            .getEntityManager()
            .createNativeQuery("SELECT file FROM pragma_database_list WHERE name = 'main'")
            .getSingleResult();
    assertThat(file).isEqualTo(dir.resolve("jpa.db").toString());
    assertThat(
            entities.getEntityManager().createNativeQuery("PRAGMA journal_mode").getSingleResult())
        .isEqualTo("wal");
  }

  @Test
  void repositoriesSaveAndFindThroughIt() {
    // Given two saved items
    Item first = items.saveAndFlush(new Item("first"));
    Item second = items.saveAndFlush(new Item("second"));

    // When they are read back
    entities.clear();

    // Then each got its own IDENTITY key, and queries find them
    assertThat(second.getId()).isEqualTo(first.getId() + 1);
    assertThat(items.findByName("second"))
        .singleElement()
        .extracting(Item::getId)
        .isEqualTo(second.getId());
    assertThat(items.count()).isEqualTo(2);
  }
}
