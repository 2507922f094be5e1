package dev.sluice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code close()} while work is in flight: new work is refused with 08003, work in flight ends
 * within the bound, the WAL is truncated, no thread of the data source is left, nothing
 * acknowledged is lost, and closing twice is harmless.
 */
class ShutdownIT {
  private static final Logger LOG = LoggerFactory.getLogger(ShutdownIT.class);
  private static final int UNIT_ROWS = 5;

  @RegisterExtension final TestDatabase db = new TestDatabase();
  private ExecutorService pool;
  private final Set<String> acknowledged = ConcurrentHashMap.newKeySet();

  @BeforeEach
  void setUp() throws SQLException {
    pool = Executors.newCachedThreadPool();
    db.rawExec(
        "PRAGMA journal_mode=WAL",
        "CREATE TABLE item (id INTEGER PRIMARY KEY, unit TEXT NOT NULL, seq INT NOT NULL)");
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    pool.shutdownNow();
    pool.awaitTermination(10, TimeUnit.SECONDS);
  }

  /** A loop of work that runs until it fails; returns the failure. */
  @FunctionalInterface
  private interface Step {
    void run(Connection c, int i) throws SQLException;
  }

  private Future<SQLException> loop(SluiceDataSource ds, Step step) {
    return pool.submit(
        () -> {
          for (int i = 0; ; i++) {
            try (Connection c = ds.getConnection()) {
              step.run(c, i);
            } catch (SQLException e) {
              return e;
            }
          }
        });
  }

