package dev.sluice.routing;

import dev.sluice.error.Errors;
import dev.sluice.error.SqliteCodes;
import dev.sluice.jdbc.DetachedResultSet;
import dev.sluice.jdbc.Physical;
import dev.sluice.jdbc.StatementCache;
import dev.sluice.retry.Retry;
import dev.sluice.sql.Classification;
import dev.sluice.sql.PragmaCall;
import dev.sluice.sql.SqlClassifier;
import dev.sluice.sql.StatementKind;
import dev.sluice.writer.GroupCommit;
import dev.sluice.writer.WriterGate;
import dev.sluice.writer.WriterStatements;
import dev.sluice.writer.WriterTransaction;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import org.sqlite.SQLiteException;

/**
 * A statement of a logical connection. It keeps its settings and, for prepared statements, its
 * bound values, and replays them on a physical statement each time it executes, because a physical
 * connection is borrowed only for the duration of an execution (or of its result set).
 *
 * <p>Not thread-safe, like any JDBC statement, except {@link #cancel()}.
 */
class LogicalStatement implements Statement, LogicalResultSet.Release, WriterResult {
  /** sqlite-jdbc's vendor code when executeQuery ran a statement that returns no rows. */
  private static final int SQLITE_DONE = 101;

  /** How the caller asked a statement to run: sqlite-jdbc answers each form differently. */
  enum Op {
    /** {@code executeQuery}: a result set, or an error. */
    QUERY,
    /** {@code executeUpdate}: an update count. */
    UPDATE,
    /** {@code execute}: whichever the statement gives. */
    EXECUTE
  }

  static final Op QUERY = Op.QUERY;
  static final Op UPDATE = Op.UPDATE;
  static final Op EXECUTE = Op.EXECUTE;

  private static final Classification BATCH = SqlClassifier.classify("INSERT INTO t VALUES (1)");

  final LogicalConnection conn;
  private boolean closed;

  private int queryTimeout;
  private long maxRows;
  private int fetchSize;
  private int maxFieldSize;
  private boolean closeOnCompletion;
  private boolean poolable;

  private Lease lease;
  private Statement physical;

  /** The physical statement executing now (or stepped by an open result set), for cancel(). */
  private volatile Statement executing;

  /** Orders cancel() against the start and end of an execution; held only for an instant. */
  private final ReentrantLock cancelLock = new ReentrantLock();

  /** This statement's write while it waits in the group commit, for {@link #cancel}. */
  private volatile GroupCommit.Job queued;

  private LogicalResultSet resultSet;

  /** Whether {@link #resultSet} was handed to the caller (executeQuery or getResultSet). */
  private boolean resultHandedOut;

  private Classification resultClassification;
  private long updateCount = -1;
  private boolean hasKey;
  private long key;
  private List<String> batch;

  /** Where the last execution ran and whether it was retried, for listeners. */
  boolean lastOnWriter;

  boolean lastRetried;

  LogicalStatement(LogicalConnection conn) {
    this.conn = conn;
  }

  void checkOpen() throws SQLException {
    if (closed) {
      throw Errors.closed("Statement");
    }
    conn.checkOpen();
  }

  // ---- execution core ------------------------------------------------------------------------

  /**
   * Binds this statement's values on a physical prepared statement, for the group commit; null for
   * a plain statement, whose SQL carries everything.
   */
  GroupCommit.Binder binder() {
    return null;
  }

  /**
   * The SQL whose compiled statement this execution may take from a reader's statement cache, or
   * null: {@code sql} as the caller gave it (the reference, so that a rewrite made for this run is
   * another string and never matches), when it is a read kept under the cache's rules.
   */
  private String cacheSql;

  /**
   * The SQL of an execution of {@code sql} (classified as {@code c}) that may use a reader's
   * statement cache, or null. A plain statement's SQL, given at each execution, counts from the
   * second time it is seen and only without parameter markers ({@link
   * SqlClassifier#reusablePlain}); only {@code executeQuery} and {@code execute} take part, since
   * sqlite-jdbc's prepared {@code executeUpdate} refuses a SELECT that its plain one runs.
   */
  String reusableSql(String sql, Classification c, Op op) {
    return op != UPDATE && SqlClassifier.reusablePlain(sql, c) ? sql : null;
  }

  /**
   * Creates the physical statement for one execution on a reader: a compiled statement from the
   * reader's statement cache ({@link #lend}) when this execution's SQL may use it, as given (not
   * rewritten for this run), and no setting would reach a later user; else a new one.
   */
  @SuppressWarnings("ReferenceEquality") // a rewrite for this run is another string
  final Statement createReaderPhysical(Connection c, String sql) throws SQLException {
    String reusable = cacheSql;
    return createFrom(
        reusable != null && sql == reusable && defaultSettings()
            ? conn.router.statementCache(c)
            : null,
        c,
        sql);
  }

  /**
   * A compiled statement for {@code sql} from {@code cache}, bound and lent until its use ends
   * ({@link #lend}); a new physical statement when {@code cache} is null.
   */
  private Statement createFrom(StatementCache cache, Connection c, String sql) throws SQLException {
    if (cache == null) {
      return createPhysical(c, sql);
    }
    PreparedStatement ps = bound(cache.take(sql));
    lend(cache, sql, ps);
    return ps;
  }

  /** {@code ps} with this statement's values bound, or closed when binding fails. */
  final PreparedStatement bound(PreparedStatement ps) throws SQLException {
    try {
      bind(ps);
    } catch (SQLException | RuntimeException e) {
      ps.close();
      throw e;
    }
    return ps;
  }

  /** Binds this statement's values on a physical prepared statement; a plain one has none. */
  void bind(PreparedStatement ps) throws SQLException {}

