package dev.sluice.routing;

import dev.sluice.error.Errors;
import dev.sluice.error.SqlStates;
import dev.sluice.sql.Classification;
import dev.sluice.sql.PragmaCall;
import dev.sluice.writer.Writer;
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
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * The connection an application holds. It owns no physical connection: it borrows a reader or the
 * writer for as long as a statement, a result set or a transaction needs one (design.md, Routing).
 *
 * <p>State that JDBC keeps per connection (auto-commit, read-only, the last insert rowid, {@code
 * changes()}) lives here, so it describes this logical connection, never another thread's use of
 * the shared writer. The routing state (the transaction, the physical connections held and why,
 * session pragmas) and its transitions are in {@link ConnectionState}, one per connection; this
 * class is the JDBC surface over it.
 *
 * <p>Not thread-safe, like any JDBC connection: one thread at a time. {@link #close()} may be
 * called from another thread once the owner is done.
 */
final class LogicalConnection
    implements Connection, Writer.Yielding, ConnectionState.OpenResults, ConnectionState.OnWriter {
  final Router router;

  // PRAGMA data_version as this connection answers it, and the others' changes it last saw.
  private long dataVersion = 1;
  private long othersSeen = -1;
  private boolean closed;

  /** 1 once the router was told this connection closed: exactly once, even for two closers. */
  @SuppressWarnings("UnusedVariable") // written through RELEASED
  private volatile int released;

  private static final AtomicIntegerFieldUpdater<LogicalConnection> RELEASED =
      AtomicIntegerFieldUpdater.newUpdater(LogicalConnection.class, "released");
  private boolean autoCommit = true;
  private boolean readOnly;
  private int isolation = Connection.TRANSACTION_SERIALIZABLE;
  private int holdability = ResultSet.CLOSE_CURSORS_AT_COMMIT;
  private Map<String, Class<?>> typeMap = Collections.emptyMap();
  private Properties clientInfo;
  private int networkTimeout;

  private final ConnectionState state;

  private int savepointCounter;

  // This logical connection's own last write (design.md, Generated keys and per-connection state).
  long lastInsertRowid;
  long changes;
  long totalChanges;

  /** Result sets of DatabaseMetaData calls, closed with the connection; made at the first. */
  private List<LogicalResultSet> metadataResults;

  /**
   * The open statement, where only one is open at a time, as in most borrows (a pool's: one
   * statement, closed before the connection); the others in {@link #others}, made at the first time
   * two are open at once. No list is made at each borrow.
   */
  private LogicalStatement first;

  private List<LogicalStatement> others;

  LogicalConnection(Router router) {
    this.router = router;
    // The connection is its state's callbacks: no objects made for them at each borrow.
    this.state = new ConnectionState(router, this, this, this);
  }

  // ---- routing -------------------------------------------------------------------------------

  void checkOpen() throws SQLException {
    if (closed) {
      throw Errors.closed("Connection");
    }
    if (state.tx() == Route.Tx.NONE) {
      // A transaction in flight when close() starts may finish within sluice.close.timeout.
      router.checkOpen();
    }
  }

  /** Whether a batch must bring its own transaction: no transaction of the user's is open. */
  boolean batchNeedsTransaction() {
    return state.batchNeedsTransaction();
  }

  /** Whether an auto-commit write may join a group commit (design.md, Group commit). */
  boolean canGroup(Classification c) {
    return state.canGroup(c, readOnly, autoCommit);
  }

  boolean isReadOnlyMode() {
    return readOnly;
  }

  Session session() {
    return state.session();
  }

  /**
   * The answer to a pragma read this connection answers itself, as a query, or null: its session
   * pragmas ({@link ConnectionState#sessionRead}) and {@code data_version}.
   */
  String sessionRead(PragmaCall p) throws SQLException {
    if (p.value() == null
        && "data_version".equals(p.name())
        && (p.schema() == null || "main".equalsIgnoreCase(p.schema()))
        && router.writer.watch().enabled()) {
      return "SELECT " + dataVersion() + " AS data_version";
    }
    if (p.value() == null && "wal_autocheckpoint".equals(p.name())) {
      // The writer may run with a raised one (design.md, Light checkpoints); the answer is the
      // connections' own, wherever the read runs.
      int own = router.writer.autoCheckpointOwn();
      if (own > 0) {
        return "SELECT " + own + " AS wal_autocheckpoint";
      }
    }
    return state.sessionRead(p, readOnly);
  }

  /**
   * This connection's {@code PRAGMA data_version}: it moves when another connection committed a
   * change since this one last asked, never for this connection's own commits (design.md
   * "data_version").
   */
  private long dataVersion() throws SQLException {
    long others;
    try {
      others = router.writer.watch().othersChanges(this);
    } catch (SQLException e) {
      throw Errors.translate(e);
    }
    if (othersSeen >= 0 && others != othersSeen) {
      dataVersion++;
    }
    othersSeen = others;
    return dataVersion;
  }

  /** See {@link ConnectionState#sessionWrite}. */
  boolean sessionWrite(PragmaCall p) throws SQLException {
    return state.sessionWrite(p, readOnly);
  }

  /** Picks the physical connection for one statement: see {@link ConnectionState#route}. */
  Lease route(Classification c, String sql, PragmaCall pragma, int queryTimeout)
      throws SQLException {
    checkOpen();
    try {
      return state.route(c, sql, pragma, queryTimeout, readOnly, autoCommit);
    } catch (SQLException refused) {
      if (readOnly
          && sql != null
          && refused.getCause() == null
          && SqlStates.READ_ONLY_TRANSACTION.equals(refused.getSQLState())) {
        // Text SQLite cannot compile (a typo, a missing table) is no write: it fails as it does
        // anywhere, not as a write refused (a cold path: only what is refused compiles).
        int unused = checkCompiles(sql);
      }
      throw refused;
    }
  }

  /** The writer, for a statement a reader refused as a write (the misroute safety net). */
  Lease routeMisread(Classification c, int queryTimeout) throws SQLException {
    return state.routeMisread(c, queryTimeout);
  }

  /** Ends a lease: see {@link ConnectionState#end}. Never throws. */
  void end(Lease lease, Classification c, boolean failed, boolean broken) {
    state.end(lease, c, failed, broken, autoCommit);
  }

  /**
   * A result set stays open on the writer after this call: see {@link ConnectionState#keepsWriter}.
   */
  void keepsWriter() {
    state.keepsWriter();
  }

  /**
   * {@code PRAGMA wal_checkpoint} without a schema checkpoints every database of the connection,
   * and SQLite refuses that (SQLITE_LOCKED) once the writer has a TEMP schema, which it has (the
   * key sentinel of {@link WriterGate}). The temp database is never in WAL mode, so checkpointing
   * {@code main} is the same work: the statement is rewritten to name it. Attached databases are
   * pinned to their connection; their checkpoints name them.
   */
  static String checkpointOfMain(PragmaCall p, String sql) {
    if (p.schema() != null || !p.name().equals("wal_checkpoint")) {
      return sql;
    }
    return "PRAGMA main.wal_checkpoint" + (p.value() == null ? "" : "(" + p.value() + ")");
  }

  /**
   * Remembers what a write did, for last_insert_rowid(), changes() and total_changes().
   *
   * @param rowid the row it inserted, or {@link WriterGate#SENTINEL} when it inserted none
   */
  void recordWrite(long changed, long rowid, long total) {
    // A write the group commit ran makes a held reader stale too (read-your-writes).
    state.wrote();
    changes = changed;
    totalChanges += total;
    if (rowid != WriterGate.SENTINEL) {
      lastInsertRowid = rowid;
    }
  }

  /**
   * Another connection on this connection's thread asks for the writer this one holds: a
   * transaction that has only read steps aside (design.md "A transaction that has only read").
   */
  @Override
  public boolean yieldWriter() {
    return !closed && state.stepAside();
  }

  void statementClosed(LogicalStatement s) {
    if (first == s) {
      first = null;
    } else if (others != null) {
      others.remove(s);
    }
  }

  /** The open statements, a copy (closing one changes them); empty when none is open. */
  private List<LogicalStatement> openStatements() {
    if (others == null || others.isEmpty()) {
      return first == null ? List.of() : List.of(first);
    }
    List<LogicalStatement> all = new ArrayList<>(others.size() + 1);
    if (first != null) {
      all.add(first);
    }
    all.addAll(others);
    return all;
  }

  // ---- transactions --------------------------------------------------------------------------

  @Override
  public void setAutoCommit(boolean autoCommit) throws SQLException {
    checkOpen();
    if (autoCommit == this.autoCommit) {
      return;
    }
    if (autoCommit && state.tx() == Route.Tx.ENDED) {
      // Plain turns auto-commit on before its COMMIT, which fails: on all the same.
      this.autoCommit = true;
      state.commitLeavingEnded();
    } else if (autoCommit) {
      // JDBC: switching auto-commit on commits the current transaction.
      state.commit();
    } else if (state.tx() == Route.Tx.SQL_TEXT) {
      // Plain turns auto-commit off, then runs its BEGIN, which SQLite refuses inside the
      // transaction the SQL text began: the same error, auto-commit off all the same.
      this.autoCommit = false;
      state.beginInsideTextTransaction();
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
    state.commit();
  }

  @Override
  public void rollback() throws SQLException {
    checkOpen();
    if (autoCommit) {
      throw Errors.invalidTransactionState("rollback() called in auto-commit mode.");
    }
    state.rollback();
  }

  /**
   * This connection's statements whose current execution holds the writer, for a step aside, which
   * the asking thread takes: null when another thread changes the list meanwhile (a connection
   * moved to another thread), and then the step is not taken.
   */
  @Override
  public List<WriterResult> resultsOnWriter() {
    try {
      List<WriterResult> on = new ArrayList<>();
      LogicalStatement one = first;
      if (one != null && one.holdsWriter()) {
        on.add(one);
      }
      if (others != null) {
        for (LogicalStatement s : others) {
          if (s.holdsWriter()) {
            on.add(s);
          }
        }
      }
      return on;
    } catch (java.util.ConcurrentModificationException e) {
      return null;
    }
  }

  @Override
  public void closeOpenResults() throws SQLException {
    // Copies only when there is something to close: most connections end with none open.
    for (LogicalStatement s : openStatements()) {
      s.closeCurrent();
    }
    closeMetadataResults();
  }

  private void closeMetadataResults() throws SQLException {
    if (metadataResults == null || metadataResults.isEmpty()) {
      return;
    }
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
    int id = ++savepointCounter;
    LogicalSavepoint sp = new LogicalSavepoint(id, name);
    // As plain sqlite-jdbc: in auto-commit the SAVEPOINT itself begins the transaction (SQLite: as
    // BEGIN DEFERRED), so releasing it commits; then auto-commit goes off, without a BEGIN.
    savepointCall(ConnectionState.SavepointCall.SET, sp, "SAVEPOINT ");
    this.autoCommit = false;
    return sp;
  }

  @Override
  public void rollback(Savepoint savepoint) throws SQLException {
    checkOpen();
    if (autoCommit) {
      throw Errors.invalidTransactionState("rollback(Savepoint) called in auto-commit mode.");
    }
    savepointCall(
        ConnectionState.SavepointCall.ROLLBACK_TO,
        LogicalSavepoint.of(savepoint),
        "ROLLBACK TO SAVEPOINT ");
  }

  @Override
  public void releaseSavepoint(Savepoint savepoint) throws SQLException {
    checkOpen();
    if (autoCommit) {
      throw Errors.invalidTransactionState("releaseSavepoint() called in auto-commit mode.");
    }
    savepointCall(
        ConnectionState.SavepointCall.RELEASE,
        LogicalSavepoint.of(savepoint),
        "RELEASE SAVEPOINT ");
  }

  /**
   * Runs a savepoint call ({@code verb} and the savepoint's name). In a transaction begun by {@code
   * setAutoCommit(false)} the connection's state keeps the savepoints, so that the transaction can
   * still step aside for another connection of its thread (design.md "A transaction that has only
   * read"); once it has, the call runs in its read transaction, as plain's does.
   */
  private void savepointCall(ConnectionState.SavepointCall call, LogicalSavepoint sp, String verb)
      throws SQLException {
    String sql = verb + sp.sqlName();
    boolean tracked = !autoCommit && !readOnly;
    if (tracked && state.savepointOnReader(call, sp, sql)) {
      return;
    }
    long writesBefore = state.writesBefore();
    try (Statement s = createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      if (tracked
          && call == ConnectionState.SavepointCall.SET
          && SqlStates.ACTIVE_TRANSACTION.equals(e.getSQLState())
          && state.savepointBeginsOnReader(sp, sql)) {
        return;
      }
      if (tracked) {
        state.savepointRan(call, sp, false, writesBefore);
      }
      throw e;
    }
    if (tracked) {
      state.savepointRan(call, sp, true, writesBefore);
    }
  }

  @Override
  public void setReadOnly(boolean readOnly) throws SQLException {
    checkOpen();
    if (readOnly == this.readOnly) {
      return;
    }
    if (state.tx() != Route.Tx.NONE) {
      throw Errors.invalidTransactionState(
          "setReadOnly(" + readOnly + ") inside a transaction; call it before the transaction.");
    }
    this.readOnly = readOnly;
  }

  @Override
  public boolean isReadOnly() throws SQLException {
    checkOpen();
    // Opened read-only, writes still go to the writer, where SQLite refuses them with
    // SQLITE_READONLY (vendor code 8) as on plain; only the answer here says so up front.
    return readOnly || router.openedReadOnly;
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
    // In the order they were made: a statement closes after those made before it.
    if (first == null && (others == null || others.isEmpty())) {
      first = s;
    } else {
      if (others == null) {
        others = new ArrayList<>(4);
      }
      others.add(s);
    }
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
    checkHoldability(resultSetHoldability);
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
    checkHoldability(resultSetHoldability);
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
    return state.metadataLease();
  }

  /** Work on a physical statement compiled for a moment; {@code onReader}: where it was. */
  @FunctionalInterface
  interface Compiled<T> {
    T apply(PreparedStatement ps, boolean onReader) throws SQLException;
  }

  /**
   * Compiles {@code sql} where this connection would run it now (its writer or reader, else a
   * shared reader), hands the physical statement to {@code work} and gives the connection back. For
   * what plain sqlite-jdbc knows at prepare time: errors, columns, parameters.
   */
  <T> T withCompiled(String sql, Compiled<T> work) throws SQLException {
    Lease lease = metadataLease();
    try (PreparedStatement ps = lease.connection.prepareStatement(sql)) {
      return work.apply(ps, lease.isReader());
    } catch (SQLException e) {
      throw Errors.translate(e);
    } finally {
      state.end(lease, null, false, false, autoCommit);
    }
  }

  /**
   * Fails as plain sqlite-jdbc's {@code prepareStatement} does when SQLite cannot compile the text
   * (a syntax error, a missing table or column). A text compiled before is not compiled again,
   * unless it was compiled beside this connection's own temp objects or attached databases, which
   * other connections do not see.
   *
   * @return the number of parameters of the text
   */
  int checkCompiles(String sql) throws SQLException {
    int known = router.compiledParameters(sql);
    if (known >= 0) {
      return known;
    }
    return withCompiled(
        sql,
        (ps, onReader) -> {
          // sqlite-jdbc answers this in Java, from the compile it just did.
          int parameters = ps.getParameterMetaData().getParameterCount();
          if (onReader || !state.pinned()) {
            router.compiledOnce(sql, parameters);
          }
          return parameters;
        });
  }

  /** A metadata result set, closed with the connection if the caller does not close it. */
  LogicalResultSet trackMetadata(LogicalResultSet r) {
    if (metadataResults == null) {
      metadataResults = new ArrayList<>();
    }
    metadataResults.add(r);
    return r;
  }

  void metadataClosed(LogicalResultSet r) {
    if (metadataResults != null) {
      metadataResults.remove(r);
    }
  }

  @Override
  public void close() throws SQLException {
    if (closed) {
      return;
    }
    closed = true;
    SQLException failure = null;
    try {
      for (LogicalStatement s : openStatements()) {
        try {
          s.close();
        } catch (SQLException e) {
          failure = e;
        }
      }
      first = null;
      others = null;
      try {
        closeMetadataResults();
      } catch (SQLException e) {
        failure = e;
      }
      try {
        state.close();
      } catch (SQLException e) {
        failure = e;
      }
      router.writer.watch().forget(this);
    } finally {
      if (RELEASED.compareAndSet(this, 0, 1)) {
        router.connectionClosed();
      }
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
    if (isClosed()) {
      return false;
    }
    // As plain sqlite-jdbc: a statement through the connection, so a database that cannot be
    // read fails here instead of answering true.
    try (Statement s = createStatement()) {
      return s.execute("SELECT 1");
    }
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
    checkHoldability(holdability);
    this.holdability = holdability;
  }

  /**
   * As plain sqlite-jdbc, only CLOSE_CURSORS_AT_COMMIT is accepted, by {@code setHoldability} and
   * by the statement factories that take a holdability (0A000 where plain has no SQLState).
   */
  private static void checkHoldability(int holdability) throws SQLException {
    if (holdability == ResultSet.HOLD_CURSORS_OVER_COMMIT) {
      throw Errors.unsupported(
          "HOLD_CURSORS_OVER_COMMIT (SQLite closes cursors at commit; use CLOSE_CURSORS_AT_COMMIT)");
    }
    if (holdability != ResultSet.CLOSE_CURSORS_AT_COMMIT) {
      throw Errors.invalidArgument("Unknown holdability " + holdability);
    }
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
        + state.tx()
        + ", holdsWriter="
        + state.holdsWriter()
        + (closed ? ", closed" : "")
        + "]";
  }
}
