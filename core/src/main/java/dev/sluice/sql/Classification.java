package dev.sluice.sql;

/**
 * The classifier's verdict on one SQL string. Instances are shared and immutable: {@link #of} hands
 * out one of a fixed set built at class initialisation, so classifying allocates nothing.
 *
 * @param kind what the statement does; for several statements, READ if all read, else
 *     CONNECTION_STATE if any controls a transaction or changes connection state, else WRITE
 * @param dml an INSERT, REPLACE, UPDATE or DELETE (also after WITH) is present
 * @param insert an INSERT or REPLACE (also after WITH) is present
 * @param usesConnectionState {@code last_insert_rowid()}, {@code changes()} or {@code
 *     total_changes()} is called by a statement that is evaluated now (not stored in a CREATE)
 * @param multiple the string holds more than one statement
 */
public record Classification(
    StatementKind kind,
    boolean dml,
    boolean insert,
    boolean usesConnectionState,
    boolean multiple) {

  static final int DML = 1;
  static final int INSERT = 2;
  static final int USES_CONNECTION_STATE = 4;
  static final int MULTIPLE = 8;

  private static final int FLAG_COMBINATIONS = 16;
  private static final Classification[] SHARED = shared();

  private static Classification[] shared() {
    StatementKind[] kinds = StatementKind.values();
    Classification[] all = new Classification[kinds.length * FLAG_COMBINATIONS];
    for (StatementKind kind : kinds) {
      for (int flags = 0; flags < FLAG_COMBINATIONS; flags++) {
        all[kind.ordinal() * FLAG_COMBINATIONS + flags] =
            new Classification(
                kind,
                (flags & DML) != 0,
                (flags & INSERT) != 0,
                (flags & USES_CONNECTION_STATE) != 0,
                (flags & MULTIPLE) != 0);
      }
    }
    return all;
  }

  /** The shared instance for a kind and a combination of the flag bits above. */
  public static Classification of(StatementKind kind, int flags) {
    return SHARED[kind.ordinal() * FLAG_COMBINATIONS + (flags & (FLAG_COMBINATIONS - 1))];
  }

  /** True if a reader may run it: READ or PRAGMA_READ. */
  public boolean isRead() {
    return kind == StatementKind.READ || kind == StatementKind.PRAGMA_READ;
  }

  /** True for BEGIN, COMMIT, ROLLBACK, SAVEPOINT, RELEASE and ROLLBACK TO. */
  public boolean isTransactionControl() {
    return switch (kind) {
      case BEGIN, COMMIT, ROLLBACK, SAVEPOINT, RELEASE, ROLLBACK_TO -> true;
      default -> false;
    };
  }
}