  /**
   * Whether the values to bind are still those the current result set was made with (a caller may
   * set the next execution's while it reads); a plain statement's SQL carries them.
   */
  boolean boundValuesCurrent() {
    return true;
  }

  /**
   * Whether this execution of {@code sql} on the writer may take a compiled statement the writer
   * keeps ({@link WriterStatements}): a prepared INSERT, UPDATE or DELETE run by {@code
   * executeUpdate}, or a prepared query the readers' caches would keep, as prepared (not rewritten
   * for this run). A plain statement's text is not kept.
   */
  boolean writerReusable(String sql, Classification c, Op op) {
    return false;
  }

  /**
   * Creates the physical statement for one execution on the writer the connection holds: a compiled
   * one the writer keeps when this execution may use it ({@link #writerReusable}) and no setting
   * would reach a later user; else a new one.
   */
  private Statement createWriterPhysical(Lease l, String sql, Classification c, Op op)
      throws SQLException {
    WriterStatements kept =
        writerReusable(sql, c, op) && defaultSettings() ? conn.router.gate.statements() : null;
    return createFrom(
        kept != null && kept.connection() == l.connection ? kept.cache() : null, l.connection, sql);
  }

  /**
   * Ends the use of an execution's physical statement that produced no result set: one a cache lent
   * goes back to it (a writer's while the caller still holds the writer), any other is closed.
   */
  private void endPhysical(Statement s) {
    if (s == lent) {
      giveLent();
    } else {
      closeQuietly(s);
    }
  }

  /**
   * The physical statement now running was lent by {@code cache} for {@code sql}: it goes back
   * there, instead of being closed, once its result set is closed.
   */
  final void lend(StatementCache cache, String sql, PreparedStatement ps) {
    unpark();
    lentBy = cache;
    lentSql = sql;
    lent = ps;
  }

  /** The statement cache that lent {@link #lent}, the physical statement of the current use. */
  private StatementCache lentBy;

  private String lentSql;
  private PreparedStatement lent;

  /**
   * {@link #lent} belongs to a result set read to its end: the reader went back to the pool, but
   * the statement goes back to its cache only when the result set closes, since until then the
   * caller's result set still forwards to it (and must not see another read's rows).
   */
  private boolean parked;

  /** Gives the lent statement back to its cache. */
  private void giveLent() {
    PreparedStatement p = lent;
    StatementCache cache = lentBy;
    lent = null;
    lentBy = null;
    parked = false;
    cache.give(lentSql, p);
  }

  /** Gives a parked statement back to its cache. */
  private void unpark() {
    if (parked) {
      giveLent();
    }
  }

  /** Creates the physical statement for one execution; prepared statements bind here. */
  Statement createPhysical(Connection c, String sql) throws SQLException {
    return c.createStatement();
  }

  /**
   * Runs the physical statement the way the caller asked (sqlite-jdbc answers each form
   * differently) and leaves its outcome in {@link #physicalResult} or {@link #physicalCount}.
   * Prepared statements ignore {@code sql} (already prepared).
   */
  boolean physicalExecute(Statement s, String sql, Op op) throws SQLException {
    if (s == lent) {
      // A compiled statement from a reader's cache runs as what it is, a prepared statement.
      return preparedExecute(lent, op);
    }
    switch (op) {
      case QUERY:
        physicalResult = s.executeQuery(sql);
        return true;
      case UPDATE:
        physicalCount = s.executeUpdate(sql);
        return false;
      default:
        return outcome(s, s.execute(sql));
    }
  }

  /** {@link #physicalExecute} on a prepared statement, whose SQL is compiled in it. */
  final boolean preparedExecute(PreparedStatement ps, Op op) throws SQLException {
    switch (op) {
      case QUERY:
        physicalResult = ps.executeQuery();
        return true;
      case UPDATE:
        physicalCount = ps.executeUpdate();
        return false;
      default:
        return outcome(ps, ps.execute());
    }
  }

  /** Records the outcome of {@code execute()}. */
  final boolean outcome(Statement s, boolean hasResultSet) throws SQLException {
    if (hasResultSet) {
      physicalResult = s.getResultSet();
    } else {
      try {
        physicalCount = s.getUpdateCount();
      } catch (RuntimeException e) {
        // sqlite-jdbc's own commands ("backup to", "restore from") leave no statement to ask.
        physicalCount = 0;
      }
    }
    return hasResultSet;
  }

  /** The outcome of the last physical execution. */
  ResultSet physicalResult;

  long physicalCount;

  /**
   * Executes {@code sql} where the routing rules send it.
   *
   * @return whether the statement produced a result set
   */
  final boolean run(String sql, Classification c, Op op) throws SQLException {
    checkOpen();
    closeForNextExecution();
    hasKey = false;
    updateCount = -1;
    cacheSql = reusableSql(sql, c, op);
    PragmaCall pragma =
        (c.kind() == StatementKind.PRAGMA_WRITE || c.kind() == StatementKind.PRAGMA_READ)
                && !c.multiple()
            ? SqlClassifier.pragma(sql)
            : null;
    if (pragma != null) {
      if (conn.sessionWrite(pragma)) {
        // A session pragma is recorded on the connection; nothing runs now. Its update count is
        // plain's: 0 from executeUpdate, the connection's changes() after execute().
        lastOnWriter = false;
        lastRetried = false;
        updateCount = op == EXECUTE ? conn.changes : 0;
        if (op == QUERY) {
          resultSet = null;
          throw Errors.invalidArgument("executeQuery: the statement does not return a result set");
        }
        return false;
      }
      String answer = conn.sessionRead(pragma);
      if (answer != null) {
        sql = answer;
        c = SqlClassifier.classify(answer);
        pragma = null;
      } else {
        sql = LogicalConnection.checkpointOfMain(pragma, sql);
      }
    }
    if (c.usesConnectionState()) {
      sql =
          SqlClassifier.rewriteConnectionState(
              sql, conn.lastInsertRowid, conn.changes, conn.totalChanges);
    }
    GroupCommit group = conn.router.group;
    if (op == UPDATE && queryTimeout == 0 && conn.canGroup(c) && !group.idle()) {
      conn.checkOpen();
      runGrouped(sql, c);
      return false;
    }
    Lease l = conn.route(c, sql, pragma, queryTimeout);
    return runOn(l, sql, c, op, true);
  }

