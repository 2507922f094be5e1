package dev.sluice.sql;

/**
 * What a SQL statement does, as far as routing is concerned. Only {@link #READ} and {@link
 * #PRAGMA_READ} may run on a reader; every other kind runs on the writer.
 */
public enum StatementKind {
  /** SELECT, VALUES, WITH … SELECT, EXPLAIN of anything but a pragma that sets a value. */
  READ,
  /** The read form of a pragma without side effects, e.g. {@code PRAGMA user_version}. */
  PRAGMA_READ,
  /** A change to the database, and anything unknown or malformed. */
  WRITE,
  /** A pragma that sets a value or has side effects, e.g. {@code PRAGMA foreign_keys = OFF}. */
  PRAGMA_WRITE,
  /** BEGIN [DEFERRED | IMMEDIATE | EXCLUSIVE] [TRANSACTION]. */
  BEGIN,
  /** COMMIT or END [TRANSACTION]. */
  COMMIT,
  /** ROLLBACK [TRANSACTION] without TO. */
  ROLLBACK,
  /** SAVEPOINT name. */
  SAVEPOINT,
  /** RELEASE [SAVEPOINT] name. */
  RELEASE,
  /** ROLLBACK [TRANSACTION] TO [SAVEPOINT] name. */
  ROLLBACK_TO,
  /**
   * Changes state that lives on the physical connection (temp objects, ATTACH, extensions), or
   * several statements of which one controls a transaction or changes connection state.
   */
  CONNECTION_STATE,
  /** Cannot run inside a transaction: VACUUM. */
  NO_TRANSACTION,
  /** Nothing to run: null, blank, comments or semicolons only. */
  EMPTY
}
