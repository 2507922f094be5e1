package dev.sluice.sql;

/**
 * The classifier as the benchmarks see it: the route a statement takes, without exposing the
 * internal classification types. Stateless, thread-safe; allocates nothing.
 */
public final class Classifier {
  private Classifier() {}

  /** Whether {@code sql} goes to a reader in auto-commit mode (false: the writer). */
  public static boolean isRead(String sql) {
    return SqlClassifier.classify(sql).isRead();
  }
}