  /** An auto-commit update through the group commit: alone when uncontended, else grouped. */
  private void runGrouped(String sql, Classification c) throws SQLException {
    long start = conn.router.meters.now();
    boolean ok = false;
    lastOnWriter = true;
    lastRetried = false;
    GroupCommit.Job job = new GroupCommit.Job(sql, binder(), c.insert(), conn, conn.session());
    queued = job;
    try {
      conn.router.group.submit(job);
      if (job.error() != null) {
        throw Errors.translate(job.error());
      }
      updateCount = job.count();
      if (c.dml()) {
        conn.recordWrite(
            job.changes(), job.hasKey() ? job.key() : WriterGate.SENTINEL, job.totalChanges());
        hasKey = c.insert();
        key = conn.lastInsertRowid;
      }
      ok = true;
    } finally {
      queued = null;
      conn.router.meters.statement(true, ok, conn.router.meters.now() - start);
    }
  }

  private boolean runOn(Lease l, String sql, Classification c, Op op, boolean mayMisroute)
      throws SQLException {
    long start = conn.router.meters.now();
    boolean ok = false;
    lastOnWriter = l.onWriter();
    lastRetried = false;
    boolean ended = false;
    if (l.isReader()) {
      readerBegan = conn.router.writer.holdsEnded();
    }
    try {
      lease = l;
      boolean hasResultSet;
      try {
        hasResultSet = executeOnce(l, sql, op, c);
      } catch (SQLException first) {
        // Auto-commit work, and the BEGIN that opens a SQL-text transaction, may be repeated.
        if (!l.retryable || queryTimeout > 0 || !Retry.retryable(first)) {
          // With a query timeout sqlite-jdbc already waited that long for the lock: no retry.
          throw first;
        }
        String toRun = sql;
        lastRetried = true;
        hasResultSet =
            conn.router.retry.afterFailure(
                l.onWriter(), first, start, () -> executeOnce(l, toRun, op, c));
      }
      Statement s = physical;
      if (hasResultSet) {
        resultClassification = c;
        resultSql = sql;
        resultSet = new LogicalResultSet(physicalResult, this, this, sql);
        resultHandedOut = false;
        physicalResult = null;
        if (l.onWriter()) {
          conn.keepsWriter();
        }
      } else {
        updateCount = physicalCount;
        if (l.onWriter() && c.dml()) {
          recordWrite(l.connection, c);
        } else if (op == EXECUTE && !c.dml() && !c.isRead()) {
          // Plain's update count after execute() of anything but an INSERT, UPDATE or DELETE
          // (BEGIN, COMMIT, DDL, a pragma, VACUUM ...) is its connection's changes(), unchanged;
          // the physical writer's is whoever wrote last on it, another connection perhaps. (A
          // write classified as a read, re-run here by the safety net, keeps its own count.)
          updateCount = conn.changes;
        }
        physical = null;
        lease = null;
        endPhysical(s);
        ended = true;
        conn.end(l, c, false, false);
      }
      ok = true;
      return hasResultSet;
    } catch (SQLException e) {
      closeQuietly(physical);
      physical = null;
      lease = null;
      if (ended) {
        throw Errors.translate(e);
      }
      ended = true;
      if (mayMisroute && l.isReader() && !conn.isReadOnlyMode() && SqliteCodes.isReadOnly(e)) {
        // Safety net: query_only made the reader refuse, so nothing changed. Run it on the writer.
        conn.end(l, c, true, false);
        conn.router.misrouted(sql);
        return runOn(conn.routeMisread(c, queryTimeout), sql, c, op, false);
      }
      if (l.onWriter() && l.retryable && SqliteCodes.primary(e) == SqliteCodes.INTERRUPT) {
        // The interrupt may have landed after the write, in sqlite-jdbc's auto-commit check,
        // which leaves a transaction of its own open: report the truth and leave no transaction.
        boolean committed = false;
        try {
          committed = recoverInterrupted(l.connection, c, op);
        } catch (SQLException unknown) {
          conn.end(l, c, true, true);
          throw Errors.translate(e);
        }
        if (committed) {
          updateCount = Physical.changes(l.connection);
          recordWrite(l.connection, c);
          conn.end(l, c, false, false);
          ok = true;
          return false;
        }
      }
      if (l.onWriter() && c.dml()) {
        recordFailedWrite(l.connection, c, op, e);
      }
      conn.end(l, c, true, Router.isBroken(e));
      throw translate(e, l, sql);
    } catch (RuntimeException e) {
      // A pool racing its own shutdown throws unchecked; JDBC callers get a SQLException.
      closeQuietly(physical);
      physical = null;
      lease = null;
      if (!ended) {
        // Unchecked from sqlite-jdbc on a live engine is no sign of a broken connection: keep it,
        // and the transaction on it, as plain does.
        conn.end(l, c, true, conn.router.isClosed());
      }
      if (conn.router.isClosed()) {
        throw Errors.closed("The Sluice data source", e);
      }
      throw e;
    } finally {
      conn.router.meters.statement(l.onWriter(), ok, conn.router.meters.now() - start);
    }
  }

