package dev.sluice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A hunt for waits in a cycle (design.md, No waits in a cycle): 16 threads, each with two logical
 * connections of one data source with only two readers, run a seeded random mix of nested reads,
 * transfers, read-only transactions, session pragmas, temp tables and result sets held open across
 * operations, so that one connection of a thread holds a reader or the writer while the other asks
 * for one. Acquire timeouts of 5 s turn any such wait into an error.
 *
 * <p>Each thread owns four accounts and moves money only between them, so it knows their balances
 * exactly: every read that starts after its write must see it (the enabled test skips that check on
 * a connection that kept a result set open across an auto-commit write: a known bug, see the
 * disabled test). Invariants: every operation completes (the only exceptions are the ones provoked
 * and checked), money is conserved in every snapshot and at the end (read through plain {@code
 * jdbc:sqlite:}), and each thread's accounts end as it computed them. A failure names the thread,
 * its seed and the operation.
 */
class DeadlockIT {
  private static final int THREADS = 16;
  private static final int OPERATIONS = 300;
  private static final int OWN = 4;
  private static final int ACCOUNTS = THREADS * OWN;
  private static final long START_BALANCE = 1_000;
  private static final long TOTAL = ACCOUNTS * START_BALANCE;
  private static final int WINDOW = 6;
  private static final long NO_ACCOUNT = 1_000_000;

  /** The seed of thread 0 (thread t uses it + t); {@code -Ddeadlock.seed=<n>} runs another mix. */
  private static final long SEED = Long.getLong("deadlock.seed", 0x511CEL);

  private static final Logger LOGGER = LoggerFactory.getLogger(DeadlockIT.class);
  private static final Duration ACQUIRE = Duration.ofSeconds(5);
  private static final long DEADLINE_MILLIS = 55_000;

  private static final String LOOKUP = "SELECT balance FROM account WHERE id = ?";
  private static final String UPDATE = "UPDATE account SET balance = balance + ? WHERE id = ?";
  private static final String TRANSFER_IN_ONE =
      "UPDATE account SET balance = balance + CASE WHEN id = ? THEN -? ELSE ? END"
          + " WHERE id IN (?, ?)";
  private static final String LOG =
      "INSERT INTO transfer_log (thread, from_id, to_id, amount) VALUES (?, ?, ?, ?)";

  @RegisterExtension final TestDatabase db = new TestDatabase();
  private ExecutorService pool;

  /** What an operation does; chosen at random with the weights below. */
  enum Kind {
    NESTED_READ(25),
    TRANSFER(30),
    READ_ONLY_TRANSACTION(15),
    SESSION_PRAGMA(10),
    TEMP_TABLE(10),
    HELD_CURSOR(10);

    final int weight;

    Kind(int weight) {
      this.weight = weight;
    }

    static Kind pick(Random random) {
      int n = random.nextInt(100);
      for (Kind k : values()) {
        n -= k.weight;
        if (n < 0) {
          return k;
        }
      }
      throw new IllegalStateException("weights must add up to 100");
    }
  }

  /** Counts of what the threads did, by name; thread-safe. */
  static final class Tally {
    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

    void add(String name) {
      counts.computeIfAbsent(name, n -> new LongAdder()).increment();
    }

    long get(String name) {
      LongAdder a = counts.get(name);
      return a == null ? 0 : a.sum();
    }

    @Override
    public String toString() {
      Map<String, Long> sorted = new TreeMap<>();
      counts.forEach((k, v) -> sorted.put(k, v.sum()));
      return sorted.toString();
    }
  }

  @BeforeEach
  void setUp() {
    AtomicInteger n = new AtomicInteger();
    pool =
        Executors.newFixedThreadPool(
            THREADS, r -> new Thread(r, "deadlock-worker-" + n.incrementAndGet()));
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    pool.shutdownNow();
    pool.awaitTermination(10, TimeUnit.SECONDS);
  }

  @Test
  void twoConnectionsPerThreadInRandomMixesNeverWaitInACycleAndKeepEveryInvariant(
      TestReporter reporter) throws Exception {
    runTheMix(false, reporter);
  }

  /**
   * The same mix, also checking read-your-writes on a connection that holds a result set open
   * across its auto-commit write (see GroupCommitTest, the disabled
   * aConnectionHoldingAResultSetReadsItsOwnGroupedWrite).
   */
  @Test
  void readYourWritesHoldsAlsoOnAConnectionThatKeepsAResultSetOpen(TestReporter reporter)
      throws Exception {
    runTheMix(true, reporter);
  }

