package dev.sluice.spring;

import java.sql.SQLException;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;

/**
 * Turns a startup failure caused by Sluice refusing to open the database (SQLState 08001 from
 * Sluice: an invalid option or pragma value, a pragma that read back differently, a missing
 * directory, a file that is not a database) into Boot's "Description / Action" report. Other
 * failures, and Sluice's transient 08001 (writer not available in time), are left to other
 * analyzers. Registered in {@code META-INF/spring.factories}. Stateless, thread-safe.
 */
final class SluiceFailureAnalyzer implements FailureAnalyzer {
  private static final String CANNOT_OPEN = "08001";
  private static final Pattern PRAGMA = Pattern.compile("(?:PRAGMA |sluice\\.pragma\\.)([a-z_]+)");

  @Override
  public FailureAnalysis analyze(Throwable failure) {
    SQLException open = openError(failure);
    if (open == null) {
      return null;
    }
    String message = open.getMessage();
    return new FailureAnalysis(
        "Sluice could not open the SQLite database of spring.datasource.url:\n\n    " + message,
        action(message),
        open);
  }

  /** The first Sluice open-time error in the cause chain, or null. */
  private static SQLException openError(Throwable failure) {
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Throwable t = failure; t != null && seen.add(t); t = t.getCause()) {
      // A refusal of Sluice's own, or a SQLite error at open (an org.sqlite.SQLiteException).
      if (t instanceof SQLException e && CANNOT_OPEN.equals(e.getSQLState()) && thrownBySluice(e)) {
        return e;
      }
    }
    return null;
  }

  /** Whether Sluice's core made the exception (its factory is the top frame), not this module. */
  private static boolean thrownBySluice(Throwable t) {
    StackTraceElement[] stack = t.getStackTrace();
    if (stack.length == 0) {
      return false;
    }
    String origin = stack[0].getClassName();
    return origin.startsWith("dev.sluice.") && !origin.startsWith("dev.sluice.spring.");
  }

  private static String action(String message) {
    String general =
        "Each sluice.* property (or URL parameter) is the Sluice option of the same name; see the"
            + " options table in Sluice's README.";
    Matcher pragma = PRAGMA.matcher(message);
    if (pragma.lookingAt() && !"relax".equals(pragma.group(1))) {
      String name = pragma.group(1);
      if (message.startsWith("PRAGMA ")) {
        return "SQLite kept another value for the pragma "
            + name
            + ". Change sluice.pragma."
            + name
            + " (or the URL parameter), or accept SQLite's value with sluice.pragma.relax="
            + name
            + ". "
            + general;
      }
      return "Fix the value of sluice.pragma."
          + name
          + " (or the URL parameter "
          + name
          + ") as the message says, or remove it to keep Sluice's default. "
          + general;
    }
    if (message.contains("does not exist")) {
      return "Create the directory, or fix the path in spring.datasource.url.";
    }
    if (message.startsWith("Unknown option")) {
      return "Fix the option's name in spring.datasource.url. " + general;
    }
    return "Fix spring.datasource.url or the sluice.* properties as the message says. " + general;
  }
}