  /** One attempt: a fresh physical statement (the failed one of a previous attempt closed). */
  private boolean executeOnce(Lease l, String sql, Op op, Classification c) throws SQLException {
    closeQuietly(physical);
    physical = null;
    Connection conn = l.connection;
    if (c.kind() == StatementKind.PRAGMA_READ && !l.onWriter()) {
      // The reader's cached schema may predate the writer's DDL (as plain's one connection never
      // is).
      Physical.refreshSchema(conn);
    }
    Statement s =
        l.isReader()
            ? createReaderPhysical(conn, sql)
            : l.onWriter() ? createWriterPhysical(l, sql, c, op) : createPhysical(conn, sql);
    physical = s;
    applySettings(s);
    if (l.onWriter() && c.dml()) {
      if (c.insert()) {
        this.conn.router.gate.beforeInsert(conn, this.conn);
      }
      totalBefore = Physical.totalChanges(conn);
    }
    startExecution(s);
    boolean hasResultSet = false;
    try {
      hasResultSet = physicalExecute(s, sql, op);
      return hasResultSet;
    } finally {
      if (!hasResultSet) {
        endExecution();
      }
    }
  }

  /**
   * After an interrupted auto-commit statement on the writer: rolls back a transaction left open
   * (SQLite ended the statement's own; one still open is sqlite-jdbc's auto-commit probe, empty)
   * and tells whether the statement's write completed before the interrupt (the writer's {@code
   * total_changes()} moved): then it was committed and is reported as done.
   */
  private boolean recoverInterrupted(Connection w, Classification c, Op op) throws SQLException {
    if (Physical.inTransaction(w)) {
      Physical.exec(w, "ROLLBACK");
    }
    return op != QUERY && c.dml() && Physical.totalChanges(w) > totalBefore;
  }

  /** {@code total_changes()} of the writer before this statement's current execution. */
  private long totalBefore;

  /**
   * Marks {@code s} as this statement's execution on its physical connection, for {@link #cancel}:
   * a cancel interrupts the physical connection only while the mark is set, and the mark is cleared
   * before the connection is given back, so a cancel never reaches a later statement of someone
   * else (issue 18).
   */
  private void startExecution(Statement s) {
    cancelLock.lock();
    try {
      executing = s;
    } finally {
      cancelLock.unlock();
    }
  }

  private void endExecution() {
    cancelLock.lock();
    try {
      executing = null;
    } finally {
      cancelLock.unlock();
    }
  }

  private SQLException translate(SQLException e, Lease l, String sql) {
    if (conn.router.isClosed()) {
      return Errors.closed("The Sluice data source", e);
    }
    if (queryTimeout > 0 && l.retryable && SqliteCodes.isBusy(e)) {
      return Errors.queryTimeout(queryTimeout, e);
    }
    if (l.isReader() && SqliteCodes.isReadOnly(e)) {
      return Errors.readOnlyViolation(sql, e);
    }
    if (!l.retryable) {
      return ConnectionState.translateBusy(e);
    }
    return Errors.translate(e);
  }

  /**
   * What a failed write leaves in this connection's counters, as on plain's connection: a write
   * that broke a constraint ran and SQLite undid it, so {@code changes()} is what SQLite set then
   * (0 but for OR FAIL's partial count); a write run by {@code executeQuery} ran, then sqlite-jdbc
   * said it returns no result set (SQLITE_DONE), so it counts like any write. Otherwise nothing
   * changes.
   */
  private void recordFailedWrite(Connection c, Classification cls, Op op, SQLException e) {
    try {
      if (SqliteCodes.primary(e) == SqliteCodes.CONSTRAINT) {
        conn.recordWrite(Physical.changes(c), WriterGate.SENTINEL, 0);
      } else if (op == QUERY && e.getErrorCode() == SQLITE_DONE) {
        recordWrite(c, cls);
      }
    } catch (SQLException unknown) {
      // The statement's own failure is the answer; the counters stay as they were.
    }
  }

  private void recordWrite(Connection c, Classification cls) throws SQLException {
    long changed = Physical.changes(c);
    long total = Physical.totalChanges(c) - totalBefore;
    long rowid = cls.insert() ? conn.router.gate.afterInsert(c, conn) : WriterGate.SENTINEL;
    conn.recordWrite(changed, rowid, total);
    if (cls.insert()) {
      hasKey = true;
      key = conn.lastInsertRowid;
    }
  }

  /** No setting that {@link #applySettings} would leave on the physical statement. */
  final boolean defaultSettings() {
    return queryTimeout == 0 && maxRows == 0 && fetchSize == 0 && maxFieldSize == 0;
  }

  private void applySettings(Statement s) throws SQLException {
    if (queryTimeout > 0) {
      s.setQueryTimeout(queryTimeout);
    }
    // The fetch size first: sqlite-jdbc refuses one past the statement's row limit, which JDBC
    // allows (design.md), and the physical statement has no limit yet.
    if (fetchSize > 0) {
      s.setFetchSize(fetchSize);
    }
    if (maxRows > 0) {
      s.setLargeMaxRows(maxRows);
    }
    if (maxFieldSize > 0) {
      s.setMaxFieldSize(maxFieldSize);
    }
  }

  /** The SQL run for the current result set (rewritten as run), for {@link #continueOnWriter}. */
  private String resultSql;

  /** The writer's count of ended holds when the current reader execution began. */
  private long readerBegan;

