package dev.sluice;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.driver.Option;
import dev.sluice.metrics.MeterNames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's tables are generated from the code: this fails when they drift apart. */
class DocumentationTest {
  private static String readme() throws IOException {
    return Files.readString(Path.of("..", "README.md"));
  }

  @Test
  void readmeCarriesTheGeneratedOptionsTable() throws IOException {
    assertThat(readme()).contains(Option.markdownTable());
  }

  @Test
  void readmeCarriesTheGeneratedMetricsTable() throws IOException {
    assertThat(readme()).contains(MeterNames.markdownTable());
  }

  @Test
  void readmeOpensWithTheDemoAndTheTestCommand() throws IOException {
    String top = readme().lines().limit(6).reduce("", (a, b) -> a + b + "\n");
    assertThat(top).contains("exec:java").contains("./mvnw -B verify");
  }
}