  /**
   * @param readYourWritesWhileHolding check read-your-writes after an auto-commit write on a
   *     connection that holds a result set open
   */
  private void runTheMix(boolean readYourWritesWhileHolding, TestReporter reporter)
      throws Exception {
    // Given two readers, 5 s acquire timeouts and 64 accounts of 1000
    SluiceDataSource ds =
        db.track(
            db.builder()
                .readers(2)
                .writerAcquireTimeout(ACQUIRE)
                .option("sluice.reader.acquireTimeout", Long.toString(ACQUIRE.toMillis()))
                .build());
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE account (id INTEGER PRIMARY KEY, balance INTEGER NOT NULL)");
      s.execute(
          "CREATE TABLE transfer_log (id INTEGER PRIMARY KEY, thread INTEGER NOT NULL,"
              + " from_id INTEGER NOT NULL REFERENCES account (id),"
              + " to_id INTEGER NOT NULL REFERENCES account (id), amount INTEGER NOT NULL)");
      s.executeUpdate(
          "WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < "
              + ACCOUNTS
              + ") INSERT INTO account SELECT i, "
              + START_BALANCE
              + " FROM n");
    }
    Tally tally = new Tally();
    CountDownLatch start = new CountDownLatch(1);
    List<Worker> workers = new ArrayList<>();
    List<Future<Void>> futures = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      Worker w = new Worker(t, ds, start, tally, readYourWritesWhileHolding);
      workers.add(w);
      futures.add(pool.submit(w));
    }

    // When every thread runs its operations from a common start
    long began = System.nanoTime();
    start.countDown();
    Throwable first = null;
    for (int t = 0; t < THREADS; t++) {
      long left = DEADLINE_MILLIS - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
      try {
        futures.get(t).get(Math.max(left, 1), TimeUnit.MILLISECONDS);
      } catch (ExecutionException e) {
        first = first == null ? e.getCause() : first;
      } catch (TimeoutException e) {
        first =
            first == null
                ? new AssertionError(
                    "thread "
                        + t
                        + " did not finish within "
                        + DEADLINE_MILLIS
                        + " ms\n"
                        + stacks())
                : first;
      }
    }
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
    reporter.publishEntry("figures", tally + " in " + millis + " ms");
    LOGGER.info("Seed {}: {} in {} ms", SEED, tally, millis);
    if (first instanceof Exception e) {
      throw e;
    }
    if (first instanceof Error e) {
      throw e;
    }

    // Then every operation completed, each kind and each provoked failure happened
    long operations = 0;
    for (Kind k : Kind.values()) {
      assertThat(tally.get(k.name())).as(k.name()).isPositive();
      operations += tally.get(k.name());
    }
    assertThat(operations).isEqualTo((long) THREADS * OPERATIONS);
    assertThat(tally.get("transfer committed")).isPositive();
    assertThat(tally.get("transfer rolled back")).isPositive();
    assertThat(tally.get("transfer in auto-commit")).isPositive();
    assertThat(tally.get("provoked 25006 write in read-only transaction")).isPositive();
    assertThat(tally.get("provoked 25001 writer held by the other connection")).isPositive();
    assertThat(tally.get("provoked foreign key refusal")).isPositive();
    assertThat(tally.get("orphan accepted with foreign_keys off")).isPositive();

    // and the file, read without Sluice, holds all the money, as each thread computed it
    assertThat(db.rawLong("SELECT sum(balance) FROM account")).isEqualTo(TOTAL);
    assertThat(db.rawLong("SELECT count(*) FROM transfer_log"))
        .as("one log row per committed transfer")
        .isEqualTo(tally.get("transfer committed"));
    assertThat(db.rawLong("SELECT count(*) FROM transfer_log WHERE from_id = " + NO_ACCOUNT))
        .isZero();
    try (Connection raw = DriverManager.getConnection(db.sqliteUrl());
        PreparedStatement ps = raw.prepareStatement(LOOKUP)) {
      for (Worker w : workers) {
        for (int a = 0; a < OWN; a++) {
          ps.setLong(1, w.ownId(a));
          try (ResultSet r = ps.executeQuery()) {
            assertThat(r.next()).isTrue();
            assertThat(r.getLong(1))
                .as("thread %d, account %d", w.index, w.ownId(a))
                .isEqualTo(w.expected[a]);
          }
        }
      }
    }
  }

  /** Stacks of the worker threads, for a failure that looks like a wait in a cycle. */
  private static String stacks() {
    StringBuilder b = new StringBuilder();
    Thread.getAllStackTraces()
        .forEach(
            (thread, frames) -> {
              if (thread.getName().startsWith("deadlock-worker-")) {
                b.append(thread.getName()).append(' ').append(thread.getState()).append('\n');
                for (int i = 0; i < Math.min(frames.length, 25); i++) {
                  b.append("    at ").append(frames[i]).append('\n');
                }
              }
            });
    return b.toString();
  }

  /** A result set kept open across operations, and for how many. Not thread-safe. */
  private static final class Held {
    final Statement statement;
    final ResultSet rows;
    long sum;
    int age;

    Held(Statement statement, ResultSet rows) {
      this.statement = statement;
      this.rows = rows;
    }
  }

  /** One thread: two connections, its own accounts and what it knows of them. Not thread-safe. */
  private static final class Worker implements Callable<Void> {
    final int index;
    final long[] expected = new long[OWN];
    private final SluiceDataSource ds;
    private final CountDownLatch start;
    private final Tally tally;
    private final boolean readYourWritesWhileHolding;
    private final long seed;
    private final Random random;
    private final Connection[] conn = new Connection[2];
    private final Held[] held = new Held[2];
    private final boolean[] foreignKeys = new boolean[2];
    private final long[] recursiveTriggers = new long[2];

    /** The last operations, for the failure message. */
    private final ArrayDeque<String> recent = new ArrayDeque<>();

    private final StringBuilder note = new StringBuilder();

    Worker(
        int index,
        SluiceDataSource ds,
        CountDownLatch start,
        Tally tally,
        boolean readYourWritesWhileHolding) {
      this.index = index;
      this.ds = ds;
      this.start = start;
      this.tally = tally;
      this.readYourWritesWhileHolding = readYourWritesWhileHolding;
      this.seed = SEED + index;
      this.random = new Random(seed);
      Arrays.fill(expected, START_BALANCE);
    }

    long ownId(int a) {
      return (long) index * OWN + a + 1;
    }

    private boolean isOwn(long id) {
      return id > (long) index * OWN && id <= (long) index * OWN + OWN;
    }

    @Override
    public Void call() throws Exception {
      try (Connection a = ds.getConnection();
          Connection b = ds.getConnection()) {
        conn[0] = a;
        conn[1] = b;
        for (int i = 0; i < 2; i++) {
          foreignKeys[i] = pragma(conn[i], "foreign_keys") == 1;
          recursiveTriggers[i] = pragma(conn[i], "recursive_triggers");
        }
        start.await();
        for (int op = 0; op < OPERATIONS; op++) {
          int i = random.nextInt(2);
          Kind kind = Kind.pick(random);
          note.setLength(0);
          note.append(op).append(' ').append(kind).append(" on ").append(i);
          try {
            note.append(holdsCursor(0) ? ", 0 holds a result set" : "");
            note.append(holdsCursor(1) ? ", 1 holds a result set" : "");
            run(kind, i);
            age();
          } catch (SQLException | RuntimeException | AssertionError e) {
            recent.addLast(note.toString());
            throw new AssertionError(
                "thread "
                    + index
                    + " (seed "
                    + seed
                    + "), operation "
                    + op
                    + " "
                    + kind
                    + " on connection "
                    + i
                    + ": "
                    + e
                    + "\nlast operations:\n  "
                    + String.join("\n  ", recent),
                e);
          }
          if (recent.size() == 8) {
            recent.removeFirst();
          }
          recent.addLast(note.toString());
          tally.add(kind.name());
        }
        for (int i = 0; i < 2; i++) {
          close(i, false);
        }
      }
      return null;
    }

    private void run(Kind kind, int i) throws SQLException {
      switch (kind) {
        case NESTED_READ -> nestedRead(i);
        case TRANSFER -> transfer(i);
        case READ_ONLY_TRANSACTION -> readOnlyTransaction(i);
        case SESSION_PRAGMA -> sessionPragma(i);
        case TEMP_TABLE -> tempTable(i);
        case HELD_CURSOR -> heldCursor(i);
      }
    }

    /** Whether connection {@code i} has a result set open from an earlier operation. */
    private boolean holdsCursor(int i) throws SQLException {
      return held[i] != null && !held[i].rows.isClosed();
    }

    /**
     * An outer result set on one connection, a lookup per row on it and on the other connection.
     * Own accounts read the same on both when neither keeps an older snapshot open.
     */
    private void nestedRead(int i) throws SQLException {
      Connection c = conn[i];
      Connection o = conn[1 - i];
      boolean latestOnC = !holdsCursor(i);
      boolean latestOnO = !holdsCursor(1 - i);
      long lo =
          random.nextBoolean()
              ? ownId(0) - random.nextInt(WINDOW)
              : 1 + random.nextInt(ACCOUNTS - WINDOW + 1);
      lo = Math.max(1, Math.min(lo, ACCOUNTS - WINDOW + 1));
      int rows = 0;
      try (PreparedStatement outer =
              c.prepareStatement(
                  "SELECT id, balance FROM account WHERE id BETWEEN ? AND ? ORDER BY id");
          PreparedStatement same = c.prepareStatement(LOOKUP);
          PreparedStatement other = o.prepareStatement(LOOKUP)) {
        outer.setLong(1, lo);
        outer.setLong(2, lo + WINDOW - 1);
        try (ResultSet r = outer.executeQuery()) {
          while (r.next()) {
            rows++;
            long id = r.getLong(1);
            long seen = r.getLong(2);
            long onSame = lookup(same, id);
            long onOther = lookup(other, id);
            if (isOwn(id)) {
              int a = (int) (id - ownId(0));
              assertThat(onSame).as("same connection, account %d", id).isEqualTo(seen);
              if (latestOnC) {
                assertThat(seen).as("outer read, account %d", id).isEqualTo(expected[a]);
              }
              if (latestOnO) {
                assertThat(onOther).as("other connection, account %d", id).isEqualTo(expected[a]);
              }
            }
          }
        }
      }
      assertThat(rows).isEqualTo(WINDOW);
    }

    /**
     * Moves money between two own accounts: in one auto-commit statement, or in a transaction
     * committed or rolled back at random. Then the next read on the same connection (and on the
     * other, unless it keeps an older snapshot open) sees the result.
     */
    private void transfer(int i) throws SQLException {
      Connection k = conn[i];
      int a = random.nextInt(OWN);
      int b = (a + 1 + random.nextInt(OWN - 1)) % OWN;
      long amount = 1L + random.nextInt(50);
      note.append(": ")
          .append(ownId(a))
          .append(" -> ")
          .append(ownId(b))
          .append(", ")
          .append(amount);
      boolean unchecked = false;
      if (random.nextInt(3) == 0) {
        note.append(" in one auto-commit statement");
        // Its held result set keeps the connection's reader, stale after this write.
        unchecked = holdsCursor(i) && !readYourWritesWhileHolding;
        transferInOneStatement(k, a, b, amount);
      } else {
        k.setAutoCommit(false);
        try (PreparedStatement up = k.prepareStatement(UPDATE);
            PreparedStatement log = k.prepareStatement(LOG)) {
          up.setLong(1, -amount);
          up.setLong(2, ownId(a));
          assertThat(up.executeUpdate()).isEqualTo(1);
          up.setLong(1, amount);
          up.setLong(2, ownId(b));
          assertThat(up.executeUpdate()).isEqualTo(1);
          if (random.nextBoolean()) {
            assertThat(balance(k, ownId(a)))
                .as("a read inside the transaction sees its write")
                .isEqualTo(expected[a] - amount);
          }
          log.setLong(1, index);
          log.setLong(2, ownId(a));
          log.setLong(3, ownId(b));
          log.setLong(4, amount);
          assertThat(log.executeUpdate()).isEqualTo(1);
        }
        if (random.nextInt(4) == 0) {
          k.rollback();
          note.append(" rolled back");
          tally.add("transfer rolled back");
        } else {
          k.commit();
          note.append(" committed");
          expected[a] -= amount;
          expected[b] += amount;
          tally.add("transfer committed");
        }
        k.setAutoCommit(true);
      }
      if (unchecked) {
        tally.add("read-your-writes not checked: result set held across the write");
      } else {
        assertThat(balance(k, ownId(a)))
            .as("read-your-writes, account %d", ownId(a))
            .isEqualTo(expected[a]);
        assertThat(balance(k, ownId(b)))
            .as("read-your-writes, account %d", ownId(b))
            .isEqualTo(expected[b]);
        tally.add("read-your-writes checked");
      }
      if (!holdsCursor(1 - i)) {
        assertThat(balance(conn[1 - i], ownId(a)))
            .as("the other connection, account %d", ownId(a))
            .isEqualTo(expected[a]);
      }
    }

    private void transferInOneStatement(Connection k, int a, int b, long amount)
        throws SQLException {
      try (PreparedStatement ps = k.prepareStatement(TRANSFER_IN_ONE)) {
        ps.setLong(1, ownId(a));
        ps.setLong(2, amount);
        ps.setLong(3, amount);
        ps.setLong(4, ownId(a));
        ps.setLong(5, ownId(b));
        assertThat(ps.executeUpdate()).isEqualTo(2);
      }
      expected[a] -= amount;
      expected[b] += amount;
      tally.add("transfer in auto-commit");
    }

    /**
     * A read-only transaction: all the money in its snapshot, a write refused (sometimes), and a
     * write of the other connection meanwhile (sometimes) that the snapshot does not show.
     */
    private void readOnlyTransaction(int i) throws SQLException {
      Connection c = conn[i];
      boolean latest = !holdsCursor(i);
      c.setReadOnly(true);
      c.setAutoCommit(false);
      assertThat(sum(c, "SELECT sum(balance) FROM account"))
          .as("money in a read-only transaction")
          .isEqualTo(TOTAL);
      int a = random.nextInt(OWN);
      long before = balance(c, ownId(a));
      if (latest) {
        assertThat(before).as("account %d", ownId(a)).isEqualTo(expected[a]);
      }
      if (random.nextInt(4) == 0) {
        try (Statement s = c.createStatement()) {
          assertThatThrownBy(
                  () ->
                      s.executeUpdate(
                          "UPDATE account SET balance = balance WHERE id = " + ownId(a)))
              .isInstanceOfSatisfying(
                  SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("25006"));
        }
        tally.add("provoked 25006 write in read-only transaction");
      }
      boolean otherWrote = random.nextBoolean();
      if (otherWrote) {
        transferInOneStatement(conn[1 - i], a, (a + 1) % OWN, 1L + random.nextInt(50));
        assertThat(balance(c, ownId(a)))
            .as("one snapshot for the whole read-only transaction")
            .isEqualTo(before);
        tally.add("snapshot kept while the other connection wrote");
      }
      assertThat(sum(c, "SELECT balance FROM account"))
          .as("money row by row in the same snapshot")
          .isEqualTo(TOTAL);
      c.commit();
      c.setAutoCommit(true);
      c.setReadOnly(false);
      if (latest && !holdsCursor(i)) {
        assertThat(balance(c, ownId(a))).as("after the transaction").isEqualTo(expected[a]);
      }
    }

    /**
     * Sets a session pragma on one connection; each connection reads back its own value, and a row
     * with no account behind it is refused exactly when this connection has foreign_keys on.
     */
    private void sessionPragma(int i) throws SQLException {
      Connection c = conn[i];
      int choice = random.nextInt(3);
      try (Statement s = c.createStatement()) {
        if (choice < 2) {
          foreignKeys[i] = choice == 0;
          s.execute("PRAGMA foreign_keys = " + (foreignKeys[i] ? "ON" : "OFF"));
        } else {
          recursiveTriggers[i] = random.nextInt(2);
          s.execute("PRAGMA recursive_triggers = " + recursiveTriggers[i]);
        }
      }
      for (int j = 0; j < 2; j++) {
        assertThat(pragma(conn[j], "foreign_keys"))
            .as("foreign_keys of connection %d", j)
            .isEqualTo(foreignKeys[j] ? 1 : 0);
        assertThat(pragma(conn[j], "recursive_triggers"))
            .as("recursive_triggers of connection %d", j)
            .isEqualTo(recursiveTriggers[j]);
      }
      try (PreparedStatement log = c.prepareStatement(LOG)) {
        log.setLong(1, index);
        log.setLong(2, NO_ACCOUNT);
        log.setLong(3, NO_ACCOUNT);
        log.setLong(4, 0);
        if (foreignKeys[i]) {
          assertThatThrownBy(log::executeUpdate)
              .isInstanceOfSatisfying(
                  SQLException.class,
                  e -> {
                    assertThat(e.getErrorCode() & 0xff).as("SQLITE_CONSTRAINT").isEqualTo(19);
                    assertThat(e.getMessage()).contains("FOREIGN KEY");
                  });
          tally.add("provoked foreign key refusal");
        } else {
          assertThat(log.executeUpdate()).isEqualTo(1);
          try (Statement s = c.createStatement()) {
            assertThat(
                    s.executeUpdate(
                        "DELETE FROM transfer_log WHERE thread = "
                            + index
                            + " AND from_id = "
                            + NO_ACCOUNT))
                .isEqualTo(1);
          }
          tally.add("orphan accepted with foreign_keys off");
        }
      }
    }

    /**
     * A temp table pins one connection to the writer while the other reads (and sometimes asks for
     * the writer this thread holds: refused at once with 25001); then it is dropped.
     */
    private void tempTable(int i) throws SQLException {
      Connection c = conn[i];
      Connection o = conn[1 - i];
      String name = "scratch_" + index;
      try (Statement s = c.createStatement()) {
        s.execute("CREATE TEMP TABLE " + name + " (id INTEGER PRIMARY KEY, balance INTEGER)");
        assertThat(
                s.executeUpdate(
                    "INSERT INTO "
                        + name
                        + " SELECT id, balance FROM account WHERE id BETWEEN "
                        + ownId(0)
                        + " AND "
                        + ownId(OWN - 1)))
            .isEqualTo(OWN);
        assertThat(sum(o, "SELECT count(*) FROM account")).isEqualTo(ACCOUNTS);
        if (random.nextInt(3) == 0) {
          try (Statement w = o.createStatement()) {
            assertThatThrownBy(
                    () ->
                        w.executeUpdate(
                            "UPDATE account SET balance = balance WHERE id = " + ownId(0)))
                .isInstanceOfSatisfying(
                    SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("25001"));
          }
          assertThat(sum(o, "SELECT count(*) FROM account"))
              .as("the refused connection still works")
              .isEqualTo(ACCOUNTS);
          tally.add("provoked 25001 writer held by the other connection");
        }
        long own = 0;
        for (long e : expected) {
          own += e;
        }
        assertThat(sum(c, "SELECT sum(balance) FROM " + name)).isEqualTo(own);
        s.execute("DROP TABLE " + name);
      }
    }

    /** Opens a result set kept open across the next operations, or advances the one open. */
    private void heldCursor(int i) throws SQLException {
      if (holdsCursor(i)) {
        advance(i);
        return;
      }
      close(i, false);
      Statement s = conn[i].createStatement();
      Held h = new Held(s, s.executeQuery("SELECT balance FROM account ORDER BY id"));
      held[i] = h;
      advance(i);
    }

    private void advance(int i) throws SQLException {
      Held h = held[i];
      if (h.rows.next()) {
        h.sum += h.rows.getLong(1);
      } else {
        close(i, true);
      }
    }

    /** After each operation: held result sets advance a row, and are closed after a few. */
    private void age() throws SQLException {
      for (int i = 0; i < 2; i++) {
        if (held[i] == null) {
          continue;
        }
        if (held[i].rows.isClosed()) {
          // A commit or rollback of its connection closed it (CLOSE_CURSORS_AT_COMMIT).
          close(i, false);
        } else if (++held[i].age > 4 || random.nextInt(3) == 0) {
          close(i, true);
        } else {
          advance(i);
        }
      }
    }

    /** Closes the held result set of connection {@code i}, reading it to its end first. */
    private void close(int i, boolean drain) throws SQLException {
      Held h = held[i];
      if (h == null) {
        return;
      }
      held[i] = null;
      if (drain && !h.rows.isClosed()) {
        while (h.rows.next()) {
          h.sum += h.rows.getLong(1);
        }
        assertThat(h.sum).as("money in a result set held open across operations").isEqualTo(TOTAL);
        tally.add("held result set read to its end");
      }
      h.statement.close();
    }
  }

  private static long lookup(PreparedStatement ps, long id) throws SQLException {
    ps.setLong(1, id);
    try (ResultSet r = ps.executeQuery()) {
      assertThat(r.next()).as("account %d exists", id).isTrue();
      return r.getLong(1);
    }
  }

  private static long balance(Connection c, long id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(LOOKUP)) {
      return lookup(ps, id);
    }
  }

  /** The sum of the first column over all rows. */
  private static long sum(Connection c, String sql) throws SQLException {
    long total = 0;
    try (Statement s = c.createStatement();
        ResultSet r = s.executeQuery(sql)) {
      while (r.next()) {
        total += r.getLong(1);
      }
    }
    return total;
  }

  private static long pragma(Connection c, String name) throws SQLException {
    return sum(c, "PRAGMA " + name);
  }
}