  /**
   * A reader refused a write in the middle of this statement's result set: a later row called a
   * function that writes (FTS4's {@code optimize()}, directly or through a view), which no reading
   * of the SQL text can foresee and which plain sqlite-jdbc's one connection runs by upgrading its
   * read to a write. The reader made no change ({@code query_only}). If no writer hold ended since
   * the read began, nothing was committed in between, so the query gives the same rows on the
   * writer: it runs again there, the {@code delivered} rows are stepped over, and the result set
   * goes on from the writer (counted as a misroute). Otherwise plain's upgrade would find its
   * snapshot stale and fail with SQLITE_BUSY_SNAPSHOT, and so does this.
   *
   * @return the writer's result set on the last delivered row, or null when {@code e} is not such a
   *     refusal, or the statement's values were set again meanwhile (nothing left to run it with):
   *     the caller reports it
   */
  ResultSet continueOnWriter(SQLException e, long delivered) throws SQLException {
    Lease reader = lease;
    String sql = resultSql;
    Classification c = resultClassification;
    if (reader == null
        || !reader.isReader()
        || sql == null
        || !boundValuesCurrent()
        || conn.isReadOnlyMode()
        || !SqliteCodes.isReadOnly(e)) {
      return null;
    }
    Statement s = physical;
    endExecution();
    physical = null;
    lease = null;
    closeQuietly(s);
    conn.end(reader, c, true, false);
    conn.router.misrouted(sql);
    Lease w = conn.routeMisread(c, queryTimeout);
    lastOnWriter = true;
    boolean ok = false;
    try {
      if (conn.router.writer.holdsEnded() != readerBegan) {
        throw Errors.staleSnapshot(sql, e);
      }
      lease = w;
      executeOnce(w, sql, QUERY, c);
      ResultSet r = physicalResult;
      physicalResult = null;
      for (long i = 0; i < delivered; i++) {
        if (!r.next()) {
          throw Errors.staleSnapshot(sql, e);
        }
      }
      ok = true;
      conn.keepsWriter();
      return r;
    } finally {
      if (!ok) {
        endExecution();
        closeQuietly(physical);
        physical = null;
        lease = null;
        resultClassification = null;
        resultSql = null;
        conn.end(w, c, true, false);
      }
    }
  }

  /**
   * This statement's query run again on a reader, stepped over the rows its result set delivered,
   * ready to take the writer's place.
   */
  private record Move(LogicalStatement statement, Statement physical, ResultSet rows)
      implements WriterResult.Rerun {
    @Override
    public void complete(Lease onReader) {
      statement.completeMove(this, onReader);
    }

    @Override
    public void abandon() {
      closeQuietly(physical);
    }
  }

  /** Whether this statement's current execution holds the writer. */
  boolean holdsWriter() {
    Lease l = lease;
    return l != null && l.onWriter();
  }

  /**
   * Runs the query of this statement's result set, open on the writer, again on {@code reader},
   * whose snapshot is the writer's state (the transaction has only read, design.md "A transaction
   * that has only read"), and steps over the rows already delivered, as {@link #continueOnWriter}
   * does the other way: the same SQL with the same values on the same state gives the same rows.
   *
   * @return the rerun, positioned on the current row; null when this result set cannot move (not a
   *     plain query, or the rerun fails or gives fewer rows), and then nothing changed
   */
  @Override
  public WriterResult.Rerun rerunOn(Connection reader) {
    LogicalResultSet r = resultSet;
    Classification c = resultClassification;
    String sql = resultSql;
    if (r == null
        || !holdsWriter()
        || !boundValuesCurrent()
        || sql == null
        || c == null
        || c.kind() != StatementKind.READ
        || c.multiple()
        || c.dml()) {
      return null;
    }
    Statement s = null;
    ResultSet before = physicalResult;
    try {
      s = createPhysical(reader, sql);
      applySettings(s);
      physicalExecute(s, sql, QUERY);
      ResultSet rows = physicalResult;
      for (long i = r.delivered(); i > 0; i--) {
        if (!rows.next()) {
          closeQuietly(s);
          return null;
        }
      }
      return new Move(this, s, rows);
    } catch (SQLException | RuntimeException e) {
      closeQuietly(s);
      return null;
    } finally {
      physicalResult = before;
    }
  }

  /**
   * Goes on from the rerun: the result set reads on the reader ({@code readerLease}), and the
   * writer's statement is closed or goes back to the writer's cache.
   */
  private void completeMove(Move m, Lease readerLease) {
    Statement old = physical;
    resultSet.moveTo(m.rows());
    if (old != null && old == lent) {
      giveLent();
    } else {
      closeQuietly(old);
    }
    physical = m.physical();
    lease = readerLease;
    // A later row's write refused by the reader fails as a stale snapshot (continueOnWriter).
    readerBegan = conn.router.writer.holdsEnded() - 1;
    startExecution(m.physical());
  }

  /** Called once when the current result set closes: gives back what it held. */
  @Override
  public void release() throws SQLException {
    resultSet = null;
    try {
      try {
        giveBack(false);
      } finally {
        unpark();
      }
    } finally {
      if (closeOnCompletion && !replacing) {
        close();
      }
    }
  }

  /**
   * Set while an execution closes the result set it replaces: the statement is not closed on
   * completion then. It runs on with a new result set (plain's {@code Statement} runs the execution
   * too); closed, it would hand out a result set nothing closes with the connection, its physical
   * statement left open on the writer or a reader.
   */
  private boolean replacing;

  /** Closes the current result set for the execution that replaces it. */
  private void closeForNextExecution() throws SQLException {
    replacing = true;
    try {
      closeCurrent();
    } finally {
      replacing = false;
    }
  }

