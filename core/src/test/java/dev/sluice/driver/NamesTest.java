package dev.sluice.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Names of live engines: derived ones made unique, given ones kept or refused per registry. */
class NamesTest {
  @TempDir Path dir;
  private final Names names = new Names();
  private final MeterRegistry registry = new SimpleMeterRegistry();

  private Settings settings(String folder, String query) throws Exception {
    Path file = Files.createDirectories(dir.resolve(folder)).resolve("app.db");
    return Settings.parse("jdbc:sluice:sqlite:" + file + query, null);
  }

  @Test
  void derivedNamesTakeTheFirstFreeSuffix() throws Exception {
    // Given
    Names.Claim first = names.claim(settings("a", ""), registry, false);
    Names.Claim second = names.claim(settings("b", ""), registry, false);
    Names.Claim third = names.claim(settings("c", ""), null, false);

    // When the second is given back
    second.release();
    Names.Claim fourth = names.claim(settings("d", ""), registry, false);

    // Then
    assertThat(first.name()).isEqualTo("app");
    assertThat(second.name()).isEqualTo("app-2");
    assertThat(third.name()).isEqualTo("app-3");
    assertThat(fourth.name()).isEqualTo("app-2");
  }

  @Test
  void aDerivedNameSkipsNamesGivenToOtherEngines() throws Exception {
    // Given
    Names.Claim given =
        names.claim(settings("a", "?sluice.name=app"), new SimpleMeterRegistry(), true);

    // When
    Names.Claim derived = names.claim(settings("b", ""), registry, false);

    // Then
    assertThat(given.name()).isEqualTo("app");
    assertThat(derived.name()).isEqualTo("app-2");
  }

  @Test
  void aGivenNameIsRefusedOnlyWhileItsHolderRegistersInTheSameRegistry() throws Exception {
    // Given
    Names.Claim first = names.claim(settings("a", "?sluice.name=orders"), registry, true);

    // When, Then
    assertThatThrownBy(() -> names.claim(settings("b", "?sluice.name=orders"), registry, true))
        .isInstanceOf(SQLNonTransientConnectionException.class)
        .hasMessageContaining("sluice.name \"orders\" is already used")
        .hasMessageContaining(dir.resolve("a").resolve("app.db").toString())
        .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("08001"));
    assertThat(
            names
                .claim(settings("c", "?sluice.name=orders"), new SimpleMeterRegistry(), true)
                .name())
        .isEqualTo("orders");
    assertThat(names.claim(settings("d", "?sluice.name=orders"), null, true).name())
        .isEqualTo("orders");

    // When
    first.release();
    first.release();

    // Then
    assertThat(names.claim(settings("e", "?sluice.name=orders"), registry, true).name())
        .isEqualTo("orders");
  }

  @Test
  void aGivenNameThatNeedNotBeExactIsMadeUniqueLikeADerivedOne() throws Exception {
    // Given, When
    Names.Claim first = names.claim(settings("a", "?sluice.name=mem"), registry, false);
    Names.Claim second = names.claim(settings("b", "?sluice.name=mem"), registry, false);

    // Then
    assertThat(first.name()).isEqualTo("mem");
    assertThat(second.name()).isEqualTo("mem-2");
  }
}
