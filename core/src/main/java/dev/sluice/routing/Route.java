package dev.sluice.routing;

import dev.sluice.sql.StatementKind;

/**
 * Where one statement of a logical connection runs: the decision of the routing rules (design.md,
 * Routing), made by {@link #decide} from the connection's state alone. A pure function, so that
 * every pair of state and statement kind is tested by a table.
 */
enum Route {
  /** A read-only connection refuses a statement that may write: 25006. */
  REFUSE_WRITE,
  /** The connection's writer, taken now unless it holds it already. */
  WRITER,
  /**
   * The writer, after {@code BEGIN IMMEDIATE} of the transaction {@code setAutoCommit(false)} asked
   * for.
   */
  WRITER_BEGIN,
  /** The connection's reader: the one it holds while it is fresh, else one taken now. */
  READER,
  /** Another reader for this statement alone: the one the connection holds predates its writes. */
  READER_ALONE,
  /** The reader of the read-only transaction, taken (and begun) at its first statement. */
  READER_TRANSACTION,
  /**
   * The writer again, for the first write of a transaction that stepped aside ({@link
   * Tx#SNAPSHOT}): {@code BEGIN IMMEDIATE}, then on only if the database has not changed since its
   * snapshot.
   */
  WRITER_RESUME;

  /** The transaction a logical connection is in. */
  enum Tx {
    NONE,
    /** Begun by {@code setAutoCommit(false)}: ends with commit() or rollback(). */
    USER,
    /** Begun in SQL text ({@code BEGIN}, {@code SAVEPOINT}): ends when SQLite says it ended. */
    SQL_TEXT,
    /** A read-only transaction on one reader (one snapshot). */
    READ_ONLY,
    /**
     * A {@code setAutoCommit(false)} transaction, or one a deferred {@code BEGIN} began in
     * auto-commit, that had only read when another connection on its thread needed the writer: it
     * gave the writer back and reads on a reader, in the snapshot it had (design.md "A transaction
     * that has only read"). Its first write takes the writer again; SQL text's {@code COMMIT} or
     * {@code ROLLBACK} ends the latter on the reader.
     */
    SNAPSHOT,
    /**
     * Auto-commit is off but SQL text ended the transaction ({@code COMMIT}, {@code ROLLBACK},
     * {@code RELEASE}): as on plain sqlite-jdbc, each statement then commits alone and commit() or
     * rollback() fail ("no transaction is active") until SQL text begins one again or auto-commit
     * goes on. The connection keeps the writer meanwhile.
     */
    ENDED
  }

  /** The reader a logical connection holds for its open result sets. */
  enum Reader {
    NONE,
    /** Taken after the connection's last write: its snapshot shows every write of it. */
    FRESH,
    /** Taken before the connection's last write: a read there would miss that write. */
    STALE
  }

  /**
   * @param readOnly {@code setReadOnly(true)}
   * @param autoCommit {@code getAutoCommit()}
   * @param tx the transaction the connection is in
   * @param holdsWriter the connection holds the writer (transaction, pin or open statement)
   * @param reader the reader the connection holds
   * @param hasReaders the engine has a reader pool (not {@code :memory:})
   * @param kind what the statement does
   */
  static Route decide(
      boolean readOnly,
      boolean autoCommit,
      Tx tx,
      boolean holdsWriter,
      Reader reader,
      boolean hasReaders,
      StatementKind kind) {
    boolean read =
        kind == StatementKind.READ
            || kind == StatementKind.PRAGMA_READ
            || kind == StatementKind.EMPTY;
    if (readOnly) {
      if (!read) {
        return REFUSE_WRITE;
      }
      if (holdsWriter || !hasReaders) {
        return WRITER;
      }
      if (!autoCommit) {
        return READER_TRANSACTION;
      }
      return reader == Reader.STALE ? READER_ALONE : READER;
    }
    if (tx == Tx.SNAPSHOT) {
      // In auto-commit it is a transaction SQL text began: its COMMIT or ROLLBACK ends it there.
      boolean ends = autoCommit && (kind == StatementKind.COMMIT || kind == StatementKind.ROLLBACK);
      return read || ends ? READER_TRANSACTION : WRITER_RESUME;
    }
    if (!autoCommit && tx == Tx.NONE) {
      // A pin or an open statement on the writer never replaces the transaction (rule 4).
      return WRITER_BEGIN;
    }
    if (holdsWriter || !read || !hasReaders) {
      return WRITER;
    }
    return reader == Reader.STALE ? READER_ALONE : READER;
  }
}
