package dev.sluice;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.driver.Option;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Write safety under faults, from the issue "Nothing acknowledged is lost, nothing committed is
 * reported as failed". {@code Statement.cancel()}, {@code close()} of the data source and a query
 * timeout race writers whose every row carries a unique id. Afterwards a plain sqlite-jdbc
 * connection checks the file: an acknowledged write is stored; a write reported failed is absent,
 * unless its SQLState is 40003 (completion unknown), which must stay rare; no unit is stored in
 * part; every failure has a SQLState; only a statement somebody cancelled fails; the file is intact
 * and writable.
 *
 * <p>Each case is seeded ({@link Random} per thread from the case's seed), runs a fixed number of
 * operations, and is bounded by {@code Future.get} timeouts. The cadence of the canceller is
 * random, so a seed makes a case repeatable in what it does, not in how threads interleave.
 */
class WriteSafetyIT {
  private static final Logger LOG = LoggerFactory.getLogger(WriteSafetyIT.class);

  /** Operations of each writer in a cancel case. */
  private static final int OPS_PER_WRITER = 2_000;

  /** Operations of each writer in the plain sqlite-jdbc reference (its busy handler sleeps). */
  private static final int PLAIN_OPS_PER_WRITER = 200;

  /** The most operations of each writer in a close case, should close never come. */
  private static final int MAX_OPS_BEFORE_CLOSE = 20_000;

  /** Acknowledged operations (all writers together) before the data source is closed. */
  private static final int ACKS_BEFORE_CLOSE = 400;

  /** Bound of each wait on another thread. */
  private static final long BOUND_SECONDS = 60;

  /** How long the test waits for a statement with a 1 s query timeout before it gives up. */
  private static final long OBSERVE_SECONDS = 10;

  /** The SQLStates a cancelled write may fail with: cancelled, or completion unknown. */
  private static final List<String> CANCELLED = List.of("57014", "40003");

  /** The SQLStates a write racing close() may fail with: closed, or completion unknown. */
  private static final List<String> CLOSED = List.of("08003", "40003");

  private static final String INSERT = "INSERT INTO item (id, writer, op) VALUES (?, ?, ?)";

  @RegisterExtension final TestDatabase db = new TestDatabase();
  private ExecutorService pool;

  @BeforeEach
  void setUp() throws SQLException {
    pool = Executors.newCachedThreadPool();
    db.rawExec(
        "PRAGMA journal_mode=WAL",
        "CREATE TABLE item (id INTEGER PRIMARY KEY, writer INTEGER NOT NULL, op INTEGER NOT NULL)");
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    pool.shutdownNow();
    pool.awaitTermination(10, TimeUnit.SECONDS);
  }

  // ---- cancels racing writers -------------------------------------------------------------

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {7, 10, 13})
  void cancelledAutoCommitInsertsWithGroupCommitLoseNothingAndFailOnlyWhenCancelled(long seed)
      throws Exception {
    // Given 2, 5 or 8 writers with group commit, each operation on a new connection
    // When their auto-commit inserts race Statement.cancel() on a random live statement
    Figures f = cancelCase(seed, Kind.INSERT, true);

    // Then nothing acknowledged is lost; only cancelled operations fail, with 57014 (or 40003)
    assertSafe(f, CANCELLED);
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {7, 10, 13})
  void cancelledAutoCommitInsertsWithoutGroupCommitLoseNothingAndFailOnlyWhenCancelled(long seed)
      throws Exception {
    // Given 2, 5 or 8 writers with group commit off, each operation on a new connection
    // When their auto-commit inserts race Statement.cancel() on a random live statement
    Figures f = cancelCase(seed, Kind.INSERT, false);

    // Then nothing acknowledged is lost; only cancelled operations fail, with 57014 (or 40003)
    assertSafe(f, CANCELLED);
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {7, 10, 13})
  void cancelledBatchesWithGroupCommitLoseNothingAndFailOnlyWhenCancelled(long seed)
      throws Exception {
    // Given 2, 5 or 8 writers with group commit, each operation on a new connection
    // When their auto-commit batches race Statement.cancel() on a random live statement
    Figures f = cancelCase(seed, Kind.BATCH, true);

    // Then nothing acknowledged is lost; only cancelled operations fail, with 57014 (or 40003)
    assertSafe(f, CANCELLED);
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {7, 10, 13})
  void cancelledBatchesWithoutGroupCommitLoseNothingAndFailOnlyWhenCancelled(long seed)
      throws Exception {
    // Given 2, 5 or 8 writers with group commit off, each operation on a new connection
    // When their auto-commit batches race Statement.cancel() on a random live statement
    Figures f = cancelCase(seed, Kind.BATCH, false);

    // Then nothing acknowledged is lost; only cancelled operations fail, with 57014 (or 40003)
    assertSafe(f, CANCELLED);
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {7, 10, 13})
  void cancelledShortTransactionsWithGroupCommitLoseNothingAndFailOnlyWhenCancelled(long seed)
      throws Exception {
    // Given 2, 5 or 8 writers with group commit, each operation on a new connection
    // When their short transactions race Statement.cancel() on a random live statement
    Figures f = cancelCase(seed, Kind.TRANSACTION, true);

    // Then nothing acknowledged is lost; only cancelled operations fail, with 57014 (or 40003)
    assertSafe(f, CANCELLED);
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {7, 10, 13})
  void cancelledShortTransactionsWithoutGroupCommitLoseNothingAndFailOnlyWhenCancelled(long seed)
      throws Exception {
    // Given 2, 5 or 8 writers with group commit off, each operation on a new connection
    // When their short transactions race Statement.cancel() on a random live statement
    Figures f = cancelCase(seed, Kind.TRANSACTION, false);

    // Then nothing acknowledged is lost; only cancelled operations fail, with 57014 (or 40003)
    assertSafe(f, CANCELLED);
  }

  /**
   * The reference for the tracking of cancels: the same cancels on plain sqlite-jdbc (one
   * connection per operation, so a cancel reaches only its own statement) lose nothing and fail
   * nothing uncancelled. Plain sqlite-jdbc gives no SQLState and its auto-commit batch is not
   * atomic, so neither is checked; nor is "reported failed, yet stored", which plain sqlite-jdbc
   * does (its {@code commit()} runs {@code BEGIN} after {@code COMMIT}, and a cancel can hit that)
   * and Sluice must not.
   */
  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1})
  void plainSqliteJdbcUnderTheSameCancelsLosesNothingAndFailsOnlyWhenCancelled(long seed)
      throws Exception {
    // Given plain sqlite-jdbc connections that wait for the lock
    Properties props = new Properties();
    props.setProperty("busy_timeout", "30000");
    Opener plain = () -> DriverManager.getConnection(db.sqliteUrl(), props);

    // When two writers insert, or commit short transactions, while a canceller cancels them
    Figures inserts =
        cancelCase(seed, Kind.INSERT, plain, () -> "ok", "plain", 2, PLAIN_OPS_PER_WRITER);
    db.rawExec("DELETE FROM item");
    Figures transactions =
        cancelCase(seed, Kind.TRANSACTION, plain, () -> "ok", "plain", 2, PLAIN_OPS_PER_WRITER);

    // Then
    for (Figures f : List.of(inserts, transactions)) {
      SoftAssertions.assertSoftly(
          soft -> {
            soft.assertThat(f.lost()).as("acknowledged but missing: %s", f).isZero();
            soft.assertThat(f.partial()).as("stored in part: %s", f).isZero();
            soft.assertThat(f.unprovoked()).as("failed though not cancelled: %s", f).isZero();
            soft.assertThat(f.unchecked()).as("unchecked exceptions: %s", f).isZero();
            soft.assertThat(f.integrity()).as("integrity_check: %s", f).isEqualTo("ok");
            soft.assertThat(f.plainWrite()).as("plain insert afterwards: %s", f).isEqualTo("ok");
          });
    }
  }

  // ---- close racing writers ---------------------------------------------------------------

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {12, 18, 23})
  void closeRacingWritersWithGroupCommitLosesNothingAndFailsOnlyWith08003(long seed)
      throws Exception {
    // Given 4, 10 or 15 writers with group commit running inserts, batches and transactions
    // When the data source closes after they acknowledged a fixed number of operations
    Figures f = closeCase(seed, true);

    // Then nothing acknowledged is lost, and writes refused by close fail with 08003, not stored
    assertSafe(f, CLOSED);
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {12, 18, 23})
  void closeRacingWritersWithoutGroupCommitLosesNothingAndFailsOnlyWith08003(long seed)
      throws Exception {
    // Given 4, 10 or 15 writers with group commit off running inserts, batches and transactions
    // When the data source closes after they acknowledged a fixed number of operations
    Figures f = closeCase(seed, false);

    // Then nothing acknowledged is lost, and writes refused by close fail with 08003, not stored
    assertSafe(f, CLOSED);
  }

  // ---- query timeout while the writer is held ---------------------------------------------

  @ParameterizedTest(name = "group commit {0}")
  @ValueSource(booleans = {true, false})
  void queryTimeoutWhileAnotherConnectionHoldsTheWriterFailsWith57014AndStoresNothing(
      boolean groupCommit) throws Exception {
    // Given another connection whose transaction holds the writer until the test releases it
    SluiceDataSource ds =
        db.track(
            db.builder()
                .writerAcquireTimeout(Duration.ofSeconds(30))
                .option(Option.WRITER_GROUP_COMMIT.key(), Boolean.toString(groupCommit))
                .build());
    CountDownLatch holding = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Future<Void> holder =
        pool.submit(
            () -> {
              try (Connection c = ds.getConnection();
                  Statement s = c.createStatement()) {
                c.setAutoCommit(false);
                s.executeUpdate("INSERT INTO item (id, writer, op) VALUES (1, 0, 0)");
                holding.countDown();
                assertThat(release.await(BOUND_SECONDS, TimeUnit.SECONDS)).isTrue();
                c.commit();
              }
              return null;
            });
    assertThat(holding.await(BOUND_SECONDS, TimeUnit.SECONDS)).as("holder began").isTrue();

    // When an insert with a query timeout of 1 s waits for the writer
    String outcome;
    try {
      outcome = timedInsert(ds, 2, release::countDown);
    } finally {
      release.countDown();
    }
    holder.get(BOUND_SECONDS, TimeUnit.SECONDS);

    // Then it failed with 57014, stored nothing, and the data source still writes
    LOG.info("Query timeout behind a held writer (group commit {}): {}", groupCommit, outcome);
    assertThat(outcome).isEqualTo("SQLTimeoutException 57014");
    assertThat(db.rawLong("SELECT count(*) FROM item WHERE id = 2")).as("timed out row").isZero();
    assertThat(db.rawLong("SELECT count(*) FROM item WHERE id = 1")).as("holder's row").isOne();
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      assertThat(s.executeUpdate("INSERT INTO item (id, writer, op) VALUES (3, 0, 0)")).isOne();
    }
    assertFileIntactAndWritable();
  }

  @ParameterizedTest(name = "group commit {0}")
  @ValueSource(booleans = {true, false})
  void queryTimeoutWhileAnotherProcessHoldsTheLockFailsWith57014AndStoresNothing(
      boolean groupCommit) throws Exception {
    // Given a plain connection (as another process would have) in BEGIN IMMEDIATE
    SluiceDataSource ds =
        db.track(
            db.builder()
                .option(Option.WRITER_GROUP_COMMIT.key(), Boolean.toString(groupCommit))
                .build());
    String outcome;
    try (LockHolder lock = new LockHolder(db.sqliteUrl())) {
      lock.exec("INSERT INTO item (id, writer, op) VALUES (1, 0, 0)");

      // When an insert with a query timeout of 1 s waits for the lock
      outcome = timedInsert(ds, 2, lock::release);
      lock.release();
    }

    // Then it failed with 57014, stored nothing, and the data source still writes
    LOG.info("Query timeout behind a held lock (group commit {}): {}", groupCommit, outcome);
    assertThat(outcome).isEqualTo("SQLTimeoutException 57014");
    assertThat(db.rawLong("SELECT count(*) FROM item WHERE id = 2")).as("timed out row").isZero();
    assertThat(db.rawLong("SELECT count(*) FROM item WHERE id = 1")).as("holder's row").isOne();
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      assertThat(s.executeUpdate("INSERT INTO item (id, writer, op) VALUES (3, 0, 0)")).isOne();
    }
    assertFileIntactAndWritable();
  }

  /** What releases the holder, for a statement that is still waiting when the test gives up. */
  @FunctionalInterface
  private interface Release {
    void run() throws Exception;
  }

  /**
   * Runs an insert of {@code id} with a query timeout of 1 s and describes its outcome: the
   * exception's class and SQLState, or how it ended after the test gave up waiting and released the
   * holder.
   */
  private String timedInsert(SluiceDataSource ds, long id, Release release) throws Exception {
    Future<String> waiting =
        pool.submit(
            () -> {
              try (Connection c = ds.getConnection();
                  PreparedStatement ps = c.prepareStatement(INSERT)) {
                ps.setQueryTimeout(1);
                ps.setLong(1, id);
                ps.setInt(2, 0);
                ps.setInt(3, 0);
                ps.executeUpdate();
                return "succeeded";
              } catch (SQLException e) {
                return describe(e);
              }
            });
    try {
      return waiting.get(OBSERVE_SECONDS, TimeUnit.SECONDS);
    } catch (TimeoutException stillWaiting) {
      release.run();
      return "still waiting after "
          + OBSERVE_SECONDS
          + " s, then after release: "
          + waiting.get(BOUND_SECONDS, TimeUnit.SECONDS);
    }
  }

  private static String describe(SQLException e) {
    return (e instanceof SQLTimeoutException ? "SQLTimeoutException" : e.getClass().getSimpleName())
        + " "
        + e.getSQLState();
  }

  // ---- the cases ---------------------------------------------------------------------------

  /** The unit of work of one operation. */
  enum Kind {
    /** One auto-commit insert. */
    INSERT(1),
    /** An auto-commit batch of three inserts. */
    BATCH(3),
    /** {@code setAutoCommit(false)}, two inserts, commit. */
    TRANSACTION(2);

    final int rows;

    Kind(int rows) {
      this.rows = rows;
    }
  }

  /** Where an operation gets its connection. */
  @FunctionalInterface
  private interface Opener {
    Connection open() throws SQLException;
  }

  /**
   * One operation of one writer: its rows, its statement while it runs, and what happened to it.
   * {@link #statement} and {@link #provoked} are shared with the canceller; the rest is written by
   * the writer and read after its future completed.
   */
  private static final class Attempt {
    final Kind kind;
    final int writer;
    final int op;
    volatile Statement statement;

    /** Set before anyone cancels this operation's statement, or once close began: conservative. */
    volatile boolean provoked;

    boolean acknowledged;
    Exception failure;

    Attempt(Kind kind, int writer, int op) {
      this.kind = kind;
      this.writer = writer;
      this.op = op;
    }

    long id(int row) {
      return writer * 1_000_000L + op * 4L + row;
    }
  }

  /**
   * What a case did, checked against the file. {@code unknown}: failures with 40003. {@code lost}:
   * acknowledged, not (fully) stored. {@code failedButPresent}: reported failed (not 40003), yet
   * stored. {@code partial}: units stored in part. {@code unprovoked}: failures of operations
   * nobody cancelled (cancel cases) or reported before close began (close cases). {@code states}:
   * failures per SQLState. {@code plainWrite} and {@code close}: "ok" or what went wrong.
   */
  record Figures(
      String label,
      int attempts,
      int acknowledged,
      int failed,
      int unknown,
      int lost,
      int failedButPresent,
      int partial,
      int nullStates,
      int unprovoked,
      int unchecked,
      int cancels,
      Map<String, Integer> states,
      String integrity,
      String plainWrite,
      String close) {}

  /** What a plain connection finds in the file: the ids, integrity_check, whether it can write. */
  record FileState(Set<Long> stored, String integrity, String plainWrite) {}

  private Figures cancelCase(long seed, Kind kind, boolean groupCommit) throws Exception {
    SluiceDataSource ds =
        db.track(
            db.builder()
                .option(Option.WRITER_GROUP_COMMIT.key(), Boolean.toString(groupCommit))
                .build());
    // Seeds 7, 10 and 13 run 2, 5 and 8 writers.
    int writers = 2 + (int) Math.floorMod(seed, 7L);
    return cancelCase(
        seed,
        kind,
        ds::getConnection,
        () -> closeBounded(ds),
        groupCommit ? "group" : "alone",
        writers,
        OPS_PER_WRITER);
  }

  /**
   * {@code writers} writers each run {@code ops} operations of {@code kind}, a new connection each,
   * prepared or plain at random, while a canceller cancels a random live statement every 0 to 200
   * µs. Then a plain connection checks the file, and {@code close} ends the data source.
   */
  private Figures cancelCase(
      long seed,
      Kind kind,
      Opener opener,
      Callable<String> close,
      String mode,
      int writers,
      int ops)
      throws Exception {
    AtomicReferenceArray<Attempt> live = new AtomicReferenceArray<>(writers);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<List<Attempt>>> work = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      int writer = w;
      work.add(
          pool.submit(
              () -> {
                Random r = new Random(seed * 31 + writer);
                List<Attempt> done = new ArrayList<>(ops);
                start.await();
                for (int op = 0; op < ops; op++) {
                  Attempt a = new Attempt(kind, writer, op);
                  live.set(writer, a);
                  try {
                    run(opener, a, r.nextBoolean());
                  } catch (SQLException | RuntimeException e) {
                    a.failure = e;
                  } finally {
                    live.set(writer, null);
                  }
                  done.add(a);
                }
                return done;
              }));
    }
    AtomicBoolean stop = new AtomicBoolean();
    Future<Integer> canceller =
        pool.submit(
            () -> {
              Random r = new Random(seed);
              int cancels = 0;
              while (!stop.get()) {
                Attempt a = live.get(r.nextInt(writers));
                Statement s = a == null ? null : a.statement;
                if (s != null) {
                  a.provoked = true;
                  try {
                    s.cancel();
                    cancels++;
                  } catch (SQLException closedMeanwhile) {
                    // The statement ended before the cancel reached it: nothing to cancel.
                  }
                }
                LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(r.nextInt(201)));
              }
              return cancels;
            });
    start.countDown();
    List<Attempt> attempts = new ArrayList<>();
    try {
      for (Future<List<Attempt>> f : work) {
        attempts.addAll(f.get(BOUND_SECONDS, TimeUnit.SECONDS));
      }
    } finally {
      stop.set(true);
    }
    int cancels = canceller.get(BOUND_SECONDS, TimeUnit.SECONDS);
    FileState file = fileState();
    String label = "cancel " + kind + " " + mode + " seed " + seed + " (" + writers + " writers)";
    return figures(label, attempts, cancels, file, close.call());
  }

  /**
   * 4 + seed mod 12 writers (4 to 15; with the thread that closes, at most 16) run operations of
   * every kind, prepared or plain, until the first failure; once they acknowledged {@link
   * #ACKS_BEFORE_CLOSE} operations together, the data source closes.
   */
  private Figures closeCase(long seed, boolean groupCommit) throws Exception {
    SluiceDataSource ds =
        db.track(
            db.builder()
                .option(Option.WRITER_GROUP_COMMIT.key(), Boolean.toString(groupCommit))
                .option(Option.CLOSE_TIMEOUT.key(), "5000")
                .build());
    // Seeds 12, 18 and 23 run 4, 10 and 15 writers.
    int writers = 4 + (int) Math.floorMod(seed, 12L);
    CountDownLatch start = new CountDownLatch(1);
    CountDownLatch acks = new CountDownLatch(ACKS_BEFORE_CLOSE);
    AtomicBoolean closing = new AtomicBoolean();
    List<Future<List<Attempt>>> work = new ArrayList<>();
    Kind[] kinds = Kind.values();
    for (int w = 0; w < writers; w++) {
      int writer = w;
      work.add(
          pool.submit(
              () -> {
                Random r = new Random(seed * 31 + writer);
                List<Attempt> done = new ArrayList<>();
                start.await();
                for (int op = 0; op < MAX_OPS_BEFORE_CLOSE; op++) {
                  Attempt a = new Attempt(kinds[r.nextInt(kinds.length)], writer, op);
                  try {
                    run(ds::getConnection, a, r.nextBoolean());
                  } catch (SQLException | RuntimeException e) {
                    a.failure = e;
                    // Conservative: a failure reported once close began may be close's doing.
                    a.provoked = closing.get();
                  }
                  done.add(a);
                  if (a.failure != null) {
                    break;
                  }
                  acks.countDown();
                }
                return done;
              }));
    }
    start.countDown();
    boolean passed = acks.await(BOUND_SECONDS, TimeUnit.SECONDS);
    closing.set(true);
    String close = closeBounded(ds);
    List<Attempt> attempts = new ArrayList<>();
    for (Future<List<Attempt>> f : work) {
      attempts.addAll(f.get(BOUND_SECONDS, TimeUnit.SECONDS));
    }
    assertThat(passed).as("writers acknowledged %d operations", ACKS_BEFORE_CLOSE).isTrue();
    String label =
        "close "
            + (groupCommit ? "group" : "alone")
            + " seed "
            + seed
            + " ("
            + writers
            + " writers)";
    return figures(label, attempts, 0, fileState(), close);
  }

  /** Closes the data source within the bound; "ok" or the exception's class and SQLState. */
  private String closeBounded(SluiceDataSource ds) throws Exception {
    return pool.submit(
            () -> {
              try {
                ds.close();
                return "ok";
              } catch (SQLException | RuntimeException e) {
                return e.getClass().getSimpleName()
                    + " "
                    + (e instanceof SQLException sql ? sql.getSQLState() : "unchecked");
              }
            })
        .get(BOUND_SECONDS, TimeUnit.SECONDS);
  }

  /** One operation on a new connection; records whether it was acknowledged. */
  private static void run(Opener opener, Attempt a, boolean prepared) throws SQLException {
    try (Connection c = opener.open()) {
      if (a.kind == Kind.TRANSACTION) {
        c.setAutoCommit(false);
      }
      try (Statement s = prepared ? c.prepareStatement(INSERT) : c.createStatement()) {
        a.statement = s;
        if (a.kind == Kind.BATCH) {
          for (int row = 0; row < a.kind.rows; row++) {
            if (s instanceof PreparedStatement ps) {
              bind(ps, a, row);
              ps.addBatch();
            } else {
              s.addBatch(sql(a, row));
            }
          }
          s.executeBatch();
        } else {
          for (int row = 0; row < a.kind.rows; row++) {
            if (s instanceof PreparedStatement ps) {
              bind(ps, a, row);
              ps.executeUpdate();
            } else {
              s.executeUpdate(sql(a, row));
            }
          }
        }
        if (a.kind == Kind.TRANSACTION) {
          c.commit();
        }
        a.acknowledged = true;
      } catch (SQLException e) {
        if (a.kind == Kind.TRANSACTION) {
          try {
            c.rollback();
          } catch (SQLException rollback) {
            e.addSuppressed(rollback);
          }
        }
        throw e;
      }
    }
  }

  private static void bind(PreparedStatement ps, Attempt a, int row) throws SQLException {
    ps.setLong(1, a.id(row));
    ps.setInt(2, a.writer);
    ps.setInt(3, a.op);
  }

  private static String sql(Attempt a, int row) {
    return "INSERT INTO item (id, writer, op) VALUES ("
        + a.id(row)
        + ", "
        + a.writer
        + ", "
        + a.op
        + ")";
  }

  // ---- checks against the file -------------------------------------------------------------

  /**
   * Reads the file with a plain connection: the stored ids, {@code PRAGMA integrity_check}, and
   * whether an insert with a short busy timeout succeeds (nothing left holding the write lock).
   */
  private FileState fileState() throws SQLException {
    Set<Long> stored = new HashSet<>();
    String integrity;
    String plainWrite = "ok";
    try (Connection c = DriverManager.getConnection(db.sqliteUrl());
        Statement s = c.createStatement()) {
      try (ResultSet r = s.executeQuery("SELECT id FROM item")) {
        while (r.next()) {
          stored.add(r.getLong(1));
        }
      }
      try (ResultSet r = s.executeQuery("PRAGMA integrity_check")) {
        integrity = r.next() ? r.getString(1) : "no answer";
      }
      s.execute("PRAGMA busy_timeout=200");
      try {
        s.executeUpdate("INSERT INTO item (id, writer, op) VALUES (-1, -1, -1)");
        s.executeUpdate("DELETE FROM item WHERE id = -1");
      } catch (SQLException e) {
        plainWrite = e.getMessage();
      }
    }
    return new FileState(stored, integrity, plainWrite);
  }

  /** Compares what each operation was told with the rows a plain connection found in the file. */
  private static Figures figures(
      String label, List<Attempt> attempts, int cancels, FileState file, String close) {
    Set<Long> stored = file.stored();
    int acknowledged = 0;
    int failed = 0;
    int unknown = 0;
    int lost = 0;
    int failedButPresent = 0;
    int partial = 0;
    int nullStates = 0;
    int unprovoked = 0;
    int unchecked = 0;
    Map<String, Integer> states = new TreeMap<>();
    for (Attempt a : attempts) {
      int present = 0;
      for (int row = 0; row < a.kind.rows; row++) {
        present += stored.contains(a.id(row)) ? 1 : 0;
      }
      if (present != 0 && present != a.kind.rows) {
        partial++;
      }
      String state = null;
      if (a.failure instanceof SQLException e) {
        state = e.getSQLState();
        nullStates += state == null ? 1 : 0;
      } else if (a.failure != null) {
        unchecked++;
        state = a.failure.getClass().getSimpleName();
      }
      // The first of each kind of wrong answer, with its stack, for whoever fixes it.
      if (a.failure != null && !a.provoked && unprovoked == 0) {
        LOG.info("{}: first failure nobody provoked", label, a.failure);
      }
      if (a.failure != null && !a.acknowledged && present > 0 && failedButPresent == 0) {
        LOG.info("{}: first write reported failed but stored", label, a.failure);
      }
      if (a.failure != null) {
        states.merge(String.valueOf(state), 1, Integer::sum);
        unprovoked += a.provoked ? 0 : 1;
      }
      if (a.acknowledged) {
        acknowledged++;
        lost += present < a.kind.rows ? 1 : 0;
      } else {
        failed++;
        if ("40003".equals(state)) {
          unknown++;
        } else if (present > 0) {
          failedButPresent++;
        }
      }
    }
    Figures f =
        new Figures(
            label,
            attempts.size(),
            acknowledged,
            failed,
            unknown,
            lost,
            failedButPresent,
            partial,
            nullStates,
            unprovoked,
            unchecked,
            cancels,
            states,
            file.integrity(),
            file.plainWrite(),
            close);
    LOG.info("{}", f);
    return f;
  }

  /** The invariants of every Sluice case; {@code expected} are the SQLStates failures may have. */
  private static void assertSafe(Figures f, List<String> expected) {
    SoftAssertions.assertSoftly(
        soft -> {
          soft.assertThat(f.lost()).as("acknowledged but missing: %s", f).isZero();
          soft.assertThat(f.failedButPresent()).as("failed but present: %s", f).isZero();
          soft.assertThat(f.partial()).as("stored in part: %s", f).isZero();
          soft.assertThat(f.nullStates()).as("failures without SQLState: %s", f).isZero();
          soft.assertThat(f.unprovoked()).as("failures nobody provoked: %s", f).isZero();
          soft.assertThat(f.unchecked()).as("unchecked exceptions: %s", f).isZero();
          soft.assertThat(f.unknown() * 100L)
              .as("40003 (completion unknown) in at most 1%% of attempts: %s", f)
              .isLessThanOrEqualTo(f.attempts());
          soft.assertThat(f.integrity()).as("integrity_check: %s", f).isEqualTo("ok");
          soft.assertThat(f.plainWrite()).as("plain insert afterwards: %s", f).isEqualTo("ok");
          soft.assertThat(f.close()).as("close() afterwards: %s", f).isEqualTo("ok");
          soft.assertThat(f.states().keySet())
              .as("SQLStates of failures: %s", f)
              .isSubsetOf(expected);
        });
  }

  /** {@code PRAGMA integrity_check} is ok and a plain connection with a short wait can insert. */
  private void assertFileIntactAndWritable() throws SQLException {
    FileState file = fileState();
    assertThat(file.integrity()).as("integrity_check").isEqualTo("ok");
    assertThat(file.plainWrite()).as("plain insert afterwards").isEqualTo("ok");
  }
}
