package dev.sluice.routing;

import dev.sluice.error.Errors;
import dev.sluice.error.SqlStates;
import dev.sluice.error.SqliteCodes;
import dev.sluice.jdbc.Physical;
import dev.sluice.pragma.PragmaScope;
import dev.sluice.sql.Classification;
import dev.sluice.sql.PragmaCall;
import dev.sluice.sql.SqlClassifier;
import dev.sluice.sql.StatementKind;
import dev.sluice.writer.Hold;
import dev.sluice.writer.WriterGate;
import dev.sluice.writer.WriterTransaction;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.StampedLock;

/**
 * The routing state of one logical connection (design.md, Routing): the transaction it is in, the
 * physical connections it holds and why, its session pragmas, and the transitions between them. A
 * {@link LogicalConnection} keeps the JDBC settings (auto-commit, read-only) and passes them in;
 * this class decides which physical connection a statement runs on, and when each is given back.
 *
 * <p>Invariants:
 *
 * <ul>
 *   <li>A logical connection never waits for what it holds: it reuses the writer it holds, and
 *       while its thread holds any physical connection it takes readers without waiting (design.md,
 *       No waits in a cycle).
 *   <li>The writer is released when no transaction on it, no pin and no open use (statement or
 *       result set) remain, or at once when it broke.
 *   <li>A reader is returned when its last use ends, except in a read-only transaction, which keeps
 *       it until commit or rollback.
 * </ul>
 *
 * <p>"In a transaction" and "pinned" are independent. Kept apart from the JDBC surface so that the
 * state and its transitions can be read in one place.
 *
 * <p>Used by one thread at a time, like the connection that owns it, with one exception: {@link
 * #stepAside} is called by whichever thread asks for the writer; a lock keeps it apart from the
 * connection's own calls.
 */
final class ConnectionState {
  /**
   * Closes the connection's open result sets, at the end of a read-only transaction, whose reader
   * goes back to the pool. Result sets on the writer stay open across commit and rollback, as on
   * plain.
   */
  interface OpenResults {
    void closeOpenResults() throws SQLException;
  }

  private final Router router;

  /** The logical connection: the writer's holder, and the owner of its last insert rowid. */
  private final Object holder;

  private final OpenResults openResults;

  /** The connection's result sets whose statement's current execution holds the writer. */
  interface OnWriter {
    /** A copy; null when the list cannot be read now (changed by another thread). */
    List<WriterResult> resultsOnWriter();
  }

  private final OnWriter onWriter;

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

  /** {@link #reader} is inside a transaction of this connection's, rolled back when it goes. */
  private boolean readerInTx;

  /** {@link #writes} and the writer's total_changes() when the user's transaction began. */
  private long writesAtBegin;

  private long changesAtBegin;

  /**
   * The engine's commit count when the transaction stepped aside ({@link Route.Tx#SNAPSHOT}): a
   * different count later means its snapshot is stale.
   */
  private long snapshotVersion;

  /**
   * The open {@link Route.Tx#SQL_TEXT} transaction began with a deferred {@code BEGIN} in
   * auto-commit, so it may step aside as a {@code USER} one may.
   */
  private boolean textMayStepAside;

  /** The {@link Route.Tx#SNAPSHOT} is a transaction SQL text began: it goes on as one. */
  private boolean textSnapshot;

  /**
   * The {@link Route.Tx#SNAPSHOT} has not read yet, as a deferred {@code BEGIN} followed by
   * nothing: SQLite takes its snapshot at its first read, and only then does a later commit make it
   * stale.
   */
  private boolean snapshotPending;

  /** Statements run in the writer's transaction since it began (the BEGIN itself not counted). */
  private long txStatements;

  /**
   * Savepoints the JDBC API set in this connection's transaction begun by {@code
   * setAutoCommit(false)}, outermost first (null: none yet): a step aside sets them again on the
   * reader, and a resume on the writer, so that {@code rollback(savepoint)} and {@code
   * releaseSavepoint} work wherever the transaction goes on, as on plain.
   */
  private List<LogicalSavepoint> savepoints;

  /** Of {@link #txStatements}, the savepoint calls of the JDBC API: they neither read nor write. */
  private long savepointStatements;

  /** A savepoint call of the JDBC API. */
  enum SavepointCall {
    SET,
    ROLLBACK_TO,
    RELEASE
  }

  /**
   * Held for reading by each call of this connection's thread that looks at or changes the state
   * below, for writing by {@link #stepAside}, which another thread may call: a connection that
   * moved to another thread (a coroutine resumed elsewhere) can be in a call while the thread it
   * left asks it to step aside; that call must not find the writer gone under it.
   */
  private final StampedLock use = new StampedLock();

  /** Statements this connection ran on the writer that may have written. */
  private long writes;

  /** Connection-scoped pragmas this connection set (design.md, Session state). */
  private Session session;

  private long txStart;

  /** SQLite rolled the transaction back under us (an interrupt, OR ROLLBACK): until rollback(). */
  private boolean aborted;

  ConnectionState(Router router, Object holder, OpenResults openResults, OnWriter onWriter) {
    this.router = router;
    this.holder = holder;
    this.openResults = openResults;
    this.onWriter = onWriter;
    this.session = router.defaultSession;
  }

  Route.Tx tx() {
    return tx;
  }

  boolean holdsWriter() {
    return writer != null;
  }

  Session session() {
    return session;
  }