  private static void insert(Connection c, String unit, int seq) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO item (unit, seq) VALUES (?, ?)")) {
      ps.setString(1, unit);
      ps.setInt(2, seq);
      ps.executeUpdate();
    }
  }

  private void awaitAcks(int n) throws TimeoutException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (acknowledged.size() < n) {
      if (System.nanoTime() > deadline) {
        throw new TimeoutException("only " + acknowledged.size() + " acks");
      }
      Thread.onSpinWait();
    }
  }

  private static SQLException failure(Future<SQLException> f) throws Exception {
    return f.get(30, TimeUnit.SECONDS);
  }

  /** Threads of the data source still alive after giving each 10 s to end. */
  private static List<String> threadsOf(String name) throws InterruptedException {
    List<String> alive = new ArrayList<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().contains(name)) {
        t.join(TimeUnit.SECONDS.toMillis(10));
        if (t.isAlive()) {
          alive.add(t.getName());
        }
      }
    }
    return alive;
  }

  private long walBytes() throws Exception {
    Path wal = Path.of(db.file() + "-wal");
    return Files.exists(wal) ? Files.size(wal) : 0;
  }

  /** Every acknowledged unit complete, no unit partial, no row twice. */
  private long assertAcknowledgedPresent() throws SQLException {
    Map<String, Long> units = new HashMap<>();
    try (Connection c = java.sql.DriverManager.getConnection(db.sqliteUrl());
        Statement s = c.createStatement()) {
      try (ResultSet r = s.executeQuery("PRAGMA integrity_check")) {
        r.next();
        assertThat(r.getString(1)).isEqualTo("ok");
      }
      try (ResultSet r =
          s.executeQuery("SELECT unit, count(*), count(DISTINCT seq) FROM item GROUP BY unit")) {
        while (r.next()) {
          assertThat(r.getLong(2)).as("no duplicate in %s", r.getString(1)).isEqualTo(r.getLong(3));
          units.put(r.getString(1), r.getLong(2));
        }
      }
    }
    for (String unit : acknowledged) {
      assertThat(units).as("acknowledged %s", unit).containsKey(unit);
    }
    units.forEach(
        (unit, n) ->
            assertThat(n)
                .as("rows of unit %s", unit)
                .isEqualTo(unit.startsWith("t") ? UNIT_ROWS : 1L));
    return units.values().stream().mapToLong(Long::longValue).sum();
  }

  /**
   * Writes in flight. Reads racing close() are in {@link #readsInFlightWhenCloseStartsEndWith08003}
   * (disabled: they end in unchecked or unclear exceptions now and then).
   */
  @Test
  void closeWhileWritesAreInFlightRefusesNewWorkLosesNothingAndLeavesNoThread() throws Exception {
    SluiceDataSource ds = db.track(db.builder().option("sluice.close.timeout", "5000").build());
    String name = ds.getName();
    List<Future<SQLException>> work = new ArrayList<>();
    for (int t = 0; t < 2; t++) {
      String prefix = "a" + t + "-";
      work.add(
          loop(
              ds,
              (c, i) -> {
                insert(c, prefix + i, 0);
                acknowledged.add(prefix + i);
              }));
    }
    for (int t = 0; t < 2; t++) {
      String prefix = "t" + t + "-";
      work.add(
          loop(
              ds,
              (c, i) -> {
                c.setAutoCommit(false);
                for (int seq = 0; seq < UNIT_ROWS; seq++) {
                  insert(c, prefix + i, seq);
                }
                c.commit();
                acknowledged.add(prefix + i);
              }));
    }
    awaitAcks(300);
    closeBounded(ds);

    Map<String, Integer> outcomes = new HashMap<>();
    for (Future<SQLException> f : work) {
      SQLException e = failure(f);
      assertThat((Throwable) e).isInstanceOf(SQLNonTransientConnectionException.class);
      assertThat(e.getSQLState()).as("writes end refused: %s", e).isEqualTo("08003");
      outcomes.merge("write " + e.getSQLState(), 1, Integer::sum);
    }

    assertThatThrownBy(ds::getConnection)
        .isInstanceOf(SQLNonTransientConnectionException.class)
        .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("08003"))
        .hasMessageContaining(name);
    assertThat(ds.isClosed()).isTrue();
    List<String> rightAfterClose = new ArrayList<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().contains(name) && t.isAlive()) {
        rightAfterClose.add(t.getName());
      }
    }
    assertThat(walBytes()).isZero();
    assertThat(threadsOf(name)).isEmpty();
    long rows = assertAcknowledgedPresent();
    ds.close();
    LOG.info(
        "Shutdown in flight: {} units acknowledged, {} rows checked, work ended with {};"
            + " threads still ending right after close(): {}",
        acknowledged.size(),
        rows,
        outcomes,
        rightAfterClose);
  }

  @Test
  void readsInFlightWhenCloseStartsEndWith08003() throws Exception {
    for (int round = 0; round < 20; round++) {
      SluiceDataSource ds =
          db.track(
              db.builder()
                  .name("reads-" + round)
                  .option("sluice.reader.acquireTimeout", "250")
                  .build());
      java.util.concurrent.atomic.AtomicLong done = new java.util.concurrent.atomic.AtomicLong();
      List<Future<SQLException>> reads = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        reads.add(
            loop(
                ds,
                (c, i) -> {
                  try (Statement s = c.createStatement();
                      ResultSet r = s.executeQuery("SELECT count(*) FROM item")) {
                    r.next();
                  }
                  done.incrementAndGet();
                }));
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (done.get() < 100 && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      closeBounded(ds);
      for (Future<SQLException> f : reads) {
        SQLException e = failure(f);
        assertThat((Throwable) e)
            .as("round %d", round)
            .isInstanceOf(SQLNonTransientConnectionException.class);
        assertThat(e.getSQLState()).isEqualTo("08003");
      }
    }
  }

  @Test
  void closeWhileATransactionHoldsTheWriterPastTheTimeoutRollsItBackAndCleansUp() throws Exception {
    SluiceDataSource ds = db.track(db.builder().option("sluice.close.timeout", "200").build());
    String name = ds.getName();
    try (Connection holder = ds.getConnection()) {
      insert(holder, "a-before", 0);
      acknowledged.add("a-before");
      holder.setAutoCommit(false);
      insert(holder, "t-held", 0);
      closeBounded(ds);
      assertThatThrownBy(() -> insert(holder, "t-held", 1))
          .isInstanceOf(SQLNonTransientConnectionException.class)
          .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("08003"));
      assertThatThrownBy(holder::commit)
          .isInstanceOf(SQLNonTransientConnectionException.class)
          .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("08003"));
    }
    ds.close();
    assertThat(walBytes()).isZero();
    assertThat(threadsOf(name)).isEmpty();
    assertAcknowledgedPresent();
    assertThat(db.rawLong("SELECT count(*) FROM item WHERE unit = 't-held'")).isZero();
    assertThat(db.rawLong("SELECT count(*) FROM item")).isEqualTo(1);
  }

  @Test
  void threadQueuedForTheWriterWhenCloseGivesUpFailsWith08003() throws Exception {
    SluiceDataSource ds =
        db.track(
            db.builder()
                .option("sluice.close.timeout", "200")
                .writerAcquireTimeout(java.time.Duration.ofMinutes(1))
                .build());
    String name = ds.getName();
    try (Connection holder = ds.getConnection()) {
      holder.setAutoCommit(false);
      insert(holder, "t-held", 0);
      Future<SQLException> waiter = loop(ds, (c, i) -> insert(c, "a-waiter", i));
      awaitQueued(name);
      closeBounded(ds);
      SQLException refused = failure(waiter);
      assertThat((Throwable) refused).isInstanceOf(SQLNonTransientConnectionException.class);
      assertThat(refused.getSQLState()).isEqualTo("08003");
    }
    assertThat(db.rawLong("SELECT count(*) FROM item")).isZero();
  }

  @Test
  void transactionInFlightWhenCloseStartsCommitsWithinTheCloseTimeout() throws Exception {
    SluiceDataSource ds = db.track(db.builder().option("sluice.close.timeout", "10000").build());
    Future<Object> closing;
    try (Connection holder = ds.getConnection()) {
      holder.setAutoCommit(false);
      for (int seq = 0; seq < UNIT_ROWS; seq++) {
        insert(holder, "t-in-flight", seq);
      }
      closing = closeInBackground(ds);
      holder.commit();
    }
    closing.get(30, TimeUnit.SECONDS);
    assertThat(db.rawLong("SELECT count(*) FROM item WHERE unit = 't-in-flight'"))
        .isEqualTo(UNIT_ROWS);
    assertThat(walBytes()).isZero();
  }

  @Test
  void readerStillOpenAtCloseLeavesNoOpenFileAndNoWal() throws Exception {
    SluiceDataSource ds = db.track(db.builder().option("sluice.close.timeout", "300").build());
    try (Connection c = ds.getConnection()) {
      for (int i = 0; i < 200; i++) {
        insert(c, "a-" + i, 0);
      }
    }
    assertThat(walBytes()).isPositive();
    int rows = 0;
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT unit FROM item")) {
      assertThat(r.next()).isTrue();
      rows++;
      ds.close();
      try {
        while (r.next()) {
          rows++;
        }
      } catch (SQLException e) {
        assertThat(e.getSQLState()).as("a clear SQLState: %s", e).isNotNull();
      }
    }
    assertThat(rows).isBetween(1, 200);
    assertThat(openFilesIn(db.dir())).isZero();
    assertThat(walBytes()).isZero();
  }

  /** File descriptors of this process open on files in {@code dir} (Linux). */
  private static long openFilesIn(Path dir) throws Exception {
    Path fds = Path.of("/proc/self/fd");
    assumeThat(Files.isDirectory(fds)).as("/proc/self/fd").isTrue();
    long n = 0;
    try (java.util.stream.Stream<Path> list = Files.list(fds)) {
      for (Path fd : list.toList()) {
        try {
          if (Files.readSymbolicLink(fd).startsWith(dir)) {
            n++;
          }
        } catch (java.io.IOException closedMeanwhile) {
          // The descriptor of the listing itself, or one closed since: not ours.
        }
      }
    }
    return n;
  }

  @Test
  void readWaitingForAReaderWhenCloseStartsFailsWith08003() throws Exception {
    SluiceDataSource ds =
        db.track(
            db.builder()
                .readers(1)
                .option("sluice.reader.acquireTimeout", "60000")
                .option("sluice.close.timeout", "1000")
                .build());
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement();
        ResultSet held = s.executeQuery("SELECT 1 UNION ALL SELECT 2")) {
      assertThat(held.next()).isTrue();
      java.util.concurrent.CompletableFuture<SQLException> waiting =
          new java.util.concurrent.CompletableFuture<>();
      Thread reader =
          new Thread(
              () -> {
                try (Connection other = ds.getConnection();
                    Statement o = other.createStatement();
                    ResultSet r = o.executeQuery("SELECT 3")) {
                  r.next();
                  waiting.complete(null);
                } catch (SQLException e) {
                  waiting.complete(e);
                }
              });
      reader.start();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      // Parked, waiting for the one reader the held result set keeps.
      while (reader.getState() != Thread.State.TIMED_WAITING) {
        if (System.nanoTime() > deadline) {
          throw new TimeoutException("no read waiting for the reader");
        }
        Thread.onSpinWait();
      }
      closeBounded(ds);
      SQLException refused = waiting.get(10, TimeUnit.SECONDS);
      assertThat((Throwable) refused).isInstanceOf(SQLNonTransientConnectionException.class);
      assertThat(refused.getSQLState()).isEqualTo("08003");
    }
  }

  private Future<Object> closeInBackground(SluiceDataSource ds) throws TimeoutException {
    Future<Object> closing =
        pool.submit(
            () -> {
              ds.close();
              return null;
            });
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!ds.isClosed()) {
      if (System.nanoTime() > deadline) {
        throw new TimeoutException("close() did not start");
      }
      Thread.onSpinWait();
    }
    return closing;
  }

  private void closeBounded(SluiceDataSource ds) throws Exception {
    pool.submit(
            () -> {
              ds.close();
              return null;
            })
        .get(30, TimeUnit.SECONDS);
  }

  private void awaitQueued(String name) throws TimeoutException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (db.registry.get("sluice.writer.queue").tag("datasource", name).gauge().value() < 1) {
      if (System.nanoTime() > deadline) {
        throw new TimeoutException("nobody queued for the writer");
      }
      Thread.onSpinWait();
    }
  }
}
