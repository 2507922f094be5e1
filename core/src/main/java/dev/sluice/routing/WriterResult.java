package dev.sluice.routing;

import java.sql.Connection;

/**
 * A result set open on the writer, for a transaction stepping aside to a reader (design.md "A
 * transaction that has only read"): it can run its query again there and go on from the same row.
 * Implemented by the logical statement that holds it; {@link ConnectionState} sees only this.
 *
 * <p>Not thread-safe: used by the thread that steps the transaction aside, under the connection's
 * lock.
 */
interface WriterResult {
  /**
   * Runs the query again on {@code reader} and steps over the rows already delivered.
   *
   * @return the rerun, not yet in use; null when this result set cannot move, and then nothing
   *     changed
   */
  Rerun rerunOn(Connection reader);

  /** A rerun of a {@link WriterResult}, waiting for the step to be taken or dropped. */
  interface Rerun {
    /** Goes on from the rerun, read through {@code onReader}; the writer's statement is let go. */
    void complete(Lease onReader);

    /** Drops the rerun: the step aside is not taken. */
    void abandon();
  }
}