  /**
   * Called when the current result set has returned its last row: gives back its physical
   * connection at once, so a result set read to its end holds nothing (design.md, No waits in a
   * cycle), while it stays open for the caller until closed.
   */
  void exhausted() throws SQLException {
    giveBack(true);
  }

  /**
   * Gives back the physical connection of the current result set.
   *
   * @param keepOpen the result set stays open for the caller (read to its end): a statement lent by
   *     a cache is parked until it closes
   */
  private void giveBack(boolean keepOpen) throws SQLException {
    endExecution();
    Statement s = physical;
    Lease l = lease;
    Classification c = resultClassification;
    physical = null;
    lease = null;
    resultClassification = null;
    resultSql = null;
    if (l == null) {
      return;
    }
    boolean broken = false;
    try {
      if (l.onWriter() && c != null && c.dml()) {
        // INSERT ... RETURNING: the write is complete once its rows are consumed and closed.
        s.close();
        recordWrite(l.connection, c);
      }
    } catch (SQLException e) {
      broken = Router.isBroken(e);
      throw Errors.translate(e);
    } finally {
      if (s != null && s == lent) {
        if (keepOpen) {
          parked = true;
        } else {
          giveLent();
        }
      } else {
        closeQuietly(s);
      }
      conn.end(l, c, false, broken);
    }
  }

  /** Closes the current result set, if any, which gives back its connection. */
  void closeCurrent() throws SQLException {
    LogicalResultSet r = resultSet;
    if (r != null) {
      r.close();
    }
  }

  private static void closeQuietly(Statement s) {
    if (s != null) {
      try {
        s.close();
      } catch (SQLException e) {
        // The statement's own outcome is what the caller needs.
      }
    }
  }

  // ---- batches -------------------------------------------------------------------------------

  /** Runs a batch as one writer transaction (design.md rule 5), or inside the open one. */
  final long[] runBatch(BatchBody body) throws SQLException {
    checkOpen();
    closeForNextExecution();
    hasKey = false;
    updateCount = -1;
    if (conn.isReadOnlyMode()) {
      throw Errors.readOnlyViolation("batch", null);
    }
    // Outside a user's transaction the batch brings its own, also on a pinned writer.
    boolean own = conn.batchNeedsTransaction() && conn.getAutoCommit();
    Lease l;
    try {
      l = conn.route(BATCH, "batch", null, queryTimeout);
    } catch (SQLException e) {
      if (!(e instanceof SQLiteException)) {
        throw e;
      }
      // SQLite's refusal before the first entry ran (a transaction's stale snapshot): as plain's
      // first entry fails, a BatchUpdateException with a zero count for each entry.
      throw Errors.batchFailed(0, new long[body.size()], e);
    }
    lastOnWriter = true;
    lastRetried = false;
    long start = conn.router.meters.now();
    boolean ok = false;
    try {
      long[] counts =
          own
              ? WriterTransaction.unit(
                  conn.router.retry, conn.router.gate.statements(), w -> batchOnce(w, body))
              : batchOnce(l.connection, body);
      ok = true;
      return counts;
    } catch (SQLException e) {
      if (own && !(e instanceof BatchUpdateException) && !Retry.retryable(e)) {
        // The batch's own COMMIT failed (a deferred foreign key): callers catch a
        // BatchUpdateException, as plain's failing entry gives them.
        throw Errors.batchRolledBack(e);
      }
      throw own ? Errors.translate(e) : ConnectionState.translateBusy(e);
    } finally {
      conn.end(l, BATCH, !ok, false);
      conn.router.meters.statement(true, ok, conn.router.meters.now() - start);
    }
  }

  private long[] batchOnce(Connection c, BatchBody body) throws SQLException {
    try (Statement s = body.prepare(c)) {
      applySettings(s);
      if (body.inserts()) {
        conn.router.gate.beforeInsert(c, conn);
      }
      long before = Physical.totalChanges(c);
      startExecution(s);
      long[] counts;
      try {
        counts = s.executeLargeBatch();
      } finally {
        endExecution();
      }
      // As plain sqlite-jdbc: changes() is the last statement's count, and no generated keys.
      long last = counts.length == 0 ? 0 : Math.max(counts[counts.length - 1], 0);
      long rowid = body.inserts() ? conn.router.gate.afterInsert(c, conn) : WriterGate.SENTINEL;
      conn.recordWrite(last, rowid, Physical.totalChanges(c) - before);
      return counts;
    }
  }

  /**
   * An auto-commit batch that controls transactions itself or holds a statement that cannot run in
   * one ({@code VACUUM}) runs as plain sqlite-jdbc runs every batch: statement by statement, each
   * as {@code execute} runs it, up to the first failure. Rule 5's one transaction cannot hold it
   * (design.md, Routing details).
   */
  private long[] oneByOne(List<String> sqls, Classification[] kinds) throws SQLException {
    long[] counts = new long[sqls.size()];
    for (int i = 0; i < counts.length; i++) {
      SQLException failure;
      try {
        if (kinds[i].isRead() || run(sqls.get(i), kinds[i], EXECUTE)) {
          closeCurrent();
          failure = Errors.invalidArgument("executeBatch: the statement returns rows");
        } else {
          counts[i] = updateCount;
          continue;
        }
      } catch (SQLException e) {
        failure = e;
      }
      updateCount = -1;
      throw Errors.batchFailed(i, counts, failure);
    }
    updateCount = -1;
    return counts;
  }

  /** Builds the physical batch on a connection. */
  interface BatchBody {
    Statement prepare(Connection c) throws SQLException;

    boolean inserts();

    /** The number of entries. */
    int size();
  }

