package dev.sluice.spring;

import org.springframework.boot.autoconfigure.condition.ConditionMessage;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Matches when a migration tool's own URL ({@code spring.flyway.url}, {@code spring.liquibase.url})
 * is a {@code jdbc:sluice:sqlite:} URL, which Boot alone would open as a second engine or not at
 * all (it finds no driver class for it). Stateless, thread-safe.
 */
abstract class OnSluiceMigrationUrlCondition extends SpringBootCondition {
  private final String property;

  OnSluiceMigrationUrlCondition(String property) {
    this.property = property;
  }

  @Override
  public ConditionOutcome getMatchOutcome(
      ConditionContext context, AnnotatedTypeMetadata metadata) {
    ConditionMessage.Builder message = ConditionMessage.forCondition("Sluice migration URL");
    String url = context.getEnvironment().getProperty(property);
    if (url != null
        && url.regionMatches(
            true,
            0,
            OnSluiceUrlCondition.SLUICE_PREFIX,
            0,
            OnSluiceUrlCondition.SLUICE_PREFIX.length())) {
      return ConditionOutcome.match(message.found(property).items(url));
    }
    return ConditionOutcome.noMatch(
        message.because(property + " is not a " + OnSluiceUrlCondition.SLUICE_PREFIX + " URL"));
  }

  /** Flyway's {@code spring.flyway.url}. */
  static final class Flyway extends OnSluiceMigrationUrlCondition {
    Flyway() {
      super("spring.flyway.url");
    }
  }

  /** Liquibase's {@code spring.liquibase.url}. */
  static final class Liquibase extends OnSluiceMigrationUrlCondition {
    Liquibase() {
      super("spring.liquibase.url");
    }
  }
}