  /** Whether a batch must bring its own transaction: no transaction of the user's is open. */
  boolean batchNeedsTransaction() {
    return tx == Route.Tx.NONE;
  }

  /** Whether an auto-commit write may join a group commit (design.md, Group commit). */
  boolean canGroup(Classification c, boolean readOnly, boolean autoCommit) {
    return autoCommit
        && !readOnly
        && writer == null
        && tx == Route.Tx.NONE
        && c.kind() == StatementKind.WRITE
        && !c.multiple();
  }

  /**
   * The SQL to run instead of a read of a session pragma: its value as this connection set it
   * (design.md, Session state); null to run {@code sql} as it is.
   */
  String sessionRead(PragmaCall p, boolean readOnly) {
    if (p.value() != null || !Session.handles(p.name())) {
      return null;
    }
    String value = session.value(p.name());
    if (value == null && p.name().equals("query_only")) {
      // Readers run with query_only=1 of their own: a read-write connection answers 0, the value
      // its writes run with; a read-only one answers 1, as it cannot write.
      value = readOnly ? "1" : "0";
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
  boolean sessionWrite(PragmaCall p, boolean readOnly) throws SQLException {
    if (readOnly || p.value() == null || !Session.handles(p.name())) {
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
   * @param readOnly the connection's read-only mode
   * @param autoCommit the connection's auto-commit mode
   */
  Lease route(
      Classification c,
      String sql,
      PragmaCall pragma,
      int queryTimeout,
      boolean readOnly,
      boolean autoCommit)
      throws SQLException {
    long stamp = use.readLock();
    try {
      return routeInUse(c, sql, pragma, queryTimeout, readOnly, autoCommit);
    } finally {
      use.unlockRead(stamp);
    }
  }

  private Lease routeInUse(
      Classification c,
      String sql,
      PragmaCall pragma,
      int queryTimeout,
      boolean readOnly,
      boolean autoCommit)
      throws SQLException {
    StatementKind kind = c.kind();
    if (!readOnly) {
      if (kind == StatementKind.PRAGMA_WRITE) {
        pragmaWrite(pragma);
      } else if (c.multiple() && kind == StatementKind.CONNECTION_STATE) {
        // sqlite-jdbc runs every statement of the string: check each pragma before any runs.
        for (String one : SqlClassifier.statements(sql)) {
          if (SqlClassifier.classify(one).kind() == StatementKind.PRAGMA_WRITE) {
            pragmaWrite(SqlClassifier.pragma(one));
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
      case WRITER_RESUME:
        resumeOnWriter(queryTimeout);
        return writerLease(c, sql, pragma, false);
      case WRITER_BEGIN:
        if (c.isRead() && canHoldSnapshot()) {
          try {
            beginUserTransaction(queryTimeout);
          } catch (SQLException e) {
            if (!SqlStates.ACTIVE_TRANSACTION.equals(e.getSQLState())) {
              throw e;
            }
            // Another connection of this thread holds the writer and cannot step aside: a first
            // read begins in a snapshot, as plain's deferred transaction reads beside that one's
            // write lock (design.md "A transaction that has only read").
            return snapshotTransaction();
          }
          return writerLease(c, sql, pragma, false);
        }
        beginUserTransaction(queryTimeout);
        return writerLease(c, sql, pragma, false);
      case WRITER:
      default:
        // Beside an open statement of this connection on the writer, SQLITE_BUSY means "statements
        // in progress", not a lock: the statement may have written, so it is never repeated.
        boolean retryable = tx == Route.Tx.NONE && writerUses == 0;
        // Taken for this statement alone; a hold that it leaves behind is marked lasting at the end
        // of the call that leaves it (end, keepsWriter).
        if (tx == Route.Tx.NONE
            && kind == StatementKind.BEGIN
            && !readOnly
            && autoCommit
            && !c.multiple()
            && canHoldSnapshot()
            && !SqlClassifier.beginsWriteLocked(sql)) {
          try {
            takeWriter(queryTimeout, Hold.CALL);
          } catch (SQLException e) {
            if (!SqlStates.ACTIVE_TRANSACTION.equals(e.getSQLState())) {
              throw e;
            }
            // Another connection of this thread holds the writer and cannot step aside: the
            // deferred BEGIN runs on a reader, as plain's takes no lock (design.md "A transaction
            // that has only read").
            return textBeginOnReader();
          }
        }
        takeWriter(queryTimeout, Hold.CALL);
        boolean deferredText = false;
        if (!readOnly) {
          if (tx == Route.Tx.NONE
              && (kind == StatementKind.BEGIN || kind == StatementKind.SAVEPOINT)) {
            tx = Route.Tx.SQL_TEXT;
            txStart = router.meters.now();
            deferredText =
                kind == StatementKind.BEGIN
                    && autoCommit
                    && !c.multiple()
                    && !SqlClassifier.beginsWriteLocked(sql);
          }
        }
        Lease lease = writerLease(c, sql, pragma, retryable);
        if (deferredText) {
          markBegin();
        }
        textMayStepAside = deferredText || (textMayStepAside && tx == Route.Tx.SQL_TEXT);
        return lease;
    }
  }

  /** The writer, for a statement a reader refused as a write (the misroute safety net). */
  Lease routeMisread(Classification c, int queryTimeout) throws SQLException {
    long stamp = use.readLock();
    try {
      return routeMisreadInUse(queryTimeout);
    } finally {
      use.unlockRead(stamp);
    }
  }

  private Lease routeMisreadInUse(int queryTimeout) throws SQLException {
    takeWriter(queryTimeout, Hold.CALL);
    writes++;
    writerUses++;
    return Lease.writer(writer, tx == Route.Tx.NONE);
  }

  private Route.Reader readerState() {
    if (reader == null) {
      return Route.Reader.NONE;
    }
    // A transaction's reader is its one snapshot; any other is stale after a write.
    return readerKeptForTransaction() || readerSnapshot == writes
        ? Route.Reader.FRESH
        : Route.Reader.STALE;
  }

  private Lease writerLease(Classification c, String sql, PragmaCall pragma, boolean retryable) {
    router.writer.touch(holder);
    txStatements++;
    if (!c.isRead() && c.kind() != StatementKind.EMPTY) {
      writes++;
    }
    if (c.kind() == StatementKind.CONNECTION_STATE) {
      pinned = true;
      if (c.multiple() && hasSessionPragma(sql)) {
        // Its pragmas changed the writer outside the session's bookkeeping: replace it at close.
        pinnedForGood = true;
      }
    } else if (pinsForPragma(c, pragma)) {
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
  private void takeWriter(int queryTimeout, Hold hold) throws SQLException {
    if (writer != null) {
      return;
    }
    Connection w = acquireWriter(queryTimeout, hold);
    try {
      router.gate.use(w, session);
    } catch (SQLException e) {
      router.releaseWriter(holder, true);
      throw Errors.translate(e);
    }
    writer = w;
    writerHold = router.holdsOfThisThread();
    writerHold.incrementAndGet();
  }

  private Connection acquireWriter(int queryTimeout, Hold hold) throws SQLException {
    long limit = TimeUnit.SECONDS.toNanos(queryTimeout);
    if (queryTimeout <= 0 || limit >= router.gate.writer().acquireTimeoutNanos()) {
      return router.acquireWriter(holder, hold);
    }
    router.checkOpen();
    try {
      return router.gate.acquire(holder, limit, hold);
    } catch (SQLTransientConnectionException e) {
      // The statement's own deadline passed first: it never ran.
      throw Errors.queryTimeout(queryTimeout, e);
    }
  }

  private void beginUserTransaction(int queryTimeout) throws SQLException {
    beginOnWriter(queryTimeout);
    savepoints = null;
    tx = Route.Tx.USER;
    txStart = router.meters.now();
    textMayStepAside = false;
    markBegin();
  }

  /**
   * Takes the writer unless held and runs {@code BEGIN IMMEDIATE}; a writer taken for it is given
   * back when that fails.
   */
  private void beginOnWriter(int queryTimeout) throws SQLException {
    boolean held = writer != null;
    // The transaction outlives this call: its warning shows where it began.
    takeWriter(queryTimeout, Hold.LASTING);
    try {
      WriterTransaction.begin(router.retry, router.gate.statements());
    } catch (SQLException e) {
      if (!held) {
        dropWriter(Router.isBroken(e));
      }
      throw translateBusy(e);
    }
  }

  /** Notes what the writer's transaction has done so far: nothing. */
  private void markBegin() throws SQLException {
    txStatements = 0;
    savepointStatements = 0;
    writesAtBegin = writes;
    changesAtBegin = Physical.totalChanges(writer);
  }

  /** Whether a transaction of this connection could read in a snapshot on a reader. */
  private boolean canHoldSnapshot() {
    return writer == null
        && reader == null
        && !pinned
        && !pinnedForGood
        && router.hasReaders()
        && router.writer.watch().enabled();
  }

  /**
   * Begins the user's transaction in a snapshot on a reader, at its first statement, a read, while
   * another connection of this thread holds the writer. The commit count is read first: no commit
   * of this engine can land meanwhile (this thread's other connection holds the writer), and one of
   * another process landing between the two makes the first write fail as stale, never pass.
   */
  private Lease snapshotTransaction() throws SQLException {
    long version = router.writer.watch().version();
    AtomicInteger holds = router.holdsOfThisThread();
    Connection r;
    try {
      r = readerInTransaction(true);
    } catch (SQLException e) {
      throw Errors.translate(e);
    }
    beginSnapshot(r, holds, false, false);
    snapshotVersion = version;
    readerUses++;
    return Lease.reader(reader, true, false);
  }

  /**
   * A deferred {@code BEGIN} of SQL text run on a reader: the transaction is a {@link
   * Route.Tx#SNAPSHOT} that has not read yet. The statement itself begins it there.
   */
  private Lease textBeginOnReader() throws SQLException {
    AtomicInteger holds = router.holdsOfThisThread();
    beginSnapshot(withSession(router.borrowReaderWithoutWaiting()), holds, true, true);
    readerUses++;
    return Lease.reader(reader, true, false);
  }

  /**
   * A transaction begins in a snapshot on {@code r} (taken under {@code holds}), in its read
   * transaction: {@code pending} when it has no snapshot yet, {@code text} when SQL text began it.
   */
  private void beginSnapshot(Connection r, AtomicInteger holds, boolean pending, boolean text) {
    holdReader(r, holds, true);
    snapshotPending = pending;
    textSnapshot = text;
    savepoints = null;
    tx = Route.Tx.SNAPSHOT;
    txStart = router.meters.now();
  }

  /**
   * A reader borrowed without waiting (this thread holds the writer, or its other connection does),
   * inside a {@code BEGIN}, its snapshot taken now when {@code snapshot}. On failure nothing is
   * left open and the reader is returned.
   */
  private Connection readerInTransaction(boolean snapshot) throws SQLException {
    Connection r = withSession(router.borrowReaderWithoutWaiting());
    try {
      Physical.exec(r, "BEGIN");
      if (snapshot) {
        Physical.refreshSchema(r);
      }
      return r;
    } catch (SQLException | RuntimeException e) {
      abandonReader(r);
      throw e;
    }
  }

  /** Rolls back whatever began on a reader this connection did not keep, and returns it. */
  private void abandonReader(Connection r) {
    try {
      Physical.exec(r, "ROLLBACK");
    } catch (SQLException ignored) {
      // No transaction began there.
    }
    returnQuietly(r);
  }

  /** Whether the connection keeps its reader until the transaction ends. */
  private boolean readerKeptForTransaction() {
    return tx == Route.Tx.READ_ONLY || tx == Route.Tx.SNAPSHOT;
  }

  /**
   * A savepoint call of the JDBC API in a transaction that stepped aside (or began on a reader):
   * runs it on the reader, in the read transaction, as plain runs it in its own, and notes it.
   *
   * @return false when the connection is not in such a transaction: the caller runs it as any
   *     statement and then tells {@link #savepointRan}
   */
  boolean savepointOnReader(SavepointCall call, LogicalSavepoint sp, String sql)
      throws SQLException {
    long stamp = use.readLock();
    try {
      if (tx != Route.Tx.SNAPSHOT || textSnapshot || reader == null) {
        return false;
      }
      try {
        Physical.execAsTransactionControl(reader, sql);
      } catch (SQLException e) {
        throw Errors.translate(e);
      }
      note(call, sp);
      return true;
    } finally {
      use.unlockRead(stamp);
    }
  }

  /**
   * A transaction begun by {@code setAutoCommit(false)} whose first statement is a savepoint, while
   * another connection of this thread holds the writer and cannot step aside: it begins on a reader
   * with the savepoint and no snapshot yet, as plain's deferred transaction sets it beside that
   * one's write lock (design.md "A transaction that has only read").
   *
   * @return false when it cannot (the caller's 25001 stands)
   */
  boolean savepointBeginsOnReader(LogicalSavepoint sp, String sql) throws SQLException {
    long stamp = use.readLock();
    try {
      if (tx != Route.Tx.NONE || aborted || !canHoldSnapshot()) {
        return false;
      }
      AtomicInteger holds = router.holdsOfThisThread();
      Connection r;
      try {
        r = readerInTransaction(false);
      } catch (SQLException e) {
        throw Errors.translate(e);
      }
      try {
        Physical.execAsTransactionControl(r, sql);
      } catch (SQLException e) {
        abandonReader(r);
        throw Errors.translate(e);
      }
      beginSnapshot(r, holds, true, false);
      note(SavepointCall.SET, sp);
      return true;
    } finally {
      use.unlockRead(stamp);
    }
  }

  /** The count of statements that may have written, before a savepoint call (owner thread). */
  long writesBefore() {
    return writes;
  }

  /**
   * A savepoint call of the JDBC API ran on the writer, or failed there ({@code ran} false: no such
   * savepoint): in a transaction begun by {@code setAutoCommit(false)} it is not counted as a
   * statement that may have written, so that the transaction can still step aside, and one that ran
   * is noted. {@code writesBefore} is {@link #writesBefore} before the call: only a call that
   * reached the writer was counted.
   */
  void savepointRan(SavepointCall call, LogicalSavepoint sp, boolean ran, long writesBefore) {
    long stamp = use.readLock();
    try {
      if (tx != Route.Tx.USER || writes != writesBefore + 1) {
        return;
      }
      writes = writesBefore;
      savepointStatements++;
      if (ran) {
        note(call, sp);
      }
    } finally {
      use.unlockRead(stamp);
    }
  }

  /**
   * Keeps the savepoint stack as SQLite does: RELEASE ends the newest savepoint of that name (names
   * compare without the case of ASCII letters) and every one after it, ROLLBACK TO those after it.
   */
  private void note(SavepointCall call, LogicalSavepoint sp) {
    if (call == SavepointCall.SET) {
      if (savepoints == null) {
        savepoints = new ArrayList<>(4);
      }
      savepoints.add(sp);
      return;
    }
    if (savepoints == null) {
      return;
    }
    for (int i = savepoints.size() - 1; i >= 0; i--) {
      if (savepoints.get(i).sameName(sp)) {
        savepoints
            .subList(call == SavepointCall.ROLLBACK_TO ? i + 1 : i, savepoints.size())
            .clear();
        return;
      }
    }
  }

  /** Sets this transaction's savepoints again on {@code c}, outermost first. */
  private void setSavepoints(Connection c) throws SQLException {
    if (savepoints != null) {
      for (LogicalSavepoint sp : savepoints) {
        Physical.execAsTransactionControl(c, "SAVEPOINT " + sp.sqlName());
      }
    }
  }

  private boolean setSavepointsOn(Connection r) {
    try {
      setSavepoints(r);
      return true;
    } catch (SQLException e) {
      return false;
    }
  }

  /**
   * Gives the writer back, when this connection's thread asks for it through another connection, if
   * the transaction has only read: it goes on in a read transaction on a reader, begun while the
   * write lock still keeps the database as this transaction saw it, so its snapshot is the same
   * (design.md "A transaction that has only read"). Plain SQLite's deferred transaction lets the
   * other connection write there; waiting would deadlock. Never throws: a step it cannot take
   * leaves everything as it was (the asker then gets 25001).
   *
   * @return whether the writer was given back
   */
  boolean stepAside() {
    long stamp = use.tryWriteLock();
    if (stamp == 0) {
      return false;
    }
    try {
      return stepAsideInUse();
    } finally {
      use.unlockWrite(stamp);
    }
  }

  private boolean stepAsideInUse() {
    if (!(tx == Route.Tx.USER || (tx == Route.Tx.SQL_TEXT && textMayStepAside))
        || aborted
        || writer == null
        || pinned
        || pinnedForGood
        || reader != null
        || !router.hasReaders()
        || !router.writer.watch().enabled()
        || writes != writesAtBegin) {
      return false;
    }
    // Result sets open on the writer (an outer loop over a query) go on from the reader: each one
    // a query of this connection's, none of them a write returning rows.
    List<WriterResult> open = List.of();
    if (writerUses > 0) {
      open = onWriter.resultsOnWriter();
      if (open == null || open.size() != writerUses) {
        return false;
      }
    }
    // A transaction that ran nothing since its BEGIN but savepoints has no snapshot yet (SQLite
    // takes it at the first read).
    boolean pending = txStatements == savepointStatements;
    Connection r;
    long version;
    try {
      // The classifier's word that nothing wrote is checked against SQLite's own count.
      if (Physical.totalChanges(writer) != changesAtBegin) {
        return false;
      }
      r = readerInTransaction(!pending);
    } catch (SQLException | RuntimeException e) {
      return false;
    }
    if (!setSavepointsOn(r)) {
      abandonReader(r);
      return false;
    }
    List<WriterResult.Rerun> moves = new ArrayList<>(open.size());
    for (WriterResult s : open) {
      WriterResult.Rerun m = s.rerunOn(r);
      if (m == null) {
        moves.forEach(WriterResult.Rerun::abandon);
        abandonReader(r);
        return false;
      }
      moves.add(m);
    }
    try {
      version = pending ? 0 : router.writer.watch().version();
    } catch (SQLException | RuntimeException e) {
      moves.forEach(WriterResult.Rerun::abandon);
      abandonReader(r);
      return false;
    }
    Lease onReader = Lease.reader(r, true, false);
    for (WriterResult.Rerun m : moves) {
      m.complete(onReader);
    }
    boolean broken = false;
    try {
      WriterTransaction.rollback(router.gate.statements());
    } catch (SQLException | RuntimeException e) {
      if (moves.isEmpty()) {
        abandonReader(r);
        return false;
      }
      // The result sets already read on the reader: the writer is given back as broken, and its
      // connection, replaced, takes the empty transaction with it.
      broken = true;
    }
    dropWriter(broken);
    writerUses = 0;
    holdReader(r, router.holdsOfThisThread(), true);
    readerUses = moves.size();
    snapshotVersion = version;
    snapshotPending = pending;
    textSnapshot = tx == Route.Tx.SQL_TEXT;
    tx = Route.Tx.SNAPSHOT;
    return true;
  }

  /**
   * The first write of a transaction that stepped aside: takes the writer and begins there, and
   * goes on only if nobody changed the database since the step (the writer's state is then the
   * snapshot's). Else fails as plain's deferred transaction fails to write on a stale snapshot,
   * SQLITE_BUSY_SNAPSHOT with 40001, and stays as it was: reads go on in the snapshot, rollback()
   * ends it.
   */
  private void resumeOnWriter(int queryTimeout) throws SQLException {
    beginOnWriter(queryTimeout);
    boolean same;
    try {
      // A transaction that never read has no snapshot to be stale: it writes on the newest state.
      same = snapshotPending || router.writer.watch().version() == snapshotVersion;
    } catch (SQLException e) {
      same = false;
    }
    if (!same) {
      boolean broken = false;
      try {
        WriterTransaction.rollback(router.gate.statements());
      } catch (SQLException e) {
        broken = true;
      }
      dropWriter(broken);
      throw Errors.staleTransaction();
    }
    if (!textSnapshot) {
      try {
        setSavepoints(writer);
      } catch (SQLException e) {
        boolean broken = false;
        try {
          WriterTransaction.rollback(router.gate.statements());
        } catch (SQLException alsoFailed) {
          e.addSuppressed(alsoFailed);
          broken = true;
        }
        dropWriter(broken);
        throw Errors.translate(e);
      }
    }
    tx = textSnapshot ? Route.Tx.SQL_TEXT : Route.Tx.USER;
    textSnapshot = false;
    snapshotPending = false;
    if (readerUses == 0) {
      dropReader();
    }
    markBegin();
  }

  /**
   * Makes {@code r} the connection's reader, counted among this thread's holds ({@code holds}, the
   * count it was taken under); {@code inTx}: a transaction of this connection is open on it.
   */
  private void holdReader(Connection r, AtomicInteger holds, boolean inTx) {
    reader = r;
    readerHold = holds;
    holds.incrementAndGet();
    readerSnapshot = writes;
    readerInTx = inTx;
  }

  /** The connection's reader: reused while fresh, else taken now (and held while in use). */
  private Lease sharedReader(int queryTimeout) throws SQLException {
    if (reader == null) {
      AtomicInteger holds = router.holdsOfThisThread();
      holdReader(withSession(takeReader(holds, queryTimeout)), holds, false);
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

  /** Notes a write of this connection: a reader taken before it is stale from now on. */
  void wrote() {
    writes++;
  }

  private Lease readerTransaction(int queryTimeout) throws SQLException {
    if (tx == Route.Tx.SNAPSHOT) {
      if (snapshotPending) {
        // Read before the snapshot begins: a commit landing between the two makes the first write
        // fail as stale, never pass.
        snapshotVersion = router.writer.watch().version();
        snapshotPending = false;
      }
      readerUses++;
      return Lease.reader(reader, true, false);
    }
    if (reader != null && tx != Route.Tx.READ_ONLY) {
      // A result set of this connection is open on the reader: the transaction begins there and
      // keeps the snapshot that result set reads, as one connection would (the reader of a
      // transaction that stepped aside and ended with a result set open is in that snapshot's
      // transaction still).
      if (!readerInTx) {
        try {
          Physical.exec(reader, "BEGIN");
        } catch (SQLException e) {
          throw Errors.translate(e);
        }
      }
      readerInTx = true;
      tx = Route.Tx.READ_ONLY;
      txStart = router.meters.now();
    }
    if (reader == null) {
      AtomicInteger holds = router.holdsOfThisThread();
      Connection r = withSession(takeReader(holds, queryTimeout));
      try {
        Physical.exec(r, "BEGIN");
      } catch (SQLException e) {
        returnQuietly(r);
        throw Errors.translate(e);
      }
      holdReader(r, holds, true);
      tx = Route.Tx.READ_ONLY;
      txStart = router.meters.now();
    }
    readerUses++;
    return Lease.reader(reader, true, false);
  }

  /** Refuses changes of enforced pragmas; the same value passes as a harmless no-op. */
  private void pragmaWrite(PragmaCall p) throws SQLException {
    if (p != null && p.value() != null && !Session.handles(p.name())) {
      router.pragmas.checkRuntimeChange(p.name(), p.value());
    }
  }

  /** Whether a pragma write changes per-connection state that no session tracks. */
  private boolean pinsForPragma(Classification c, PragmaCall p) {
    if (c.kind() != StatementKind.PRAGMA_WRITE) {
      return false;
    }
    return p != null
        && p.value() != null
        && !Session.handles(p.name())
        && PragmaScope.of(p.name()) != PragmaScope.DATABASE
        && !router.pragmas.isEnforced(p.name());
  }

  /** A physical connection for a metadata call; end it with {@link #end}. */
  Lease metadataLease() throws SQLException {
    long stamp = use.readLock();
    try {
      return metadataLeaseInUse();
    } finally {
      use.unlockRead(stamp);
    }
  }

  private Lease metadataLeaseInUse() throws SQLException {
    if (writer != null) {
      writerUses++;
      return Lease.writer(writer, false);
    }
    if (!router.hasReaders()) {
      takeWriter(0, Hold.CALL);
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

  /**
   * Ends a lease: gives back what the statement used unless the connection still needs it. Never
   * throws: the statement's outcome is what counts.
   *
   * @param c what ran, or null for a metadata call
   * @param failed whether the statement failed
   * @param broken whether the physical connection broke
   * @param autoCommit the connection's auto-commit: where SQL text that ends a transaction leaves
   *     it
   */
  void end(Lease lease, Classification c, boolean failed, boolean broken, boolean autoCommit) {
    long stamp = use.readLock();
    try {
      endInUse(lease, c, failed, broken, autoCommit);
    } finally {
      use.unlockRead(stamp);
    }
  }

  private void endInUse(
      Lease lease, Classification c, boolean failed, boolean broken, boolean autoCommit) {
    if (lease.isReader()) {
      if (tx == Route.Tx.SNAPSHOT
          && textSnapshot
          && failed
          && c != null
          && c.kind() == StatementKind.BEGIN
          && lease.connection == reader) {
        // The BEGIN that was to open it on the reader failed: there is no transaction.
        readerInTx = false;
        textSnapshot = false;
        snapshotPending = false;
        tx = Route.Tx.NONE;
      }
      if (tx == Route.Tx.SNAPSHOT
          && textSnapshot
          && !failed
          && c != null
          && lease.connection == reader
          && (c.kind() == StatementKind.COMMIT || c.kind() == StatementKind.ROLLBACK)) {
        // The COMMIT or ROLLBACK of a transaction SQL text began, run on its reader, ended it.
        // (Several statements in one string are never these kinds: they take the writer back.)
        router.meters.transaction(
            false, c.kind() == StatementKind.COMMIT, router.meters.now() - txStart);
        readerInTx = false;
        textSnapshot = false;
        snapshotPending = false;
        tx = Route.Tx.NONE;
      }
      if (!lease.isShared()) {
        returnQuietly(lease.connection);
      } else if (--readerUses == 0 && !readerKeptForTransaction() && lease.connection == reader) {
        dropReader();
      }
      return;
    }
    writerUses--;
    if (writer != lease.connection) {
      return;
    }
    try {
      afterWriterStatement(c, failed, autoCommit);
    } catch (SQLException e) {
      broken = true;
    }
    releaseWriterIfFree(broken);
    if (writer != null) {
      // The statement left a transaction, a pin or another open use: the hold outlives the call.
      keepsWriter();
    }
  }

  /**
   * Called, while the caller is still in the JDBC call, when that call leaves the writer held (a
   * result set open on it, a transaction or pin the statement began): the hold warning then needs
   * this call's stack, since the thread will have moved on (design.md, Observability).
   */
  void keepsWriter() {
    router.writer.lasting(holder);
  }

  private void dropReader() {
    Connection r = reader;
    reader = null;
    readerHold.decrementAndGet();
    readerHold = null;
    if (readerInTx) {
      // A transaction that went on to the writer left its snapshot here (its result sets read it).
      readerInTx = false;
      abandonReader(r);
    } else {
      returnQuietly(r);
    }
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
                && (tx == Route.Tx.NONE || readerKeptForTransaction())
                && !pinned
                && !pinnedForGood))) {
      if (broken) {
        if (tx == Route.Tx.USER) {
          // The transaction went with the connection: what ran in it is gone. Refuse everything
          // but rollback(), so that neither a later statement nor commit() pretends otherwise.
          aborted = true;
        }
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
    router.releaseWriter(holder, broken);
  }

  /**
   * After a statement ran on the writer: notices a transaction that SQLite ended (COMMIT, ROLLBACK,
   * RELEASE of the outermost savepoint, or an error that rolled back) and temp objects or
   * attachments that are gone.
   */
  private void afterWriterStatement(Classification c, boolean failed, boolean autoCommit)
      throws SQLException {
    Connection w = writer;
    if (tx == Route.Tx.USER) {
      if (failed) {
        if (!Physical.inTransaction(w)) {
          // The failure ended the transaction inside SQLite: what ran before it is gone. Refuse
          // everything but rollback(), so later statements cannot commit half a unit in
          // auto-commit.
          aborted = true;
        }
      } else if (c != null && mayEnd(c) && !Physical.inTransaction(w)) {
        // The application's own COMMIT, ROLLBACK or RELEASE in SQL text ended it: as on plain,
        // auto-commit stays off with no transaction open.
        tx = Route.Tx.ENDED;
        router.meters.transaction(
            true, c.kind() != StatementKind.ROLLBACK, router.meters.now() - txStart);
      }
    } else if (tx == Route.Tx.SQL_TEXT && c != null) {
      StatementKind k = c.kind();
      if ((failed || mayEnd(c)) && !Physical.inTransaction(w)) {
        tx = autoCommit ? Route.Tx.NONE : Route.Tx.ENDED;
        router.meters.transaction(true, k != StatementKind.ROLLBACK, router.meters.now() - txStart);
      }
    } else if (tx == Route.Tx.ENDED && c != null && !failed) {
      StatementKind k = c.kind();
      if ((k == StatementKind.BEGIN || k == StatementKind.SAVEPOINT || c.multiple())
          && Physical.inTransaction(w)) {
        // SQL text began a transaction again: commit() and rollback() end it, as on plain.
        tx = Route.Tx.SQL_TEXT;
        txStart = router.meters.now();
      }
    }
    if (pinned && writerUses <= 0) {
      pinned = connectionStateExists(w);
    }
  }

  /** Whether a statement can end a transaction without failing. */
  private static boolean mayEnd(Classification c) {
    StatementKind k = c.kind();
    return k == StatementKind.COMMIT
        || k == StatementKind.ROLLBACK
        || k == StatementKind.RELEASE
        || c.multiple();
  }

  /** Whether this connection's temp objects or attached databases may exist on the writer. */
  boolean pinned() {
    return pinned || pinnedForGood;
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

  /**
   * {@code setAutoCommit(false)} inside a transaction SQL text began: plain runs its {@code BEGIN},
   * which SQLite refuses ("cannot start a transaction within a transaction"); so does this. Should
   * SQLite have ended that transaction unnoticed, the BEGIN opens the user's transaction instead.
   */
  void beginInsideTextTransaction() throws SQLException {
    textMayStepAside = false;
    long stamp = use.readLock();
    try {
      beginInsideTextTransactionInUse();
    } finally {
      use.unlockRead(stamp);
    }
  }

  private void beginInsideTextTransactionInUse() throws SQLException {
    try {
      Physical.exec(writer, "BEGIN");
    } catch (SQLException e) {
      throw Errors.translate(e);
    }
    tx = Route.Tx.USER;
  }

  /**
   * {@code setAutoCommit(true)} after SQL text ended the transaction: plain turns auto-commit on,
   * then its COMMIT fails ("no transaction is active"). The connection gives the writer back and
   * throws that failure; should a transaction be open after all, it is committed instead.
   */
  void commitLeavingEnded() throws SQLException {
    long stamp = use.readLock();
    try {
      commitLeavingEndedInUse();
    } finally {
      use.unlockRead(stamp);
    }
  }

  private void commitLeavingEndedInUse() throws SQLException {
    try {
      commitInUse();
    } catch (SQLException e) {
      if (tx == Route.Tx.ENDED) {
        tx = Route.Tx.NONE;
        releaseWriterIfFree(false);
      }
      throw e;
    }
  }

  /** Commits the transaction the connection is in, if any: JDBC's commit() after its checks. */
  void commit() throws SQLException {
    long stamp = use.readLock();
    try {
      commitInUse();
    } finally {
      use.unlockRead(stamp);
    }
  }

  private void commitInUse() throws SQLException {
    if (aborted) {
      throw Errors.transactionAborted();
    }
    if (tx == Route.Tx.USER || tx == Route.Tx.SQL_TEXT || tx == Route.Tx.ENDED) {
      // As plain's commit() ("commit;" on its connection), which also ends a transaction SQL text
      // began once auto-commit is off (a savepoint turned it off, or the BEGIN came first); after
      // SQL text ended the transaction, SQLite's "no transaction is active" is the answer.
      // Result sets open on the writer stay open, as on plain (a loop committing per row of a
      // query goes on), and keep the writer until they close.
      try {
        commitWriter();
      } catch (SQLException e) {
        if (router.isClosed()) {
          throw Errors.closed("The Sluice data source", e);
        }
        // The transaction is still open: the caller decides (rollback). Keep the writer.
        throw translateBusy(e);
      }
      endWriterTransaction(true);
    } else if (readerKeptForTransaction()) {
      endReaderTransaction("COMMIT", true);
    }
  }

  /**
   * COMMIT on the writer; retried on SQLITE_BUSY/LOCKED only when no other statement of this
   * connection is open there: beside one (an {@code INSERT ... RETURNING} being read), BUSY means
   * "statements in progress" and fails at once, as on plain.
   */
  private void commitWriter() throws SQLException {
    if (writerUses > 0) {
      WriterTransaction.commitOnce(router.gate.statements());
    } else {
      WriterTransaction.commit(router.retry, router.gate.statements());
    }
  }

  /** Rolls back the transaction the connection is in, if any, and clears an abort. */
  void rollback() throws SQLException {
    long stamp = use.readLock();
    try {
      rollbackInUse();
    } finally {
      use.unlockRead(stamp);
    }
  }

  private void rollbackInUse() throws SQLException {
    if (tx == Route.Tx.USER || tx == Route.Tx.SQL_TEXT || tx == Route.Tx.ENDED) {
      // Result sets open on the writer stay open, as on plain (SQLite goes on reading them).
      SQLException failure = null;
      try {
        WriterTransaction.rollback(router.gate.statements());
      } catch (SQLException e) {
        if (router.isClosed()) {
          failure = Errors.closed("The Sluice data source", e);
        } else if (tx == Route.Tx.ENDED || !isNoTransaction(e)) {
          // "No transaction is active" is SQLite's answer after SQL text ended the transaction,
          // as on plain; after a statement-level ROLLBACK conflict there is just nothing to undo.
          failure = Errors.translate(e);
        }
      }
      if (failure != null && tx == Route.Tx.ENDED) {
        throw failure; // still no transaction, auto-commit still off
      }
      endWriterTransaction(false);
      if (failure != null) {
        throw failure;
      }
    } else if (readerKeptForTransaction()) {
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
    if (tx == Route.Tx.SNAPSHOT && readerUses > 0) {
      // As on plain, whose commit() and rollback() leave a result set open on the connection
      // reading on (SQLite keeps its snapshot while the statement is pending): a transaction that
      // stepped aside keeps its reader, still in that snapshot, until the last result set closes
      // (dropReader ends it then). Its writes, if any, were on the writer: nothing to commit here.
      tx = Route.Tx.NONE;
      textSnapshot = false;
      snapshotPending = false;
      router.meters.transaction(false, committed, router.meters.now() - txStart);
      return;
    }
    openResults.closeOpenResults();
    Connection r = reader;
    tx = Route.Tx.NONE;
    textSnapshot = false;
    snapshotPending = false;
    try {
      Physical.exec(r, sql);
      readerInTx = false;
    } finally {
      router.meters.transaction(false, committed, router.meters.now() - txStart);
      readerUses = 0;
      dropReader();
    }
  }

  /**
   * The state part of closing the connection, after its statements and result sets closed: ends a
   * read-only transaction and returns the reader; rolls back a transaction on the writer and
   * releases it, replaced when pinned.
   *
   * @throws SQLException the failure of ending a read-only transaction, once everything is given
   *     back
   */
  void close() throws SQLException {
    long stamp = use.readLock();
    try {
      closeInUse();
    } finally {
      use.unlockRead(stamp);
    }
  }

  private void closeInUse() throws SQLException {
    SQLException failure = null;
    if (reader != null) {
      if (tx == Route.Tx.READ_ONLY) {
        tx = Route.Tx.NONE;
        try {
          Physical.exec(reader, "ROLLBACK");
          readerInTx = false;
        } catch (SQLException e) {
          failure = e;
        }
      }
      if (tx == Route.Tx.SNAPSHOT) {
        tx = Route.Tx.NONE;
        textSnapshot = false;
        snapshotPending = false;
      }
      readerUses = 0;
      dropReader();
    }
    aborted = false;
    if (writer != null) {
      Connection w = writer;
      boolean replace = pinnedForGood || pinned;
      if (tx == Route.Tx.USER || tx == Route.Tx.SQL_TEXT || tx == Route.Tx.ENDED) {
        try {
          if (Physical.inTransaction(w)) {
            WriterTransaction.rollback(router.gate.statements());
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

  /** Inside a user's transaction SQLITE_BUSY/LOCKED cannot be retried here: 40001. */
  static SQLException translateBusy(SQLException e) {
    if (SqliteCodes.isBusyOrLocked(e)) {
      return Errors.busyInTransaction(e);
    }
    return Errors.translate(e);
  }
}