  @Override
  public void addBatch(String sql) throws SQLException {
    checkOpen();
    if (batch == null) {
      batch = new ArrayList<>();
    }
    batch.add(sql);
  }

  @Override
  public void clearBatch() throws SQLException {
    checkOpen();
    if (batch != null) {
      batch.clear();
    }
  }

  @Override
  public int[] executeBatch() throws SQLException {
    return toInts(executeLargeBatch());
  }

  @Override
  public long[] executeLargeBatch() throws SQLException {
    checkOpen();
    if (batch == null || batch.isEmpty()) {
      return new long[0];
    }
    List<String> sqls = new ArrayList<>(batch);
    batch.clear();
    boolean inserts = false;
    boolean oneByOne = false;
    Classification[] kinds = new Classification[sqls.size()];
    for (int i = 0; i < kinds.length; i++) {
      kinds[i] = SqlClassifier.classify(sqls.get(i));
      inserts |= kinds[i].insert();
      oneByOne |=
          kinds[i].isTransactionControl() || kinds[i].kind() == StatementKind.NO_TRANSACTION;
    }
    if (oneByOne && conn.getAutoCommit()) {
      return oneByOne(sqls, kinds);
    }
    boolean anyInsert = inserts;
    return runBatch(
        new BatchBody() {
          @Override
          public Statement prepare(Connection c) throws SQLException {
            Statement s = c.createStatement();
            for (String sql : sqls) {
              s.addBatch(sql);
            }
            return s;
          }

          @Override
          public boolean inserts() {
            return anyInsert;
          }

          @Override
          public int size() {
            return sqls.size();
          }
        });
  }

  static int[] toInts(long[] counts) {
    int[] r = new int[counts.length];
    for (int i = 0; i < counts.length; i++) {
      r[i] = (int) Math.min(Integer.MAX_VALUE, counts[i]);
    }
    return r;
  }

  // ---- Statement -----------------------------------------------------------------------------

  @Override
  public ResultSet executeQuery(String sql) throws SQLException {
    if (sql == null) {
      checkOpen();
      throw Errors.invalidArgument("executeQuery: sql is null");
    }
    run(sql, SqlClassifier.classify(sql), QUERY);
    return currentResultSet();
  }

  @Override
  public int executeUpdate(String sql) throws SQLException {
    run(sql, SqlClassifier.classify(sql), UPDATE);
    return (int) updateCount;
  }

  @Override
  public long executeLargeUpdate(String sql) throws SQLException {
    run(sql, SqlClassifier.classify(sql), UPDATE);
    return updateCount;
  }

  @Override
  public boolean execute(String sql) throws SQLException {
    if (sql == null) {
      // Plain throws a NullPointerException from deep inside; nothing may run (or end) here.
      checkOpen();
      throw Errors.invalidArgument("execute: sql is null");
    }
    return run(sql, SqlClassifier.classify(sql), EXECUTE);
  }

  @Override
  public int executeUpdate(String sql, int autoGeneratedKeys) throws SQLException {
    return executeUpdate(sql);
  }

  @Override
  public int executeUpdate(String sql, int[] columnIndexes) throws SQLException {
    return executeUpdate(sql);
  }

  @Override
  public int executeUpdate(String sql, String[] columnNames) throws SQLException {
    return executeUpdate(sql);
  }

  @Override
  public long executeLargeUpdate(String sql, int autoGeneratedKeys) throws SQLException {
    return executeLargeUpdate(sql);
  }

  @Override
  public long executeLargeUpdate(String sql, int[] columnIndexes) throws SQLException {
    return executeLargeUpdate(sql);
  }

  @Override
  public long executeLargeUpdate(String sql, String[] columnNames) throws SQLException {
    return executeLargeUpdate(sql);
  }

  @Override
  public boolean execute(String sql, int autoGeneratedKeys) throws SQLException {
    return execute(sql);
  }

  @Override
  public boolean execute(String sql, int[] columnIndexes) throws SQLException {
    return execute(sql);
  }

  @Override
  public boolean execute(String sql, String[] columnNames) throws SQLException {
    return execute(sql);
  }

  /** The update count of the last execution, without a check for closed (it ran). */
  final int lastUpdateCount() {
    return (int) Math.min(Integer.MAX_VALUE, updateCount);
  }

  final long lastLargeUpdateCount() {
    return updateCount;
  }

  /** The current result set, without handing it out. */
  final ResultSet peekResultSet() {
    return resultSet;
  }

  /** The current result set, as executeQuery hands it to the caller. */
  final ResultSet currentResultSet() {
    resultHandedOut = resultSet != null;
    return resultSet;
  }

  @Override
  public ResultSet getResultSet() throws SQLException {
    checkOpen();
    LogicalResultSet r = resultSet;
    if (r != null && resultHandedOut && !r.isClosed()) {
      // As plain sqlite-jdbc: one result is handed out once (JDBC: "called only once per result").
      throw Errors.functionSequence(
          "getResultSet(): the current result set was already handed out and is still open. Use"
              + " that one.");
    }
    return currentResultSet();
  }

  @Override
  public int getUpdateCount() throws SQLException {
    checkOpen();
    return (int) Math.min(Integer.MAX_VALUE, updateCount);
  }

  @Override
  public long getLargeUpdateCount() throws SQLException {
    checkOpen();
    return updateCount;
  }

  @Override
  public boolean getMoreResults() throws SQLException {
    return getMoreResults(CLOSE_CURRENT_RESULT);
  }

