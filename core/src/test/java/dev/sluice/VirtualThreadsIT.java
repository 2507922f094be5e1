package dev.sluice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 22: thousands of virtual threads (JDK 21+) use one data source for reads, auto-commit
 * writes and transactions. A virtual thread inside sqlite-jdbc's native code holds its carrier;
 * Sluice keeps the threads inside SQLite bounded (readers, one writer, the group committer) and
 * makes the others wait in {@code java.util.concurrent}, where a virtual thread unmounts. This
 * checks that such a crowd neither deadlocks nor fails, and that the data stays whole.
 *
 * <p>2,000 threads, above the house bound of 32, because the issue is about that many: each does a
 * fixed number of operations, the bound is {@code future.get(timeout)}. The project compiles with
 * {@code release 17}, so the virtual-thread API is reached through method handles looked up once;
 * on a JDK before 21 the test is skipped. {@code .ci/run} runs it on a JDK 25 when one is
 * installed.
 */
class VirtualThreadsIT {
  private static final int THREADS = 2_000;
  private static final int ROUNDS = 2;
  private static final int ACCOUNTS = 50;
  private static final long START_BALANCE = 1_000;

  @RegisterExtension final TestDatabase db = new TestDatabase();
  private MethodHandle newVirtualThreadPerTaskExecutor;
  private MethodHandle isVirtual;

  @BeforeEach
  void findTheVirtualThreadApi() throws ReflectiveOperationException {
    assumeThat(Runtime.version().feature())
        .as("virtual threads need JDK 21 or newer (.ci/run runs this test on JDK 25)")
        .isGreaterThanOrEqualTo(21);
    MethodHandles.Lookup lookup = MethodHandles.publicLookup();
    newVirtualThreadPerTaskExecutor =
        lookup.findStatic(
            Executors.class,
            "newVirtualThreadPerTaskExecutor",
            MethodType.methodType(ExecutorService.class));
    isVirtual = lookup.findVirtual(Thread.class, "isVirtual", MethodType.methodType(boolean.class));
  }

  @Test
  void twoThousandVirtualThreadsReadWriteAndTransactWithoutFailureAndKeepTheData()
      throws Throwable {
    // Given a data source whose writer queue may hold every thread at once, and a ledger
    SluiceDataSource ds =
        db.track(db.builder().writerAcquireTimeout(Duration.ofSeconds(90)).build());
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE account (id INTEGER PRIMARY KEY, balance INTEGER NOT NULL)");
      s.execute(
          "CREATE TABLE item (id INTEGER PRIMARY KEY, thread INTEGER NOT NULL,"
              + " seq INTEGER NOT NULL, UNIQUE (thread, seq))");
      for (int i = 1; i <= ACCOUNTS; i++) {
        s.executeUpdate("INSERT INTO account VALUES (" + i + ", " + START_BALANCE + ")");
      }
    }
    long total = ACCOUNTS * START_BALANCE;

    // When 2,000 virtual threads each read the ledger's total, insert and move money, twice
    Queue<Thread> ranOn = new ConcurrentLinkedQueue<>();
    AtomicInteger inserted = new AtomicInteger();
    AtomicInteger committed = new AtomicInteger();
    List<Long> totalsSeen = java.util.Collections.synchronizedList(new ArrayList<>());
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = (ExecutorService) newVirtualThreadPerTaskExecutor.invokeExact();
    List<Future<Void>> futures = new ArrayList<>(THREADS);
    try {
      for (int t = 0; t < THREADS; t++) {
        int me = t;
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  ranOn.add(Thread.currentThread());
                  SplittableRandom random = new SplittableRandom(me);
                  for (int round = 0; round < ROUNDS; round++) {
                    totalsSeen.add(readTotal(ds));
                    insert(ds, me, round);
                    inserted.incrementAndGet();
                    transfer(ds, random);
                    committed.incrementAndGet();
                  }
                  return null;
                }));
      }
      start.countDown();
      // One bound for all: a deadlock fails the test once, not once per thread
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
      Throwable first = null;
      for (Future<Void> f : futures) {
        try {
          f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (Exception e) {
          first = first == null ? e : first;
        }
      }
      if (first != null) {
        throw first;
      }
    } finally {
      pool.shutdownNow();
      pool.awaitTermination(30, TimeUnit.SECONDS);
    }

    // Then every operation succeeded on a virtual thread, every read saw the money whole,
    // every insert is stored once and the money is conserved
    int onVirtualThreads = 0;
    for (Thread t : ranOn) {
      onVirtualThreads += (boolean) isVirtual.invokeExact(t) ? 1 : 0;
    }
    assertThat(onVirtualThreads).isEqualTo(THREADS);
    assertThat(inserted.get()).isEqualTo(THREADS * ROUNDS);
    assertThat(committed.get()).isEqualTo(THREADS * ROUNDS);
    assertThat(totalsSeen).hasSize(THREADS * ROUNDS).containsOnly(total);
    assertThat(db.rawLong("SELECT count(*) FROM item")).isEqualTo(THREADS * ROUNDS);
    assertThat(db.rawLong("SELECT count(DISTINCT thread) FROM item")).isEqualTo(THREADS);
    assertThat(db.rawLong("SELECT sum(balance) FROM account")).isEqualTo(total);
    assertThat(db.rawLong("SELECT min(balance) FROM account")).isNotNegative();
    // And the data source still serves a read and a write
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      assertThat(s.executeUpdate("UPDATE account SET balance = balance WHERE id = 1")).isEqualTo(1);
      assertThat(readTotal(ds)).isEqualTo(total);
    }
  }

  private static long readTotal(SluiceDataSource ds) throws Exception {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT sum(balance) FROM account")) {
      r.next();
      return r.getLong(1);
    }
  }

  private static void insert(SluiceDataSource ds, int thread, int seq) throws Exception {
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement("INSERT INTO item (thread, seq) VALUES (?, ?)")) {
      ps.setInt(1, thread);
      ps.setInt(2, seq);
      assertThat(ps.executeUpdate()).isEqualTo(1);
    }
  }

  /** Reads a balance, then moves part of it: a read-then-write transaction. */
  private static void transfer(SluiceDataSource ds, SplittableRandom random) throws Exception {
    int from = 1 + random.nextInt(ACCOUNTS);
    int to = 1 + random.nextInt(ACCOUNTS);
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      long balance;
      try (PreparedStatement read =
          c.prepareStatement("SELECT balance FROM account WHERE id = ?")) {
        read.setInt(1, from);
        try (ResultSet r = read.executeQuery()) {
          r.next();
          balance = r.getLong(1);
        }
      }
      long amount = Math.min(balance, 1 + random.nextInt(50));
      try (PreparedStatement move =
          c.prepareStatement("UPDATE account SET balance = balance + ? WHERE id = ?")) {
        move.setLong(1, -amount);
        move.setInt(2, from);
        assertThat(move.executeUpdate()).isEqualTo(1);
        move.setLong(1, amount);
        move.setInt(2, to);
        assertThat(move.executeUpdate()).isEqualTo(1);
      }
      c.commit();
    }
  }
}
