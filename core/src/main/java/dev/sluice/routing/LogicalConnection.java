package dev.sluice.routing;

import dev.sluice.error.Errors;
import dev.sluice.error.SqliteCodes;
import dev.sluice.jdbc.Physical;
import dev.sluice.sql.Classification;
import dev.sluice.sql.PragmaCall;
import dev.sluice.sql.SqlClassifier;
import dev.sluice.sql.StatementKind;
import dev.sluice.writer.WriterGate;
import java.sql.Array;
import java.sql.Blob;
import java.sql.CallableStatement;
import java.sql.Clob;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.NClob;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLClientInfoException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.SQLWarning;
import java.sql.SQLXML;
import java.sql.Savepoint;
import java.sql.Statement;
import java.sql.Struct;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The connection an application holds. It owns no physical connection: it borrows a reader or the
 * writer for as long as a statement, a result set or a transaction needs one (design.md, Routing).
 *
 * <p>State that JDBC keeps per connection (auto-commit, read-only, the last insert rowid, {@code
 * changes()}) lives here, so it describes this logical connection, never another thread's use of
 * the shared writer.
 *
 * <p>Not thread-safe, like any JDBC connection: one thread at a time. {@link #close()} may be
 * called from another thread once the owner is done.
 */
final class LogicalConnection implements Connection {
  final Router router;
  private boolean closed;
  private boolean autoCommit = true;
  private boolean readOnly;
  private int isolation = Connection.TRANSACTION_SERIALIZABLE;
  private int holdability = ResultSet.CLOSE_CURSORS_AT_COMMIT;
  private Map<String, Class<?>> typeMap = Collections.emptyMap();
  private Properties clientInfo;
  private int networkTimeout;

  // The connection's state (design.md, Routing): the transaction it is in, the physical
  // connections it holds and why. "In a transaction" and "pinned" are independent.

  private Route.Tx tx = Route.Tx.NONE;

  /** Temp objects or attached databases of this connection exist on the writer. */
  private boolean pinned;

  /** Other connection state (an extension, a pragma Sluice does not track): until close. */
  private boolean pinnedForGood;

  /** The writer while this connection holds it (transaction, pin, open statements); else null. */
  private Connection writer;

  /** Statements and result sets of this connection open on the writer. */
  private int writerUses;

  /** The holding thread's count of physical connections, raised when the writer was taken. */
  private AtomicInteger writerHold;

  /** The reader this connection holds for its open result sets or its read-only transaction. */
  private Connection reader;

  private int readerUses;
  private AtomicInteger readerHold;

  /** {@link #writes} when {@link #reader} was taken: later writes make it stale. */
  private long readerSnapshot;

  /** Statements this connection ran on the writer that may have written. */
  private long writes;

  /** Connection-scoped pragmas this connection set (design.md, Session state). */
  private Session session;

  private long txStart;

  /** SQLite rolled the transaction back under us (an interrupt, OR ROLLBACK): until rollback(). */
  private boolean aborted;

  private int savepointCounter;

  // This logical connection's own last write (design.md, Generated keys and per-connection state).
  long lastInsertRowid;
  long changes;
  long totalChanges;

  /** Result sets of DatabaseMetaData calls, closed with the connection. */
  private final List<LogicalResultSet> metadataResults = new ArrayList<>();

  private final List<LogicalStatement> statements = new ArrayList<>();

  LogicalConnection(Router router) {
    this.router = router;
    this.session = router.defaultSession;
  }

  // ---- routing -------------------------------------------------------------------------------

  void checkOpen() throws SQLException {
    if (closed) {
      throw Errors.closed("Connection");
    }
    if (tx == Route.Tx.NONE) {
      // A transaction in flight when close() starts may finish within sluice.close.timeout.
      router.checkOpen();
    }
  }

  /** Whether a batch must bring its own transaction: no transaction of the user's is open. */
  boolean batchNeedsTransaction() {
    return tx == Route.Tx.NONE;
  }

  /** Whether an auto-commit write may join a group commit (design.md, Group commit). */
  boolean canGroup(Classification c) {
    return autoCommit
        && !readOnly
        && writer == null
        && tx == Route.Tx.NONE
        && c.kind() == StatementKind.WRITE
        && !c.multiple();
  }

  boolean isReadOnlyMode() {
    return readOnly;
  }

  Session session() {
    return session;
  }

  /**
   * The SQL to run instead of a read of a session pragma: its value as this connection set it
   * (design.md, Session state); null to run {@code sql} as it is.
   */
  String sessionRead(Classification c, String sql) {
    if (c.kind() != StatementKind.PRAGMA_READ || c.multiple()) {
      return null;
    }
    PragmaCall p = SqlClassifier.pragma(sql);
    if (p == null || p.value() != null || !Session.handles(p.name())) {
      return null;
    }
    String value = session.value(p.name());
    if (value == null && p.name().equals("query_only")) {
      // Readers run with query_only=1 of their own; this connection's value is the writer's.
      value = "0";
    }
    if (value == null || (writer != null && tx != Route.Tx.NONE)) {
      // Inside a transaction the writer answers: it holds what SQLite made of the change.
      return null;
    }
    return "SELECT " + value + " AS \"" + p.name() + "\"";
  }

  /**
   * Records a statement that sets a session pragma, outside a transaction: nothing runs now; the
   * value reaches the writer when this connection next uses it (design.md, Session state).
   *
   * @return whether the statement was recorded (false: run it as any other)
   */
  boolean sessionWrite(Classification c, String sql) throws SQLException {
    if (c.kind() != StatementKind.PRAGMA_WRITE || c.multiple() || readOnly) {
      return false;
    }
    PragmaCall p = SqlClassifier.pragma(sql);
    if (p == null || p.value() == null || !Session.handles(p.name())) {
      return false;
    }
    if (tx != Route.Tx.NONE || aborted) {
      // In a transaction it runs on the writer, as on plain SQLite (foreign_keys is ignored there).
      return false;
    }
    Session next = session.with(p.name(), p.value());
    if (next != null) {
      session = next;
      if (writer != null) {
        router.gate.use(writer, session);
      }
    }
    return true;
  }

  /**
   * Picks the physical connection for one statement and returns a lease on it. The caller runs the
   * statement and then ends the lease ({@link #end}), possibly much later (result sets).
   *
   * @param queryTimeout the statement's timeout in seconds, 0 for none: it bounds the wait for the
   *     writer or a reader too (57014)
   */
  Lease route(Classification c, String sql, int queryTimeout) throws SQLException {
    checkOpen();
    StatementKind kind = c.kind();
    if (!readOnly) {
      if (kind == StatementKind.PRAGMA_WRITE) {
        pragmaWrite(sql);
      } else if (c.multiple() && kind == StatementKind.CONNECTION_STATE) {
        // sqlite-jdbc runs every statement of the string: check each pragma before any runs.
        for (String one : SqlClassifier.statements(sql)) {
          if (SqlClassifier.classify(one).kind() == StatementKind.PRAGMA_WRITE) {
            pragmaWrite(one);
          }
        }
      }
      if (aborted) {
        throw Errors.transactionAborted();
      }
    }
    Route route =
        Route.decide(
            readOnly, autoCommit, tx, writer != null, readerState(), router.hasReaders(), kind);
    switch (route) {
      case REFUSE_WRITE:
        throw Errors.readOnlyViolation(sql, null);
      case READER:
        return sharedReader(queryTimeout);
      case READER_ALONE:
        return Lease.reader(readerAlone(), false, true);
      case READER_TRANSACTION:
        return readerTransaction(queryTimeout);
      case WRITER_BEGIN:
        beginUserTransaction(queryTimeout);
        return writerLease(c, sql, false);
      case WRITER:
      default:
        boolean retryable = tx == Route.Tx.NONE;
        takeWriter(queryTimeout);
        if (!readOnly) {
          if (tx == Route.Tx.NONE
              && (kind == StatementKind.BEGIN || kind == StatementKind.SAVEPOINT)) {
            tx = Route.Tx.SQL_TEXT;
            txStart = router.meters.now();
          }
        }
        return writerLease(c, sql, retryable);
    }
  }

  /**
   * {@code PRAGMA wal_checkpoint} without a schema checkpoints every database of the connection,
   * and SQLite refuses that (SQLITE_LOCKED) once the writer has a TEMP schema, which it has (the
   * key sentinel of {@link WriterGate}). The temp database is never in WAL mode, so checkpointing
   * {@code main} is the same work: the statement is rewritten to name it. Attached databases are
   * pinned to their connection; their checkpoints name them.
   */
  static String checkpointOfMain(String sql) {
    PragmaCall p = SqlClassifier.pragma(sql);
    if (p == null || p.schema() != null || !p.name().equals("wal_checkpoint")) {
      return sql;
    }
    return "PRAGMA main.wal_checkpoint" + (p.value() == null ? "" : "(" + p.value() + ")");
  }

  /** The writer, for a statement a reader refused as a write (the misroute safety net). */
  Lease routeMisread(Classification c, int queryTimeout) throws SQLException {
    takeWriter(queryTimeout);
    writes++;
    writerUses++;
    return Lease.writer(writer, tx == Route.Tx.NONE);
  }

  private Route.Reader readerState() {
    if (reader == null || tx == Route.Tx.READ_ONLY) {
      return reader == null ? Route.Reader.NONE : Route.Reader.FRESH;
    }
    return readerSnapshot == writes ? Route.Reader.FRESH : Route.Reader.STALE;
  }

  private Lease writerLease(Classification c, String sql, boolean retryable) {
    if (!c.isRead() && c.kind() != StatementKind.EMPTY) {
      writes++;
    }
    if (c.kind() == StatementKind.CONNECTION_STATE) {
      pinned = true;
      if (c.multiple() && hasSessionPragma(sql)) {
        // Its pragmas changed the writer outside the session's bookkeeping: replace it at close.
        pinnedForGood = true;
      }
    } else if (pinsForPragma(c, sql)) {
      pinnedForGood = true;
    }
    writerUses++;
    return Lease.writer(writer, retryable);
  }

  private static boolean hasSessionPragma(String sql) {
    for (String one : SqlClassifier.statements(sql)) {
      PragmaCall p = SqlClassifier.pragma(one);
      if (p != null && p.value() != null && Session.handles(p.name())) {
        return true;
      }
    }
    return false;
  }

  /** Takes the writer for this connection unless it holds it, and applies its session. */
  private void takeWriter(int queryTimeout) throws SQLException {
    if (writer != null) {
      return;
    }
    Connection w = acquireWriter(queryTimeout);
    try {
      router.gate.use(w, session);
    } catch (SQLException e) {
      router.releaseWriter(this, true);
      throw Errors.translate(e);
    }
    writer = w;
    writerHold = router.holdsOfThisThread();
    writerHold.incrementAndGet();
  }

  private Connection acquireWriter(int queryTimeout) throws SQLException {
    router.checkOpen();
    if (queryTimeout <= 0) {
      return router.acquireWriter(this);
    }
    long limit = TimeUnit.SECONDS.toNanos(queryTimeout);
    long own = router.gate.writer().acquireTimeoutNanos();
    if (own <= limit) {
      return router.acquireWriter(this);
    }
    try {
      return router.gate.acquire(this, limit);
    } catch (SQLTransientConnectionException e) {
      // The statement's own deadline passed first: it never ran.
      throw Errors.queryTimeout(queryTimeout, e);
    }
  }

  private void beginUserTransaction(int queryTimeout) throws SQLException {
    boolean held = writer != null;
    takeWriter(queryTimeout);
    Connection w = writer;
    try {
      router.retry.write(() -> exec(w, "BEGIN IMMEDIATE"));
    } catch (SQLException e) {
      if (!held) {
        dropWriter(Router.isBroken(e));
      }
      throw translateBusy(e);
    }
    tx = Route.Tx.USER;
    txStart = router.meters.now();
  }

  /** The connection's reader: reused while fresh, else taken now (and held while in use). */
  private Lease sharedReader(int queryTimeout) throws SQLException {
    if (reader == null) {
      AtomicInteger holds = router.holdsOfThisThread();
      reader = withSession(takeReader(holds, queryTimeout));
      readerHold = holds;
      holds.incrementAndGet();
      readerSnapshot = writes;
    }
    readerUses++;
    return Lease.reader(reader, true, true);
  }

  /**
   * A reader for one statement while the connection holds a stale one. Never waits for the pool
   * while this thread holds a physical connection (design.md, No waits in a cycle).
   */
  private Connection readerAlone() throws SQLException {
    return withSession(router.borrowReaderWithoutWaiting());
  }

  /** Gives a reader this connection's read-affecting session pragmas (design.md, Session state). */
  private Connection withSession(Connection r) throws SQLException {
    if (session.affectsReads()) {
      try {
        session.applyToReader(r, false);
      } catch (SQLException e) {
        returnQuietly(r);
        throw Errors.translate(e);
      }
    }
    return r;
  }

  private Connection takeReader(AtomicInteger holds, int queryTimeout) throws SQLException {
    if (holds.get() > 0) {
      return router.borrowReaderWithoutWaiting();
    }
    if (queryTimeout > 0) {
      long limit = TimeUnit.SECONDS.toNanos(queryTimeout);
      if (limit < router.readerTimeoutNanos()) {
        try {
          return router.borrowReader(limit);
        } catch (SQLTransientConnectionException e) {
          throw Errors.queryTimeout(queryTimeout, e);
        }
      }
    }
    return router.borrowReader();
  }

  private Lease readerTransaction(int queryTimeout) throws SQLException {
    if (reader == null) {
      AtomicInteger holds = router.holdsOfThisThread();
      Connection r = withSession(takeReader(holds, queryTimeout));
      try {
        exec(r, "BEGIN");
      } catch (SQLException e) {
        returnQuietly(r);
        throw Errors.translate(e);
      }
      reader = r;
      readerHold = holds;
      holds.incrementAndGet();
      readerSnapshot = writes;
      tx = Route.Tx.READ_ONLY;
      txStart = router.meters.now();
    }
    readerUses++;
    return Lease.reader(reader, true, false);
  }

  /** Refuses changes of enforced pragmas; the same value passes as a harmless no-op. */
  private void pragmaWrite(String sql) throws SQLException {
    PragmaCall p = SqlClassifier.pragma(sql);
    if (p != null && p.value() != null && !Session.handles(p.name())) {
      router.pragmas.checkRuntimeChange(p.name(), p.value());
    }
  }

  /** Whether a pragma write changes per-connection state that no session tracks. */
  private boolean pinsForPragma(Classification c, String sql) {
    if (c.kind() != StatementKind.PRAGMA_WRITE) {
      return false;
    }
    PragmaCall p = SqlClassifier.pragma(sql);
    return p != null
        && p.value() != null
        && !Session.handles(p.name())
        && !Router.DATABASE_PRAGMAS.contains(p.name())
        && !router.pragmas.isEnforced(p.name());
  }

  /**
   * Ends a lease: gives back what the statement used unless the connection still needs it. Never
   * throws: the statement's outcome is what counts.
   *
   * @param c what ran, or null for a metadata call
   * @param failed whether the statement failed
   * @param broken whether the physical connection broke
   */
  void end(Lease lease, Classification c, boolean failed, boolean broken) {
    if (lease.isReader()) {
      if (!lease.isShared()) {
        returnQuietly(lease.connection);
      } else if (--readerUses == 0 && tx != Route.Tx.READ_ONLY && lease.connection == reader) {
        dropReader();
      }
      return;
    }
    writerUses--;
    if (writer != lease.connection) {
      return;
    }
    try {
      afterWriterStatement(c, failed);
    } catch (SQLException e) {
      broken = true;
    }
    releaseWriterIfFree(broken);
  }

  private void dropReader() {
    Connection r = reader;
    reader = null;
    readerHold.decrementAndGet();
    readerHold = null;
    returnQuietly(r);
  }

  private void returnQuietly(Connection r) {
    if (session.affectsReads()) {
      try {
        session.applyToReader(r, true);
      } catch (SQLException e) {
        // A reader that cannot run a pragma is broken; the pool's validation finds it.
      }
    }
    try {
      router.returnReader(r);
    } catch (SQLException e) {
      // Returning a reader never fails the statement that used it.
    }
  }

  private void releaseWriterIfFree(boolean broken) {
    if (writer != null
        && (broken
            || (writerUses <= 0
                && (tx == Route.Tx.NONE || tx == Route.Tx.READ_ONLY)
                && !pinned
                && !pinnedForGood))) {
      if (broken) {
        tx = Route.Tx.NONE;
        pinned = false;
        pinnedForGood = false;
        writerUses = 0;
      }
      dropWriter(broken);
    }
  }

  private void dropWriter(boolean broken) {
    writer = null;
    if (writerHold != null) {
      writerHold.decrementAndGet();
      writerHold = null;
    }
    router.releaseWriter(this, broken);
  }

  /**
   * After a statement ran on the writer: notices a transaction that SQLite ended (COMMIT, ROLLBACK,
   * RELEASE of the outermost savepoint, or an error that rolled back) and temp objects or
   * attachments that are gone.
   */
  private void afterWriterStatement(Classification c, boolean failed) throws SQLException {
    Connection w = writer;
    if (tx == Route.Tx.USER) {
      if (failed && !inTransaction(w)) {
        // The failure ended the transaction inside SQLite: what ran before it is gone. Refuse
        // everything but rollback(), so later statements cannot commit half a unit in auto-commit.
        aborted = true;
      }
    } else if (tx == Route.Tx.SQL_TEXT && c != null) {
      StatementKind k = c.kind();
      boolean mayHaveEnded =
          failed
              || k == StatementKind.COMMIT
              || k == StatementKind.ROLLBACK
              || k == StatementKind.RELEASE
              || c.multiple();
      if (mayHaveEnded && !inTransaction(w)) {
        tx = Route.Tx.NONE;
        router.meters.transaction(true, k != StatementKind.ROLLBACK, router.meters.now() - txStart);
      }
    }
    if (pinned && writerUses <= 0) {
      pinned = connectionStateExists(w);
    }
  }

  /** Whether this connection's temp objects or attached databases exist on the writer. */
  private static boolean connectionStateExists(Connection w) throws SQLException {
    try (Statement s = w.createStatement()) {
      try (ResultSet r =
          s.executeQuery(
              "SELECT count(*) FROM temp.sqlite_master WHERE name <> '"
                  + WriterGate.SENTINEL_TABLE
                  + "'")) {
        if (r.next() && r.getLong(1) > 0) {
          return true;
        }
      }
      try (ResultSet r =
          s.executeQuery("SELECT count(*) FROM pragma_database_list WHERE seq > 1")) {
        return r.next() && r.getLong(1) > 0;
      }
    }
  }

  static boolean inTransaction(Connection c) throws SQLException {
    return Physical.inTransaction(c);
  }

  static Void exec(Connection c, String sql) throws SQLException {
    return Physical.exec(c, sql);
  }

  /** Inside a user's transaction SQLITE_BUSY/LOCKED cannot be retried here: 40001. */
  static SQLException translateBusy(SQLException e) {
    if (SqliteCodes.isBusyOrLocked(e)) {
      return Errors.busyInTransaction(e);
    }
    return Errors.translate(e);
  }

  /**
   * Remembers what a write did, for last_insert_rowid(), changes() and total_changes().
   *
   * @param rowid the row it inserted, or {@link WriterGate#SENTINEL} when it inserted none
   */
  void recordWrite(long changed, long rowid, long total) {
    changes = changed;
    totalChanges += total;
    if (rowid != WriterGate.SENTINEL) {
      lastInsertRowid = rowid;
    }
  }

  void statementClosed(LogicalStatement s) {
    statements.remove(s);
  }

  // ---- transactions --------------------------------------------------------------------------

  @Override
  public void setAutoCommit(boolean autoCommit) throws SQLException {
    checkOpen();
    if (autoCommit == this.autoCommit) {
      return;
    }
    if (autoCommit) {
      // JDBC: switching auto-commit on commits the current transaction.
      commitInternal();
    }
    this.autoCommit = autoCommit;
  }

  @Override
  public boolean getAutoCommit() throws SQLException {
    checkOpen();
    return autoCommit;
  }

  @Override
  public void commit() throws SQLException {
    checkOpen();
    if (autoCommit) {
      throw Errors.invalidTransactionState("commit() called in auto-commit mode.");
    }
    commitInternal();
  }

  private void commitInternal() throws SQLException {
    if (aborted) {
      throw Errors.transactionAborted();
    }
    if (tx == Route.Tx.USER) {
      closeResultSets();
      Connection w = writer;
      try {
        router.retry.write(() -> exec(w, "COMMIT"));
      } catch (SQLException e) {
        if (router.isClosed()) {
          throw Errors.closed("The Sluice data source", e);
        }
        // The transaction is still open: the caller decides (rollback). Keep the writer.
        throw translateBusy(e);
      }
      endWriterTransaction(true);
    } else if (tx == Route.Tx.READ_ONLY) {
      endReaderTransaction("COMMIT", true);
    }
  }

  @Override
  public void rollback() throws SQLException {
    checkOpen();
    if (autoCommit) {
      throw Errors.invalidTransactionState("rollback() called in auto-commit mode.");
    }
    rollbackInternal();
  }

  private void rollbackInternal() throws SQLException {
    if (tx == Route.Tx.USER) {
      closeResultSets();
      SQLException failure = null;
      try {
        exec(writer, "ROLLBACK");
      } catch (SQLException e) {
        // "no transaction is active" after a statement-level ROLLBACK conflict: nothing to undo.
        if (router.isClosed()) {
          failure = Errors.closed("The Sluice data source", e);
        } else if (!isNoTransaction(e)) {
          failure = Errors.translate(e);
        }
      }
      endWriterTransaction(false);
      if (failure != null) {
        throw failure;
      }
    } else if (tx == Route.Tx.READ_ONLY) {
      endReaderTransaction("ROLLBACK", false);
    }
    aborted = false;
  }

  private static boolean isNoTransaction(SQLException e) {
    return SqliteCodes.primary(e) == 1;
  }

  private void endWriterTransaction(boolean committed) {
    tx = Route.Tx.NONE;
    aborted = false;
    writes++;
    router.meters.transaction(true, committed, router.meters.now() - txStart);
    boolean broken;
    try {
      broken = writer.isClosed();
    } catch (SQLException e) {
      broken = true;
    }
    if (pinned && !broken) {
      try {
        pinned = connectionStateExists(writer);
      } catch (SQLException e) {
        broken = true;
      }
    }
    releaseWriterIfFree(broken);
  }

  private void endReaderTransaction(String sql, boolean committed) throws SQLException {
    closeResultSets();
    Connection r = reader;
    tx = Route.Tx.NONE;
    try {
      exec(r, sql);
    } finally {
      router.meters.transaction(false, committed, router.meters.now() - txStart);
      readerUses = 0;
      dropReader();
    }
  }

  private void closeResultSets() throws SQLException {
    for (LogicalStatement s : new ArrayList<>(statements)) {
      s.closeCurrent();
    }
    closeMetadataResults();
  }

  private void closeMetadataResults() throws SQLException {
    for (LogicalResultSet r : new ArrayList<>(metadataResults)) {
      r.close();
    }
    metadataResults.clear();
  }

  @Override
  public Savepoint setSavepoint() throws SQLException {
    return setSavepoint(null);
  }

  @Override
  public Savepoint setSavepoint(String name) throws SQLException {
    checkOpen();
    if (autoCommit) {
      throw Errors.invalidTransactionState("setSavepoint() called in auto-commit mode.");
    }
    int id = ++savepointCounter;
    LogicalSavepoint sp = new LogicalSavepoint(id, name);
    try (Statement s = createStatement()) {
      s.execute("SAVEPOINT " + sp.sqlName());
    }
    return sp;
  }

  @Override
  public void rollback(Savepoint savepoint) throws SQLException {
    checkOpen();
    try (Statement s = createStatement()) {
      s.execute("ROLLBACK TO SAVEPOINT " + LogicalSavepoint.of(savepoint).sqlName());
    }
  }

  @Override
  public void releaseSavepoint(Savepoint savepoint) throws SQLException {
    checkOpen();
    try (Statement s = createStatement()) {
      s.execute("RELEASE SAVEPOINT " + LogicalSavepoint.of(savepoint).sqlName());
    }
  }

  @Override
  public void setReadOnly(boolean readOnly) throws SQLException {
    checkOpen();
    if (readOnly == this.readOnly) {
      return;
    }
    if (tx != Route.Tx.NONE) {
      throw Errors.invalidTransactionState(
          "setReadOnly(" + readOnly + ") inside a transaction; call it before the transaction.");
    }
    this.readOnly = readOnly;
  }

  @Override
  public boolean isReadOnly() throws SQLException {
    checkOpen();
    return readOnly;
  }

  @Override
  public void setTransactionIsolation(int level) throws SQLException {
    checkOpen();
    switch (level) {
      case TRANSACTION_READ_UNCOMMITTED:
      case TRANSACTION_READ_COMMITTED:
      case TRANSACTION_REPEATABLE_READ:
      case TRANSACTION_SERIALIZABLE:
        // Every SQLite transaction is serializable; WAL readers see a snapshot. Recorded only.
        isolation = level;
        return;
      default:
        throw Errors.unsupported("Transaction isolation level " + level);
    }
  }

  @Override
  public int getTransactionIsolation() throws SQLException {
    checkOpen();
    return isolation;
  }

  // ---- statements ----------------------------------------------------------------------------

  private <T extends LogicalStatement> T track(T s) {
    statements.add(s);
    return s;
  }

  @Override
  public Statement createStatement() throws SQLException {
    checkOpen();
    return track(new LogicalStatement(this));
  }

  @Override
  public Statement createStatement(int resultSetType, int resultSetConcurrency)
      throws SQLException {
    checkResultSetType(resultSetType, resultSetConcurrency);
    return createStatement();
  }

  @Override
  public Statement createStatement(
      int resultSetType, int resultSetConcurrency, int resultSetHoldability) throws SQLException {
    checkResultSetType(resultSetType, resultSetConcurrency);
    return createStatement();
  }

  @Override
  public PreparedStatement prepareStatement(String sql) throws SQLException {
    checkOpen();
    return track(new LogicalPreparedStatement(this, sql));
  }

  @Override
  public PreparedStatement prepareStatement(String sql, int resultSetType, int resultSetConcurrency)
      throws SQLException {
    checkResultSetType(resultSetType, resultSetConcurrency);
    return prepareStatement(sql);
  }

  @Override
  public PreparedStatement prepareStatement(
      String sql, int resultSetType, int resultSetConcurrency, int resultSetHoldability)
      throws SQLException {
    checkResultSetType(resultSetType, resultSetConcurrency);
    return prepareStatement(sql);
  }

  @Override
  public PreparedStatement prepareStatement(String sql, int autoGeneratedKeys) throws SQLException {
    return prepareStatement(sql);
  }

  @Override
  public PreparedStatement prepareStatement(String sql, int[] columnIndexes) throws SQLException {
    return prepareStatement(sql);
  }

  @Override
  public PreparedStatement prepareStatement(String sql, String[] columnNames) throws SQLException {
    return prepareStatement(sql);
  }

  private void checkResultSetType(int type, int concurrency) throws SQLException {
    checkOpen();
    if (type != ResultSet.TYPE_FORWARD_ONLY) {
      throw Errors.unsupported("Scrollable result sets (SQLite cursors are forward-only)");
    }
    if (concurrency != ResultSet.CONCUR_READ_ONLY) {
      throw Errors.unsupported("Updatable result sets");
    }
  }

  @Override
  public CallableStatement prepareCall(String sql) throws SQLException {
    throw Errors.unsupported("CallableStatement (SQLite has no stored procedures)");
  }

  @Override
  public CallableStatement prepareCall(String sql, int resultSetType, int resultSetConcurrency)
      throws SQLException {
    return prepareCall(sql);
  }

  @Override
  public CallableStatement prepareCall(
      String sql, int resultSetType, int resultSetConcurrency, int resultSetHoldability)
      throws SQLException {
    return prepareCall(sql);
  }

  @Override
  public String nativeSQL(String sql) throws SQLException {
    checkOpen();
    return sql;
  }

  // ---- metadata and misc ---------------------------------------------------------------------

  @Override
  public DatabaseMetaData getMetaData() throws SQLException {
    checkOpen();
    return MetaDataHandler.create(this);
  }

  /** A physical connection for a metadata call; end it with {@link #end}. */
  Lease metadataLease() throws SQLException {
    checkOpen();
    if (writer != null) {
      writerUses++;
      return Lease.writer(writer, false);
    }
    if (!router.hasReaders()) {
      takeWriter(0);
      writerUses++;
      return Lease.writer(writer, false);
    }
    if (reader != null && readerState() == Route.Reader.FRESH) {
      readerUses++;
      return Lease.reader(reader, true, false);
    }
    if (reader != null) {
      return Lease.reader(readerAlone(), false, false);
    }
    return sharedReader(0);
  }

  /** A metadata result set, closed with the connection if the caller does not close it. */
  LogicalResultSet trackMetadata(LogicalResultSet r) {
    metadataResults.add(r);
    return r;
  }

  void metadataClosed(LogicalResultSet r) {
    metadataResults.remove(r);
  }

  @Override
  public void close() throws SQLException {
    if (closed) {
      return;
    }
    closed = true;
    SQLException failure = null;
    for (LogicalStatement s : new ArrayList<>(statements)) {
      try {
        s.close();
      } catch (SQLException e) {
        failure = e;
      }
    }
    statements.clear();
    try {
      closeMetadataResults();
    } catch (SQLException e) {
      failure = e;
    }
    if (reader != null) {
      if (tx == Route.Tx.READ_ONLY) {
        tx = Route.Tx.NONE;
        try {
          exec(reader, "ROLLBACK");
        } catch (SQLException e) {
          failure = e;
        }
      }
      readerUses = 0;
      dropReader();
    }
    aborted = false;
    if (writer != null) {
      Connection w = writer;
      boolean replace = pinnedForGood || pinned;
      if (tx == Route.Tx.USER || tx == Route.Tx.SQL_TEXT) {
        try {
          if (inTransaction(w)) {
            exec(w, "ROLLBACK");
          }
        } catch (SQLException e) {
          replace = true;
        }
      }
      tx = Route.Tx.NONE;
      pinned = false;
      pinnedForGood = false;
      writerUses = 0;
      // A pinned writer carries this connection's temp objects, attachments and pragmas:
      // replacing it gives the next holder a clean connection.
      dropWriter(replace);
    }
    if (failure != null) {
      throw failure;
    }
  }

  @Override
  public boolean isClosed() {
    return closed || router.isClosed();
  }

  @Override
  public boolean isValid(int timeout) throws SQLException {
    if (timeout < 0) {
      throw Errors.invalidArgument("isValid timeout must be >= 0 (was " + timeout + ")");
    }
    return !isClosed();
  }

  @Override
  public SQLWarning getWarnings() throws SQLException {
    checkOpen();
    return null;
  }

  @Override
  public void clearWarnings() throws SQLException {
    checkOpen();
  }

  @Override
  public String getCatalog() throws SQLException {
    checkOpen();
    return null;
  }

  @Override
  public void setCatalog(String catalog) throws SQLException {
    checkOpen();
  }

  @Override
  public Map<String, Class<?>> getTypeMap() throws SQLException {
    checkOpen();
    return typeMap;
  }

  @Override
  public void setTypeMap(Map<String, Class<?>> map) throws SQLException {
    checkOpen();
    typeMap = map == null ? Collections.emptyMap() : map;
  }

  @Override
  public void setHoldability(int holdability) throws SQLException {
    checkOpen();
    if (holdability == ResultSet.HOLD_CURSORS_OVER_COMMIT) {
      // As plain sqlite-jdbc, refused at the call (0A000 where plain has no SQLState).
      throw Errors.unsupported(
          "HOLD_CURSORS_OVER_COMMIT (SQLite closes cursors at commit; use CLOSE_CURSORS_AT_COMMIT)");
    }
    if (holdability != ResultSet.CLOSE_CURSORS_AT_COMMIT) {
      throw Errors.invalidArgument("Unknown holdability " + holdability);
    }
    this.holdability = holdability;
  }

  @Override
  public int getHoldability() throws SQLException {
    checkOpen();
    return holdability;
  }

  @Override
  public Clob createClob() throws SQLException {
    throw Errors.unsupported("Connection.createClob");
  }

  @Override
  public Blob createBlob() throws SQLException {
    throw Errors.unsupported("Connection.createBlob");
  }

  @Override
  public NClob createNClob() throws SQLException {
    throw Errors.unsupported("Connection.createNClob");
  }

  @Override
  public SQLXML createSQLXML() throws SQLException {
    throw Errors.unsupported("Connection.createSQLXML");
  }

  @Override
  public Array createArrayOf(String typeName, Object[] elements) throws SQLException {
    throw Errors.unsupported("Connection.createArrayOf");
  }

  @Override
  public Struct createStruct(String typeName, Object[] attributes) throws SQLException {
    throw Errors.unsupported("Connection.createStruct");
  }

  @Override
  public void setClientInfo(String name, String value) throws SQLClientInfoException {
    if (clientInfo == null) {
      clientInfo = new Properties();
    }
    clientInfo.setProperty(name, value);
  }

  @Override
  public void setClientInfo(Properties properties) throws SQLClientInfoException {
    clientInfo = new Properties();
    if (properties != null) {
      clientInfo.putAll(properties);
    }
  }

  @Override
  public String getClientInfo(String name) throws SQLException {
    checkOpen();
    return clientInfo == null ? null : clientInfo.getProperty(name);
  }

  @Override
  public Properties getClientInfo() throws SQLException {
    checkOpen();
    Properties copy = new Properties();
    if (clientInfo != null) {
      copy.putAll(clientInfo);
    }
    return copy;
  }

  @Override
  public void setSchema(String schema) throws SQLException {
    checkOpen();
  }

  @Override
  public String getSchema() throws SQLException {
    checkOpen();
    return null;
  }

  @Override
  public void abort(Executor executor) throws SQLException {
    if (executor == null) {
      throw Errors.invalidArgument("abort(executor): executor is null");
    }
    executor.execute(
        () -> {
          try {
            close();
          } catch (SQLException e) {
            // Abort is best effort by contract.
          }
        });
  }

  @Override
  public void setNetworkTimeout(Executor executor, int milliseconds) throws SQLException {
    checkOpen();
    networkTimeout = milliseconds;
  }

  @Override
  public int getNetworkTimeout() throws SQLException {
    checkOpen();
    return networkTimeout;
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    if (iface.isInstance(this)) {
      return iface.cast(this);
    }
    throw Errors.unsupported(
        "unwrap("
            + iface.getName()
            + "): a Sluice connection borrows physical connections only while a statement runs,"
            + " so none can be handed out");
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) {
    return iface.isInstance(this);
  }

  @Override
  public String toString() {
    return "SluiceConnection[autoCommit="
        + autoCommit
        + ", readOnly="
        + readOnly
        + ", tx="
        + tx
        + ", holdsWriter="
        + (writer != null)
        + (closed ? ", closed" : "")
        + "]";
  }
}
