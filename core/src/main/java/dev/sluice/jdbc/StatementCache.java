package dev.sluice.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Prepared statements kept open on one physical connection for the next execution of the same SQL
 * text, the least recently used closed once there are more than the capacity. Compiling a point
 * SELECT is about a third of its cost in SQLite (parse and plan, every time: sqlite-jdbc keeps no
 * statement cache, and neither does HikariCP), so a read that finds its statement here skips it.
 *
 * <p>A statement is lent to one user at a time: {@link #take} removes it, {@link #give} puts it
 * back once its result set is closed. Two users of the same SQL at once (an outer result set and an
 * inner lookup of the same query) simply compile a second one; the second given back replaces
 * nothing and is closed. Statements are reset to a fresh one's state before they are lent again:
 * parameters cleared (SQLite keeps bound values across executions), fetch size back to 0. A closed
 * statement (its connection closed, which finalizes every statement of it) is never kept.
 *
 * <p>Thread-safe: one lock, held for map operations only (statements are closed outside it). A
 * statement given back from another thread than the one using its connection now is safe, since it
 * is idle (reset) and only the map changes.
 */
public final class StatementCache {
  private final Connection connection;
  private final int capacity;
  private final ReentrantLock lock = new ReentrantLock();

  /** Idle statements by SQL, least recently used first. Guarded by {@link #lock}. */
  private final LinkedHashMap<String, PreparedStatement> idle;

  /**
   * @param connection the physical connection every statement here was prepared on
   * @param capacity how many idle statements to keep, at least 1
   */
  public StatementCache(Connection connection, int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1 (was " + capacity + ")");
    }
    this.connection = connection;
    this.capacity = capacity;
    this.idle = new LinkedHashMap<>(Math.min(capacity, 64) * 2, 0.75f, true);
  }

  /** The physical connection the statements belong to. */
  public Connection connection() {
    return connection;
  }

  /**
   * The idle statement for {@code sql}, now lent to the caller, or a newly prepared one on the
   * connection when none is idle. An idle statement keeps the values of its last use: a caller with
   * parameters binds every one of them ({@link Parameters#apply}).
   */
  public PreparedStatement take(String sql) throws SQLException {
    PreparedStatement ps;
    lock.lock();
    try {
      ps = idle.remove(sql);
    } finally {
      lock.unlock();
    }
    if (ps == null) {
      return connection.prepareStatement(sql);
    }
    try {
      // sqlite-jdbc answers this in Java, after checking that it has not finalized the statement
      // (it does after most errors); the caller binds every parameter (Parameters#apply).
      ps.getParameterMetaData().getParameterCount();
    } catch (SQLException | RuntimeException e) {
      closeQuietly(ps);
      return connection.prepareStatement(sql);
    }
    return ps;
  }

  /**
   * Gives back a statement taken for {@code sql} whose result set is closed: kept for the next
   * {@link #take}, or closed when it is closed already, the same SQL is idle here, or it could not
   * be reset.
   */
  public void give(String sql, PreparedStatement ps) {
    PreparedStatement closeIt = null;
    try {
      if (ps.isClosed()) {
        return;
      }
      if (ps.getFetchSize() != 0) {
        ps.setFetchSize(0);
      }
    } catch (SQLException | RuntimeException e) {
      closeQuietly(ps);
      return;
    }
    lock.lock();
    try {
      if (idle.putIfAbsent(sql, ps) != null) {
        closeIt = ps;
      } else if (idle.size() > capacity) {
        Iterator<Map.Entry<String, PreparedStatement>> eldest = idle.entrySet().iterator();
        closeIt = eldest.next().getValue();
        eldest.remove();
      }
    } finally {
      lock.unlock();
    }
    if (closeIt != null) {
      closeQuietly(closeIt);
    }
  }

  /** How many statements are idle here. */
  public int size() {
    lock.lock();
    try {
      return idle.size();
    } finally {
      lock.unlock();
    }
  }

  /** Closes every idle statement (the connection is about to close or is gone). */
  public void clear() {
    PreparedStatement[] all;
    lock.lock();
    try {
      all = idle.values().toArray(new PreparedStatement[0]);
      idle.clear();
    } finally {
      lock.unlock();
    }
    for (PreparedStatement ps : all) {
      closeQuietly(ps);
    }
  }

  private static void closeQuietly(PreparedStatement ps) {
    try {
      ps.close();
    } catch (SQLException | RuntimeException e) {
      // An idle statement that cannot be closed is finalized with its connection.
    }
  }
}