  @Override
  public boolean getMoreResults(int current) throws SQLException {
    checkOpen();
    if (current == KEEP_CURRENT_RESULT || current == CLOSE_ALL_RESULTS) {
      throw Errors.unsupported("getMoreResults(KEEP_CURRENT_RESULT or CLOSE_ALL_RESULTS)");
    }
    if (current != CLOSE_CURRENT_RESULT) {
      throw Errors.invalidArgument(
          "getMoreResults(" + current + "): use Statement.CLOSE_CURRENT_RESULT");
    }
    closeCurrent();
    updateCount = -1;
    return false;
  }

  @Override
  public ResultSet getGeneratedKeys() throws SQLException {
    checkOpen();
    return hasKey ? DetachedResultSet.ofKey(key, this) : DetachedResultSet.empty("1", this);
  }

  @Override
  public void close() throws SQLException {
    if (closed) {
      return;
    }
    try {
      closeCurrent();
    } finally {
      closed = true;
      conn.statementClosed(this);
    }
  }

  @Override
  public boolean isClosed() {
    return closed;
  }

  /**
   * Interrupts this statement's execution and nothing else: a write still queued in the group
   * commit fails with 57014 and never runs (once its group started, it completes); an execution in
   * progress is interrupted while it is the one on its physical connection ({@link
   * #startExecution}); otherwise nothing happens.
   */
  @Override
  public void cancel() throws SQLException {
    GroupCommit.Job job = queued;
    if (job != null) {
      conn.router.group.cancel(job);
    }
    cancelLock.lock();
    try {
      Statement s = executing;
      if (s != null) {
        s.cancel();
      }
    } finally {
      cancelLock.unlock();
    }
  }

  @Override
  public int getMaxFieldSize() throws SQLException {
    checkOpen();
    return maxFieldSize;
  }

  @Override
  public void setMaxFieldSize(int max) throws SQLException {
    checkOpen();
    if (max < 0) {
      throw Errors.invalidArgument("maxFieldSize must be >= 0 (was " + max + ")");
    }
    maxFieldSize = max;
  }

  @Override
  public int getMaxRows() throws SQLException {
    checkOpen();
    // As plain sqlite-jdbc: a limit set with setLargeMaxRows past int is cut as a cast cuts it.
    return (int) maxRows;
  }

  @Override
  public void setMaxRows(int max) throws SQLException {
    setLargeMaxRows(max);
  }

  @Override
  public long getLargeMaxRows() throws SQLException {
    checkOpen();
    return maxRows;
  }

  @Override
  public void setLargeMaxRows(long max) throws SQLException {
    checkOpen();
    if (max < 0) {
      throw Errors.invalidArgument("maxRows must be >= 0 (was " + max + ")");
    }
    maxRows = max;
  }

  @Override
  public void setEscapeProcessing(boolean enable) throws SQLException {
    checkOpen();
  }

  @Override
  public int getQueryTimeout() throws SQLException {
    checkOpen();
    return queryTimeout;
  }

  @Override
  public void setQueryTimeout(int seconds) throws SQLException {
    checkOpen();
    if (seconds < 0) {
      throw Errors.invalidArgument("queryTimeout must be >= 0 (was " + seconds + ")");
    }
    queryTimeout = seconds;
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
  public void setCursorName(String name) throws SQLException {
    checkOpen();
    // Positioned UPDATE/DELETE do not exist in SQLite: as plain sqlite-jdbc and as JDBC asks of
    // such a database, a no-op.
  }

  @Override
  public void setFetchDirection(int direction) throws SQLException {
    checkOpen();
    // A hint, as on plain sqlite-jdbc: rows always come forward.
    if (direction != ResultSet.FETCH_FORWARD
        && direction != ResultSet.FETCH_REVERSE
        && direction != ResultSet.FETCH_UNKNOWN) {
      throw Errors.invalidArgument(
          "Unknown fetch direction "
              + direction
              + "; use ResultSet.FETCH_FORWARD, FETCH_REVERSE or FETCH_UNKNOWN");
    }
  }

  @Override
  public int getFetchDirection() throws SQLException {
    checkOpen();
    return ResultSet.FETCH_FORWARD;
  }

  @Override
  public void setFetchSize(int rows) throws SQLException {
    checkOpen();
    if (rows < 0) {
      throw Errors.invalidArgument("fetchSize must be >= 0 (was " + rows + ")");
    }
    fetchSize = rows;
  }

  @Override
  public int getFetchSize() throws SQLException {
    checkOpen();
    return fetchSize;
  }

  @Override
  public int getResultSetConcurrency() throws SQLException {
    checkOpen();
    return ResultSet.CONCUR_READ_ONLY;
  }

  @Override
  public int getResultSetType() throws SQLException {
    checkOpen();
    return ResultSet.TYPE_FORWARD_ONLY;
  }

  @Override
  public int getResultSetHoldability() throws SQLException {
    checkOpen();
    return ResultSet.CLOSE_CURSORS_AT_COMMIT;
  }

  @Override
  public Connection getConnection() throws SQLException {
    checkOpen();
    return conn;
  }

  @Override
  public void setPoolable(boolean poolable) throws SQLException {
    checkOpen();
    this.poolable = poolable;
  }

  @Override
  public boolean isPoolable() throws SQLException {
    checkOpen();
    return poolable;
  }

  @Override
  public void closeOnCompletion() throws SQLException {
    checkOpen();
    closeOnCompletion = true;
  }

  @Override
  public boolean isCloseOnCompletion() throws SQLException {
    checkOpen();
    return closeOnCompletion;
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    if (iface.isInstance(this)) {
      return iface.cast(this);
    }
    throw Errors.unsupported(
        "unwrap(" + iface.getName() + "): the physical statement exists only while one runs");
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) {
    return iface.isInstance(this);
  }
}
