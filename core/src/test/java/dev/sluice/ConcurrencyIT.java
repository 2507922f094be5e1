package dev.sluice;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Many threads, one file: the failures this project exists to remove. Bounded in threads (16),
 * operations and time; each test asserts invariants (money conserved, every row once).
 */
class ConcurrencyIT {
  private static final int THREADS = 16;
  private static final int ACCOUNTS = 20;
  private static final long START_BALANCE = 1_000;

  @RegisterExtension final TestDatabase db = new TestDatabase();
  private ExecutorService pool;

  @BeforeEach
  void setUp() {
    pool = Executors.newFixedThreadPool(THREADS);
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    pool.shutdownNow();
    pool.awaitTermination(10, TimeUnit.SECONDS);
  }

  /** Runs {@code task} on every thread after a common start, keeping the first failure. */
  private void onAllThreads(Callable<Void> task) throws Exception {
    CountDownLatch start = new CountDownLatch(1);
    List<Future<Void>> futures = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      futures.add(
          pool.submit(
              () -> {
                start.await();
                return task.call();
              }));
    }
    start.countDown();
    Exception first = null;
    for (Future<Void> f : futures) {
      try {
        f.get(120, TimeUnit.SECONDS);
      } catch (Exception e) {
        first = first == null ? e : first;
      }
    }
    if (first != null) {
      throw first;
    }
  }

  @Test
  void readModifyWriteTransactionsNeverFailAndConserveMoney() throws Exception {
    String url = db.sluiceUrl("");
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE account (id INTEGER PRIMARY KEY, balance INTEGER NOT NULL)");
      for (int i = 1; i <= ACCOUNTS; i++) {
        s.executeUpdate("INSERT INTO account VALUES (" + i + ", " + START_BALANCE + ")");
      }
    }
    AtomicInteger committed = new AtomicInteger();
    AtomicInteger seed = new AtomicInteger();
    onAllThreads(
        () -> {
          Random r = new Random(seed.incrementAndGet());
          for (int i = 0; i < 50; i++) {
            try (Connection c = DriverManager.getConnection(url)) {
              c.setAutoCommit(false);
              int from = 1 + r.nextInt(ACCOUNTS);
              int to = 1 + r.nextInt(ACCOUNTS);
              long balance;
              try (PreparedStatement read =
                  c.prepareStatement("SELECT balance FROM account WHERE id = ?")) {
                read.setInt(1, from);
                try (ResultSet rs = read.executeQuery()) {
                  rs.next();
                  balance = rs.getLong(1);
                }
              }
              long amount = Math.min(balance, 1 + r.nextInt(100));
              try (PreparedStatement w =
                  c.prepareStatement("UPDATE account SET balance = balance + ? WHERE id = ?")) {
                w.setLong(1, -amount);
                w.setInt(2, from);
                assertThat(w.executeUpdate()).isEqualTo(1);
                w.setLong(1, amount);
                w.setInt(2, to);
                assertThat(w.executeUpdate()).isEqualTo(1);
              }
              c.commit();
              committed.incrementAndGet();
            }
          }
          return null;
        });
    assertThat(committed.get()).isEqualTo(THREADS * 50);
    assertThat(db.rawLong("SELECT sum(balance) FROM account")).isEqualTo(ACCOUNTS * START_BALANCE);
    assertThat(db.rawLong("SELECT min(balance) FROM account")).isNotNegative();
  }

  @Test
  void autoCommitInsertsFromManyThreadsAllLandExactlyOnce() throws Exception {
    SluiceDataSource ds = db.dataSource();
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.execute(
          "CREATE TABLE item (id INTEGER PRIMARY KEY, thread INTEGER, seq INTEGER, UNIQUE (thread, seq))");
    }
    AtomicInteger ids = new AtomicInteger();
    List<Long> keys = java.util.Collections.synchronizedList(new ArrayList<>());
    onAllThreads(
        () -> {
          int me = ids.incrementAndGet();
          try (Connection c = ds.getConnection();
              PreparedStatement ps =
                  c.prepareStatement("INSERT INTO item (thread, seq) VALUES (?, ?)");
              Statement s = c.createStatement()) {
            for (int i = 0; i < 100; i++) {
              ps.setInt(1, me);
              ps.setInt(2, i);
              assertThat(ps.executeUpdate()).isEqualTo(1);
              long key;
              try (ResultSet k = ps.getGeneratedKeys()) {
                k.next();
                key = k.getLong(1);
              }
              try (ResultSet r = s.executeQuery("SELECT last_insert_rowid()")) {
                r.next();
                assertThat(r.getLong(1))
                    .as("last_insert_rowid is this connection's")
                    .isEqualTo(key);
              }
              try (ResultSet r = s.executeQuery("SELECT thread, seq FROM item WHERE id = " + key)) {
                assertThat(r.next()).isTrue();
                assertThat(r.getInt(1)).as("the key names this thread's own row").isEqualTo(me);
                assertThat(r.getInt(2)).isEqualTo(i);
              }
              keys.add(key);
            }
          }
          return null;
        });
    assertThat(db.rawLong("SELECT count(*) FROM item")).isEqualTo(THREADS * 100);
    assertThat(keys).hasSize(THREADS * 100).doesNotHaveDuplicates();
  }

  @Test
  void readersAndWritersTogetherSeeOnlyCommittedConsistentState() throws Exception {
    SluiceDataSource ds = db.dataSource();
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE pair (id INTEGER PRIMARY KEY, a INTEGER, b INTEGER)");
      s.executeUpdate("INSERT INTO pair VALUES (1, 0, 0)");
    }
    AtomicInteger role = new AtomicInteger();
    AtomicLong reads = new AtomicLong();
    onAllThreads(
        () -> {
          boolean writer = role.incrementAndGet() % 4 == 0;
          try (Connection c = ds.getConnection();
              Statement s = c.createStatement()) {
            for (int i = 0; i < 100; i++) {
              if (writer) {
                c.setAutoCommit(false);
                s.executeUpdate("UPDATE pair SET a = a + 1 WHERE id = 1");
                s.executeUpdate("UPDATE pair SET b = b + 1 WHERE id = 1");
                c.commit();
                c.setAutoCommit(true);
              } else {
                try (ResultSet r = s.executeQuery("SELECT a, b FROM pair WHERE id = 1")) {
                  r.next();
                  assertThat(r.getLong(1))
                      .as("a reader never sees half a transaction")
                      .isEqualTo(r.getLong(2));
                  reads.incrementAndGet();
                }
              }
            }
          }
          return null;
        });
    assertThat(db.rawLong("SELECT a FROM pair")).isEqualTo(4 * 100);
    assertThat(db.rawLong("SELECT b FROM pair")).isEqualTo(4 * 100);
    assertThat(reads.get()).isEqualTo(12 * 100);
  }
}
