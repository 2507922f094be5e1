package dev.sluice.writer;

/**
 * What a hold of the writer may outlive, which decides when the hold warning's stack is taken.
 * Capturing a stack costs a write about a tenth of its time (issue 21: 41-44 us against 38-39 us
 * per auto-commit insert), so it is taken only where nothing later could show the caller.
 */
public enum Hold {
  /**
   * Ends before the call that took the writer returns: an auto-commit statement, a group commit,
   * the checkpointer's work. Nothing is captured; a warning shows the holder thread's stack at that
   * moment, which still holds the caller's frames.
   */
  CALL,

  /**
   * May outlive the call that took the writer: a transaction, a pinned connection, an open result
   * set. The stack is captured when it is taken, because by the time of a warning the thread has
   * moved on (a forgotten transaction is what the warning is for).
   */
  LASTING
}
