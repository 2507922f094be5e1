package dev.sluice.routing;

import dev.sluice.error.Errors;
import dev.sluice.error.SqliteCodes;
import dev.sluice.jdbc.Physical;
import dev.sluice.sql.Classification;
import dev.sluice.sql.PragmaCall;
import dev.sluice.sql.SqlClassifier;
import dev.sluice.sql.StatementKind;
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

  /** The writer, while this connection holds it beyond one statement; else null. */
  private Connection writerHeld;

  /** The writer is held for a transaction begun by setAutoCommit(false). */
  private boolean txBound;

  /** The writer is held for a transaction begun in SQL text (BEGIN, SAVEPOINT). */
  private boolean sqlTx;

  /** The writer's connection state was changed (temp objects, ATTACH, pragmas): held to close. */
  private boolean statePinned;

  /** The reader of a read-only transaction, held until commit or rollback. */
  private Connection readerTx;

  private long txStart;

  /** SQLite rolled the transaction back under us (an interrupt, OR ROLLBACK): until rollback(). */
  private boolean aborted;

  private int savepointCounter;

  // This logical connection's own last write (design.md, Generated keys and per-connection state).
  long lastInsertRowid;
  long changes;
  long totalChanges;

  private final List<LogicalStatement> statements = new ArrayList<>();

  LogicalConnection(Router router) {
    this.router = router;
  }

  // ---- routing -------------------------------------------------------------------------------

  void checkOpen() throws SQLException {
    if (closed) {
      throw Errors.closed("Connection");
    }
    if (writerHeld == null && readerTx == null) {
      // A transaction in flight when close() starts may finish within sluice.close.timeout.
      router.checkOpen();
    }
  }

  /** Whether a batch must bring its own transaction: no transaction of the user's is open. */
  boolean batchNeedsTransaction() {
    return !txBound && !sqlTx && readerTx == null;
  }

  /** Whether an auto-commit write may join a group commit (design.md, Group commit). */
  boolean canGroup(Classification c) {
    return autoCommit
        && !readOnly
        && writerHeld == null
        && readerTx == null
        && c.kind() == StatementKind.WRITE
        && !c.multiple();
  }

  boolean isReadOnlyMode() {
    return readOnly;
  }

  /**
   * Picks the physical connection for one statement and returns a lease on it. The caller runs the
   * statement and then ends the lease ({@link Lease#end}), possibly much later (result sets).
   */
  Lease route(Classification c, String sql) throws SQLException {
    checkOpen();
    StatementKind kind = c.kind();
    if (readOnly) {
      return routeReadOnly(c, sql);
    }
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
    if (writerHeld != null) {
      if (kind == StatementKind.CONNECTION_STATE || pinsForPragma(c, sql)) {
        statePinned = true;
      }
      return Lease.held(writerHeld, true);
    }
    if (!autoCommit) {
      Connection w = router.acquireWriter(this);
      writerHeld = w;
      try {
        router.retry.write(() -> exec(w, "BEGIN IMMEDIATE"));
      } catch (SQLException e) {
        writerHeld = null;
        router.releaseWriter(this, Router.isBroken(e));
        throw translateBusy(e);
      }
      txBound = true;
      txStart = router.meters.now();
      if (kind == StatementKind.CONNECTION_STATE || pinsForPragma(c, sql)) {
        statePinned = true;
      }
      return Lease.held(w, true);
    }
    switch (kind) {
      case READ:
      case PRAGMA_READ:
      case EMPTY:
        if (router.hasReaders()) {
          return Lease.reader(router.borrowReader());
        }
        return Lease.writer(router.acquireWriter(this));
      case BEGIN:
      case SAVEPOINT:
        writerHeld = router.acquireWriter(this);
        sqlTx = true;
        txStart = router.meters.now();
        return Lease.held(writerHeld, true);
      case CONNECTION_STATE:
        writerHeld = router.acquireWriter(this);
        statePinned = true;
        return Lease.held(writerHeld, true);
      case PRAGMA_WRITE:
        if (pinsForPragma(c, sql)) {
          writerHeld = router.acquireWriter(this);
          statePinned = true;
          return Lease.held(writerHeld, true);
        }
        return Lease.writer(router.acquireWriter(this));
      default:
        return Lease.writer(router.acquireWriter(this));
    }
  }

  private Lease routeReadOnly(Classification c, String sql) throws SQLException {
    if (!c.isRead() && c.kind() != StatementKind.EMPTY) {
      throw Errors.readOnlyViolation(sql, null);
    }
    if (writerHeld != null) {
      return Lease.held(writerHeld, false);
    }
    if (!router.hasReaders()) {
      return Lease.writer(router.acquireWriter(this));
    }
    if (autoCommit) {
      return Lease.reader(router.borrowReader());
    }
    if (readerTx == null) {
      Connection r = router.borrowReader();
      try {
        exec(r, "BEGIN");
      } catch (SQLException e) {
        router.returnReader(r);
        throw Errors.translate(e);
      }
      readerTx = r;
      txStart = router.meters.now();
    }
    return Lease.held(readerTx, false);
  }

  /** Refuses changes of enforced pragmas; the same value passes as a harmless no-op. */
  private void pragmaWrite(String sql) throws SQLException {
    PragmaCall p = SqlClassifier.pragma(sql);
    if (p != null && p.value() != null) {
      router.pragmas.checkRuntimeChange(p.name(), p.value());
    }
  }

  /** Whether a pragma write changes per-connection state (so the writer must be pinned). */
  private boolean pinsForPragma(Classification c, String sql) {
    if (c.kind() != StatementKind.PRAGMA_WRITE) {
      return false;
    }
    PragmaCall p = SqlClassifier.pragma(sql);
    return p != null
        && !Router.DATABASE_PRAGMAS.contains(p.name())
        && !router.pragmas.isEnforced(p.name());
  }

  /**
   * Called after a statement ran on a held writer: ends a SQL-text transaction when the statement
   * ended it (COMMIT, ROLLBACK, RELEASE of the outermost savepoint, or an error that rolled back).
   */
  void afterHeldStatement(Classification c, boolean failed) throws SQLException {
    if (txBound && failed && writerHeld != null && !inTransaction(writerHeld)) {
      // The failure ended the transaction inside SQLite: what ran before it is gone. Refuse
      // everything but rollback(), so later statements cannot commit half a unit in auto-commit.
      aborted = true;
      return;
    }
    if (!sqlTx || writerHeld == null) {
      return;
    }
    StatementKind k = c.kind();
    boolean mayHaveEnded =
        failed
            || k == StatementKind.COMMIT
            || k == StatementKind.ROLLBACK
            || k == StatementKind.RELEASE
            || c.multiple();
    if (mayHaveEnded && !inTransaction(writerHeld)) {
      sqlTx = false;
      router.meters.transaction(true, k != StatementKind.ROLLBACK, router.meters.now() - txStart);
      if (!statePinned) {
        Connection w = writerHeld;
        writerHeld = null;
        router.releaseWriter(this, w.isClosed());
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

  /** Remembers what a write did, for last_insert_rowid(), changes() and getGeneratedKeys(). */
  void recordWrite(long changed, boolean inserted, long rowid) {
    changes = changed;
    totalChanges += changed;
    if (inserted && changed > 0) {
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
    if (txBound) {
      closeResultSets();
      Connection w = writerHeld;
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
    } else if (readerTx != null) {
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
    if (txBound) {
      closeResultSets();
      SQLException failure = null;
      try {
        exec(writerHeld, "ROLLBACK");
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
    } else if (readerTx != null) {
      endReaderTransaction("ROLLBACK", false);
    }
  }

  private static boolean isNoTransaction(SQLException e) {
    return SqliteCodes.primary(e) == 1;
  }

  private void endWriterTransaction(boolean committed) {
    txBound = false;
    aborted = false;
    router.meters.transaction(true, committed, router.meters.now() - txStart);
    if (!statePinned && !sqlTx) {
      Connection w = writerHeld;
      writerHeld = null;
      boolean broken;
      try {
        broken = w.isClosed();
      } catch (SQLException e) {
        broken = true;
      }
      router.releaseWriter(this, broken);
    }
  }

  private void endReaderTransaction(String sql, boolean committed) throws SQLException {
    closeResultSets();
    Connection r = readerTx;
    readerTx = null;
    try {
      exec(r, sql);
    } finally {
      router.meters.transaction(false, committed, router.meters.now() - txStart);
      router.returnReader(r);
    }
  }

  private void closeResultSets() throws SQLException {
    for (LogicalStatement s : new ArrayList<>(statements)) {
      s.closeCurrent();
    }
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
    if (writerHeld != null || readerTx != null) {
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

  /** A physical connection for a metadata call, and how to give it back. */
  Lease metadataLease() throws SQLException {
    checkOpen();
    if (writerHeld != null) {
      return Lease.held(writerHeld, false);
    }
    if (readerTx != null) {
      return Lease.held(readerTx, false);
    }
    if (router.hasReaders()) {
      return Lease.reader(router.borrowReader());
    }
    return Lease.writer(router.acquireWriter(this));
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
    if (readerTx != null) {
      Connection r = readerTx;
      readerTx = null;
      try {
        exec(r, "ROLLBACK");
      } catch (SQLException e) {
        failure = e;
      } finally {
        router.returnReader(r);
      }
    }
    aborted = false;
    if (writerHeld != null) {
      Connection w = writerHeld;
      writerHeld = null;
      boolean replace = statePinned;
      if (txBound || sqlTx) {
        try {
          if (inTransaction(w)) {
            exec(w, "ROLLBACK");
          }
        } catch (SQLException e) {
          replace = true;
        }
      }
      txBound = false;
      sqlTx = false;
      statePinned = false;
      // A pinned writer carries this connection's temp objects, attachments and pragmas:
      // replacing it gives the next holder a clean connection.
      router.releaseWriter(this, replace);
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
    if (holdability != ResultSet.CLOSE_CURSORS_AT_COMMIT
        && holdability != ResultSet.HOLD_CURSORS_OVER_COMMIT) {
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
        + ", holdsWriter="
        + (writerHeld != null)
        + (closed ? ", closed" : "")
        + "]";
  }
}
