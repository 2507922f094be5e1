package dev.sluice.spring.slice;

import java.nio.file.Path;
import org.springframework.test.context.DynamicPropertyRegistry;

/** The properties every slice test here shares: a Sluice URL on a file of the test's own. */
final class SliceDatabase {
  private SliceDatabase() {}

  static void register(DynamicPropertyRegistry registry, Path file) {
    registry.add("spring.datasource.url", () -> "jdbc:sluice:sqlite:" + file);
    registry.add("spring.jpa.hibernate.ddl-auto", () -> "create");
    // Both are on this module's test class path; the slices here have no migrations.
    registry.add("spring.flyway.enabled", () -> "false");
    registry.add("spring.liquibase.enabled", () -> "false");
  }
}
