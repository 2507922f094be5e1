package dev.sluice.writer;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts the commits that changed the database, and whose they were, so that {@code PRAGMA
 * data_version} can answer per logical connection as plain sqlite-jdbc answers per connection: a
 * different value once another connection (of this engine or another process) committed a change
 * (design.md "data_version"). No single physical connection can say it: the writer's own value
 * never counts Sluice's commits, a reader's counts them all.
 *
 * <p>A monitor connection, opened at the first poll and used for nothing else, reads {@code PRAGMA
 * data_version} (which changes whenever anyone else committed). From the first poll on, the writer
 * reads it again at the end of every hold, while no other Sluice commit can interleave: a change
 * seen then is the holder's. A poll sees the rest (other processes). Before the first poll nothing
 * is read, so applications that never ask pay nothing. A commit of another process that lands
 * between two samples together with a holder's own is counted as the holder's, so that holder
 * misses it (a rare, documented false negative; never a change reported for nothing).
 *
 * <p>Thread-safe: one lock around the monitor connection and the counts; the work under it is one
 * pragma read.
 */
public final class CommitWatch {
  private static final Logger LOG = LoggerFactory.getLogger(CommitWatch.class);

  /** A watch that never activates (single-connection engines answer from that connection). */
  public static final CommitWatch DISABLED = new CommitWatch(null);

  private final Writer.Opener opener;
  private final ReentrantLock lock = new ReentrantLock();
  private volatile boolean active;

  // Guarded by lock.
  private Connection monitor;
  private long seen;
  private boolean seenAny;
  private long changes;
  private final Map<Object, long[]> own = new HashMap<>();

  /**
   * @param opener opens the monitor: a reader-configured connection to the same file
   */
  public CommitWatch(Writer.Opener opener) {
    this.opener = opener;
  }

  /** Whether a poll can be answered (false for {@link #DISABLED}). */
  public boolean enabled() {
    return opener != null;
  }

  /**
   * The number of changes committed by others than {@code holder} since the watch started; a
   * different number at the next call means someone else committed. Starts the watch.
   */
  public long othersChanges(Object holder) throws SQLException {
    lock.lock();
    try {
      active = true;
      sample();
      long[] mine = own.get(holder);
      return changes - (mine == null ? 0 : mine[0]);
    } finally {
      lock.unlock();
    }
  }

  /**
   * A count that moves whenever a commit changed the database since the last sample, whoever made
   * it (this engine or another process); commits that changed nothing and rollbacks do not move it.
   * Taken by a holder of the writer, so no commit of this engine lands while it reads. Does not
   * start the watch: holds go on ending without a sample.
   */
  public long version() throws SQLException {
    lock.lock();
    try {
      sample();
      return changes;
    } finally {
      lock.unlock();
    }
  }

  /** Called by the writer at the end of a hold, while the holder still has it. */
  void afterHold(Object holder) {
    if (!active) {
      return;
    }
    lock.lock();
    try {
      if (sample()) {
        own.computeIfAbsent(holder, h -> new long[1])[0]++;
      }
    } catch (SQLException | RuntimeException e) {
      LOG.debug("data_version sample after a writer hold failed", e);
    } finally {
      lock.unlock();
    }
  }

  /** Forgets a logical connection that closed. */
  public void forget(Object holder) {
    if (!active) {
      return;
    }
    lock.lock();
    try {
      own.remove(holder);
    } finally {
      lock.unlock();
    }
  }

  /** Closes the monitor connection. */
  void close() {
    lock.lock();
    try {
      if (monitor != null) {
        monitor.close();
      }
    } catch (SQLException e) {
      LOG.debug("Closing the data_version monitor failed", e);
    } finally {
      monitor = null;
      active = false;
      lock.unlock();
    }
  }

  /** Reads the monitor's data_version; whether it changed since the last read. */
  private boolean sample() throws SQLException {
    if (monitor == null || monitor.isClosed()) {
      monitor = opener.open();
      seenAny = false;
    }
    long value;
    try (Statement s = monitor.createStatement();
        ResultSet r = s.executeQuery("PRAGMA main.data_version")) {
      r.next();
      value = r.getLong(1);
    }
    boolean changed = seenAny && value != seen;
    seen = value;
    seenAny = true;
    if (changed) {
      changes++;
    }
    return changed;
  }
}
