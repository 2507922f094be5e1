package dev.sluice.writer;

import dev.sluice.metrics.Meters;
import dev.sluice.retry.Breaker;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Objects;

/**
 * The way in to the single writer for everything that writes: waits in the writer's queue behind
 * the circuit breaker, records the wait and the hold, applies the holder's session (its
 * connection-scoped pragmas), and tells each holder whether its statement inserted a row.
 *
 * <p>{@code last_insert_rowid()} belongs to the physical connection, which many logical connections
 * share, and SQLite leaves it unchanged by a statement that inserts nothing (an upsert that
 * updates, {@code INSERT OR IGNORE}, a {@code WITHOUT ROWID} table). So before an insert of a
 * holder other than the one whose key the writer holds, the gate sets it to a sentinel by inserting
 * a row with rowid {@link #SENTINEL} into a TEMP table of its own: afterwards, the sentinel means
 * "inserted nothing" and the holder keeps its own previous value, as on a connection of its own.
 *
 * <p>Thread-safe: the writer and the breaker are; everything else is touched only by the writer's
 * current holder, whom the writer's semaphore orders.
 */
public final class WriterGate {
  private final Writer writer;
  private final Breaker breaker;
  private final Meters meters;

  /** The rowid of the sentinel row: a value no application hands out in practice. */
  public static final long SENTINEL = Long.MIN_VALUE;

  /** Sluice's own TEMP table on the writer, holding at most the sentinel row. */
  public static final String SENTINEL_TABLE = "sluice_key_sentinel";

  /** The owner of the writer's last_insert_rowid() when the sentinel is in place. */
  private static final Object NOBODY = new Object();

  private Connection keyConnection;
  private PreparedStatement keyQuery;
  private PreparedStatement sentinel;

  /** Whose insert set the writer's last_insert_rowid(): NOBODY for the sentinel, null unknown. */
  private Object keyOwner;

  private Connection sessionConnection;
  private WriterSession applied;

  public WriterGate(Writer writer, Breaker breaker, Meters meters) {
    this.writer = writer;
    this.breaker = breaker;
    this.meters = meters;
  }

  public Writer writer() {
    return writer;
  }

  /** The statements kept compiled on the writer the caller holds. */
  public WriterStatements statements() {
    return writer.statements();
  }

  /**
   * Waits for the writer in queue order and records the wait; fails fast while the breaker is open.
   */
  public Connection acquire(Object holder, Hold hold) throws SQLException {
    return acquire(holder, writer.acquireTimeoutNanos(), hold);
  }

  /** As {@link #acquire(Object, Hold)}, waiting at most {@code timeoutNanos}. */
  public Connection acquire(Object holder, long timeoutNanos, Hold hold) throws SQLException {
    breaker.checkPermit();
    long start = meters.now();
    Connection c;
    try {
      c = writer.acquire(holder, timeoutNanos, hold);
    } finally {
      meters.writerWait(meters.now() - start);
    }
    if (breaker.isOpen()) {
      // The breaker opened while this write waited in the queue: fail fast like the rest.
      writer.release(holder, false);
      breaker.checkPermit();
    }
    return c;
  }

  /** Gives the writer back and records the hold. */
  public void release(Object holder, boolean broken) {
    release(holder, holder, broken);
  }

  /** Gives the writer back; see {@link Writer#release(Object, Object, boolean)}. */
  public void release(Object holder, Object changesOwner, boolean broken) {
    breaker.holdEnded();
    meters.writerHold(writer.release(holder, changesOwner, broken));
  }

  public boolean breakerOpen() {
    return breaker.isOpen();
  }

  /**
   * Applies {@code session} to the writer unless it is there already. Called by the holder before
   * its statements run, outside any transaction (SQLite ignores a change of {@code foreign_keys}
   * inside one).
   */
  public void use(Connection w, WriterSession session) throws SQLException {
    WriterSession previous = w == sessionConnection ? applied : null;
    if (Objects.equals(previous, session)) {
      return;
    }
    sessionConnection = null;
    session.applyTo(w, previous);
    applied = session;
    sessionConnection = w;
  }

  /**
   * Called by the holder before each attempt of a statement that may insert: unless the writer's
   * last_insert_rowid() is the holder's own (or the sentinel already), sets the sentinel.
   */
  public void beforeInsert(Connection w, Object owner) throws SQLException {
    if (w != keyConnection) {
      prepare(w);
    }
    if (keyOwner == owner || keyOwner == NOBODY) {
      return;
    }
    try {
      sentinel.executeUpdate();
    } catch (SQLException e) {
      // The holder's own session refused it (PRAGMA query_only = 1): its insert would fail the
      // same way. sqlite-jdbc has finalized the failed statement; prepare afresh next time.
      forget();
      throw e;
    }
    keyOwner = NOBODY;
  }

  /**
   * Called by the holder after a statement that may insert ran: the rowid it inserted, or {@link
   * #SENTINEL} when it inserted nothing (the holder keeps its own previous value).
   */
  public long afterInsert(Connection w, Object owner) throws SQLException {
    if (w != keyConnection) {
      prepare(w);
    }
    long rowid;
    try (ResultSet r = keyQuery.executeQuery()) {
      r.next();
      rowid = r.getLong(1);
    } catch (SQLException e) {
      forget();
      throw e;
    }
    if (rowid == SENTINEL) {
      keyOwner = NOBODY;
    } else if (keyOwner == NOBODY || keyOwner == owner) {
      keyOwner = owner;
    } else {
      // Nobody set the sentinel for this holder (a write outside beforeInsert): not known whose.
      keyOwner = null;
    }
    return rowid;
  }

  /**
   * Closes the gate's statements and drops its TEMP table on the writer (before close's last work:
   * a checkpoint refuses to run beside them, SQLITE_LOCKED), quietly.
   */
  public void forget(Connection w) {
    forget();
    try (Statement s = w.createStatement()) {
      s.execute("DROP TABLE IF EXISTS temp." + SENTINEL_TABLE);
    } catch (SQLException e) {
      // The connection is about to close; its temp schema goes with it.
    }
  }

  private void forget() {
    keyConnection = null;
    keyOwner = null;
    for (Statement s : new Statement[] {keyQuery, sentinel}) {
      if (s != null) {
        try {
          s.close();
        } catch (SQLException e) {
          // Closing a finished statement of a connection about to close.
        }
      }
    }
    keyQuery = null;
    sentinel = null;
  }

  private void prepare(Connection w) throws SQLException {
    keyConnection = null;
    keyOwner = null;
    try (Statement s = w.createStatement()) {
      s.execute("CREATE TEMP TABLE IF NOT EXISTS " + SENTINEL_TABLE + "(x)");
    }
    keyQuery = w.prepareStatement("SELECT last_insert_rowid()");
    sentinel =
        w.prepareStatement(
            "INSERT OR REPLACE INTO temp." + SENTINEL_TABLE + "(rowid) VALUES (" + SENTINEL + ")");
    keyConnection = w;
  }
}
