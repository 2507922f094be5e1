package dev.sluice.spring;

import org.springframework.boot.autoconfigure.condition.ConditionMessage;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Matches when {@code spring.datasource.url} is a {@code jdbc:sluice:sqlite:} URL, or a plain
 * {@code jdbc:sqlite:} URL with {@code sluice.spring.plain-sqlite=true}: Boot cannot find a driver
 * class for the first, and the second is opt-in because an app may want Boot's own pool there.
 * Stateless, thread-safe.
 */
final class OnSluiceUrlCondition extends SpringBootCondition {
  static final String URL_PROPERTY = "spring.datasource.url";
  static final String PLAIN_SQLITE_PROPERTY = "sluice.spring.plain-sqlite";
  static final String SLUICE_PREFIX = "jdbc:sluice:sqlite:";
  static final String SQLITE_PREFIX = "jdbc:sqlite:";

  @Override
  public ConditionOutcome getMatchOutcome(
      ConditionContext context, AnnotatedTypeMetadata metadata) {
    ConditionMessage.Builder message = ConditionMessage.forCondition("Sluice data source URL");
    String url = context.getEnvironment().getProperty(URL_PROPERTY);
    if (url == null || url.isBlank()) {
      return ConditionOutcome.noMatch(message.didNotFind("property").items(URL_PROPERTY));
    }
    if (startsWith(url, SLUICE_PREFIX)) {
      return ConditionOutcome.match(message.found(URL_PROPERTY).items(SLUICE_PREFIX + "..."));
    }
    if (startsWith(url, SQLITE_PREFIX)) {
      boolean plain =
          Binder.get(context.getEnvironment())
              .bind(PLAIN_SQLITE_PROPERTY, Boolean.class)
              .orElse(Boolean.FALSE);
      return plain
          ? ConditionOutcome.match(
              message
                  .found(URL_PROPERTY)
                  .items(SQLITE_PREFIX + "... with " + PLAIN_SQLITE_PROPERTY))
          : ConditionOutcome.noMatch(
              message.because(
                  URL_PROPERTY
                      + " is a plain "
                      + SQLITE_PREFIX
                      + " URL and "
                      + PLAIN_SQLITE_PROPERTY
                      + " is not true"));
    }
    return ConditionOutcome.noMatch(
        message.because(URL_PROPERTY + " is not a " + SLUICE_PREFIX + " URL"));
  }

  private static boolean startsWith(String url, String prefix) {
    return url.regionMatches(true, 0, prefix, 0, prefix.length());
  }
}
