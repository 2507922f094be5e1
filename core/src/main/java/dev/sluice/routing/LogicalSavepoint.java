package dev.sluice.routing;

import dev.sluice.error.Errors;
import java.sql.SQLException;
import java.sql.Savepoint;

/**
 * A savepoint of a logical connection. Names are quoted SQL identifiers, so user names cannot
 * inject SQL. Immutable, thread-safe.
 */
record LogicalSavepoint(int id, String name) implements Savepoint {

  static LogicalSavepoint of(Savepoint s) throws SQLException {
    if (s instanceof LogicalSavepoint logical) {
      return logical;
    }
    throw Errors.invalidArgument("Not a savepoint of this connection: " + s);
  }

  /** The name SQLite knows it by. */
  String effectiveName() {
    return name == null ? "sluice_sp_" + id : name;
  }

  /** Whether SQLite takes the two for the same name: it folds ASCII letters only. */
  boolean sameName(LogicalSavepoint other) {
    String a = effectiveName();
    String b = other.effectiveName();
    if (a.length() != b.length()) {
      return false;
    }
    for (int i = 0; i < a.length(); i++) {
      if (asciiLower(a.charAt(i)) != asciiLower(b.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  private static char asciiLower(char c) {
    return c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
  }

  String sqlName() {
    return '"' + effectiveName().replace("\"", "\"\"") + '"';
  }

  @Override
  public int getSavepointId() throws SQLException {
    if (name != null) {
      throw Errors.invalidArgument("Savepoint \"" + name + "\" is named; use getSavepointName()");
    }
    return id;
  }

  @Override
  public String getSavepointName() throws SQLException {
    if (name == null) {
      throw Errors.invalidArgument("Savepoint " + id + " is unnamed; use getSavepointId()");
    }
    return name;
  }
}
