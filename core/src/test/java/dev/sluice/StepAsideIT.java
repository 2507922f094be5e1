package dev.sluice;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * Transactions stepping aside (design.md "A transaction that has only read") while other threads
 * queue for the writer: 8 threads, each 150 units of an outer transaction that reads, an inner
 * connection on the same thread that writes an audit row (as Spring's {@code REQUIRES_NEW}), and
 * then either a commit of what the outer one read or a transfer it tries to write (half the units
 * set a savepoint around the inner write, as Spring's {@code NESTED}); 4 more threads run plain
 * transfers. Invariants: money conserved, every acknowledged audit row stored once, every failure
 * of an outer write a stale snapshot (SQLITE_BUSY_SNAPSHOT, 40001) that wrote nothing, and no other
 * failure at all.
 */
class StepAsideIT {
  private static final int NESTING = 8;
  private static final int PLAIN = 4;
  private static final int UNITS = 150;
  private static final int ACCOUNTS = 10;
  private static final long BALANCE = 1_000;

  @RegisterExtension final TestDatabase db = new TestDatabase();

  @Test
  void nestedWritesOnManyThreadsKeepEveryInvariant() throws Exception {
    SluiceDataSource ds = db.dataSource();
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE account (id INTEGER PRIMARY KEY, balance INTEGER NOT NULL)");
      s.execute("CREATE TABLE audit (thread INTEGER, seq INTEGER, UNIQUE (thread, seq))");
      for (int i = 1; i <= ACCOUNTS; i++) {
        s.execute("INSERT INTO account VALUES (" + i + ", " + BALANCE + ")");
      }
    }
    LongAdder audits = new LongAdder();
    LongAdder moved = new LongAdder();
    LongAdder stale = new LongAdder();
    LongAdder tried = new LongAdder();
    Map<String, Integer> unexpected = new ConcurrentHashMap<>();
    ExecutorService pool = Executors.newFixedThreadPool(NESTING + PLAIN);
    CountDownLatch start = new CountDownLatch(1);
    AtomicInteger ids = new AtomicInteger();
    List<Future<Void>> futures = new ArrayList<>();
    try {
      for (int t = 0; t < NESTING + PLAIN; t++) {
        boolean nesting = t < NESTING;
        futures.add(
            pool.submit(
                () -> {
                  int me = ids.incrementAndGet();
                  SplittableRandom random = new SplittableRandom(me);
                  start.await();
                  for (int u = 0; u < UNITS; u++) {
                    try {
                      if (nesting) {
                        nested(ds, me, u, random, audits, tried, stale);
                      } else {
                        transfer(ds, random);
                        moved.increment();
                      }
                    } catch (SQLException e) {
                      unexpected.merge(e.getSQLState() + " " + e.getMessage(), 1, Integer::sum);
                    }
                  }
                  return null;
                }));
      }
      start.countDown();
      for (Future<Void> f : futures) {
        f.get(120, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }

    assertThat(unexpected).isEmpty();
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement();
        ResultSet r =
            s.executeQuery(
                "SELECT (SELECT sum(balance) FROM account), (SELECT count(*) FROM audit)")) {
      r.next();
      assertThat(r.getLong(1)).as("money").isEqualTo(ACCOUNTS * BALANCE);
      assertThat(r.getLong(2)).as("audit rows").isEqualTo(audits.sum()).isEqualTo(NESTING * UNITS);
    }
    // Every outer write came after the inner commit of its unit: each must have been found stale.
    assertThat(stale.sum()).as("outer writes, all stale").isEqualTo(tried.sum()).isPositive();
    assertThat(moved.sum()).as("plain transfers").isEqualTo((long) PLAIN * UNITS);
  }

  /**
   * An outer transaction that reads, an inner write on the same thread, then the outer one commits
   * what it read or writes a transfer, which fails as a stale snapshot when anything was committed
   * meanwhile (here: always, the inner write).
   */
  private static void nested(
      SluiceDataSource ds,
      int me,
      int unit,
      SplittableRandom random,
      LongAdder audits,
      LongAdder tried,
      LongAdder stale)
      throws SQLException {
    try (Connection outer = ds.getConnection()) {
      outer.setAutoCommit(false);
      long before = balance(outer, 1 + random.nextInt(ACCOUNTS));
      // Half the units wrap the inner write in a savepoint of the outer transaction (Spring's
      // NESTED around a REQUIRES_NEW), released or rolled back to after it, on the reader.
      Savepoint nestedUnit = random.nextBoolean() ? outer.setSavepoint() : null;
      try (Connection inner = ds.getConnection();
          PreparedStatement ps = inner.prepareStatement("INSERT INTO audit VALUES (?, ?)")) {
        ps.setInt(1, me);
        ps.setInt(2, unit);
        ps.executeUpdate();
        audits.increment();
      }
      if (nestedUnit != null) {
        if (random.nextBoolean()) {
          outer.releaseSavepoint(nestedUnit);
        } else {
          outer.rollback(nestedUnit);
        }
      }
      if (random.nextBoolean()) {
        assertThat(before).isGreaterThanOrEqualTo(0);
        outer.commit();
        return;
      }
      tried.increment();
      try {
        move(outer, random);
        outer.commit();
      } catch (SQLException e) {
        outer.rollback();
        if (!(e instanceof SQLiteException s
            && s.getResultCode() == SQLiteErrorCode.SQLITE_BUSY_SNAPSHOT
            && "40001".equals(e.getSQLState()))) {
          throw e;
        }
        stale.increment();
      }
    }
  }

  private static void transfer(SluiceDataSource ds, SplittableRandom random) throws SQLException {
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      try {
        move(c, random);
        c.commit();
      } catch (SQLException e) {
        c.rollback();
        throw e;
      }
    }
  }

  private static void move(Connection c, SplittableRandom random) throws SQLException {
    int from = 1 + random.nextInt(ACCOUNTS);
    int to = 1 + random.nextInt(ACCOUNTS);
    long amount = Math.min(balance(c, from), 1 + random.nextInt(20));
    try (PreparedStatement ps =
        c.prepareStatement("UPDATE account SET balance = balance + ? WHERE id = ?")) {
      ps.setLong(1, -amount);
      ps.setInt(2, from);
      ps.executeUpdate();
      ps.setLong(1, amount);
      ps.setInt(2, to);
      ps.executeUpdate();
    }
  }

  private static long balance(Connection c, int id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT balance FROM account WHERE id = ?")) {
      ps.setInt(1, id);
      try (ResultSet r = ps.executeQuery()) {
        r.next();
        return r.getLong(1);
      }
    }
  }
}
