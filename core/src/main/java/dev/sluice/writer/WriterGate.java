package dev.sluice.writer;

import dev.sluice.metrics.Meters;
import dev.sluice.retry.Breaker;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The way in to the single writer for everything that writes: waits in the writer's queue behind
 * the circuit breaker, records the wait and the hold, and reads the writer's {@code
 * last_insert_rowid()} for the holder.
 *
 * <p>Thread-safe: the writer and the breaker are; the key query is touched only by the writer's
 * current holder, whom the writer's semaphore orders.
 */
public final class WriterGate {
  private final Writer writer;
  private final Breaker breaker;
  private final Meters meters;

  private Connection keyConnection;
  private PreparedStatement keyQuery;

  public WriterGate(Writer writer, Breaker breaker, Meters meters) {
    this.writer = writer;
    this.breaker = breaker;
    this.meters = meters;
  }

  public Writer writer() {
    return writer;
  }

  /**
   * Waits for the writer in queue order and records the wait; fails fast while the breaker is open.
   */
  public Connection acquire(Object holder) throws SQLException {
    breaker.checkPermit();
    long start = meters.now();
    Connection c;
    try {
      c = writer.acquire(holder);
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
    breaker.holdEnded();
    meters.writerHold(writer.release(holder, broken));
  }

  public boolean breakerOpen() {
    return breaker.isOpen();
  }

  /**
   * {@code last_insert_rowid()} of the writer, read by the holder right after its insert. The
   * writer is opened with sqlite-jdbc's eager generated-keys query off, which would prepare a new
   * statement after every insert; this one is prepared once per writer connection.
   */
  public long lastInsertRowid(Connection writerConnection) throws SQLException {
    if (keyConnection != writerConnection || keyQuery == null || keyQuery.isClosed()) {
      keyQuery = writerConnection.prepareStatement("SELECT last_insert_rowid()");
      keyConnection = writerConnection;
    }
    try (ResultSet r = keyQuery.executeQuery()) {
      r.next();
      return r.getLong(1);
    }
  }
}
