package dev.sluice.driver;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.metrics.MeterNames;
import dev.sluice.writer.Hold;
import io.micrometer.core.instrument.LongTaskTimer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The checkpointer run step by step (issue 20): past the WAL limit writes pause until the snapshots
 * in flight end (read-only transactions and overflow readers included) while reads go on, and the
 * pause gives way to a snapshot held past its bound; in external mode the writer's yield ends when
 * a replicator restarts the log, and gives up when none does.
 */
class HousekeepingTest {
  @TempDir Path dir;

  private final ExecutorService pool = Executors.newSingleThreadExecutor();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @AfterEach
  void stop() {
    pool.shutdownNow();
  }

  /** An engine whose own schedule never runs in a test (the interval is an hour). */
  private Engine engine(String options) throws Exception {
    return engine(options, 1);
  }

  /** The same, with the background checkpointer's WAL limit at {@code walLimit} bytes. */
  private Engine engine(String options, long walLimit) throws Exception {
    Path file = dir.resolve("h.db");
    String url =
        "jdbc:sluice:sqlite:"
            + file
            + "?sluice.name=h&sluice.readers=2&sluice.checkpoint.walLimit="
            + walLimit
            + "&sluice.checkpoint.interval=3600000&"
            + options;
    Engine e = Engine.open(Settings.parse(url, new Properties()), registry);
    try (Connection c = e.connect();
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
      for (int i = 0; i < 50; i++) {
        s.execute("INSERT INTO t (v) VALUES ('row')");
      }
    }
    return e;
  }

  private Path wal() {
    return dir.resolve("h.db-wal");
  }

  /**
   * The snapshot a checkpoint waits for: a read-only transaction (issue 20), or a result set on an
   * overflow reader, opened by a thread that already holds both pooled readers.
   */
  enum Holder {
    READ_ONLY_TRANSACTION,
    OVERFLOW_READER
  }

  /** Opens a snapshot of {@code kind} on {@code c}; the returned handle ends it when closed. */
  private static AutoCloseable snapshot(Engine e, Connection c, Holder kind) throws Exception {
    if (kind == Holder.READ_ONLY_TRANSACTION) {
      c.setReadOnly(true);
      c.setAutoCommit(false);
      try (Statement s = c.createStatement();
          ResultSet r = s.executeQuery("SELECT count(*) FROM t")) {
        assertThat(r.next()).isTrue();
      }
      return c::commit;
    }
    // Both pooled readers held by this thread: the next read opens an overflow reader.
    try (Connection a = e.connect();
        Connection b = e.connect();
        Statement sa = a.createStatement();
        Statement sb = b.createStatement();
        ResultSet ra = sa.executeQuery("SELECT id FROM t");
        ResultSet rb = sb.executeQuery("SELECT id FROM t")) {
      assertThat(ra.next()).isTrue();
      assertThat(rb.next()).isTrue();
      Statement s = c.createStatement();
      ResultSet r = s.executeQuery("SELECT id FROM t");
      assertThat(r.next()).isTrue();
      return s;
    }
  }

  @ParameterizedTest
  @EnumSource(Holder.class)
  void aSnapshotHeldPastThePauseMakesTheCheckpointGiveWayThenItResets(Holder kind)
      throws Exception {
    // Given a snapshot held open and a WAL past the limit
    try (Engine e = engine("sluice.checkpoint.writerYield=50");
        Connection snapshotConnection = e.connect();
        Connection other = e.connect()) {
      AutoCloseable snapshot = snapshot(e, snapshotConnection, kind);

      // When the checkpointer runs
      boolean resetWhileHeld = e.housekeeping().checkpointIfLarge();

      // Then it gave way: the log is still there, and reads and writes go on
      assertThat(resetWhileHeld).isFalse();
      assertThat(Files.size(wal())).isPositive();
      try (Statement s = other.createStatement()) {
        assertThat(s.executeUpdate("INSERT INTO t (v) VALUES ('after')")).isEqualTo(1);
        try (ResultSet r = s.executeQuery("SELECT count(*) FROM t")) {
          assertThat(r.next()).isTrue();
          assertThat(r.getLong(1)).isEqualTo(51);
        }
      }

      // And once the snapshot ends, the next run truncates the log
      snapshot.close();
      assertThat(e.housekeeping().checkpointIfLarge()).isTrue();
      assertThat(Files.size(wal())).isZero();
    }
  }

  @Test
  void readsRunToTheirEndWhileWritesArePausedForTheCheckpoint() throws Exception {
    // Given an old snapshot (a read-only transaction) and a WAL past the limit
    try (Engine e = engine("sluice.checkpoint.writerYield=30000");
        Connection snapshot = e.connect();
        Connection reader = e.connect();
        Connection readOnly = e.connect();
        Connection overflow = e.connect()) {
      AutoCloseable old = snapshot(e, snapshot, Holder.READ_ONLY_TRANSACTION);
      LongTaskTimer pause =
          registry.get(MeterNames.CHECKPOINT_PAUSE).tag(MeterNames.DATASOURCE, "h").longTaskTimer();

      // When the checkpointer pauses writes and waits for that snapshot
      Future<Boolean> checkpoint = pool.submit(() -> e.housekeeping().checkpointIfLarge());
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (pause.activeTasks() == 0 && System.nanoTime() - deadline < 0) {
        assertThat(checkpoint.isDone()).isFalse();
        Thread.onSpinWait();
      }
      assertThat(pause.activeTasks()).isEqualTo(1);

      // Then reads of every kind run to their end meanwhile: an auto-commit read (its result set
      // kept open), a read-only transaction, and an overflow reader of a thread holding both
      Future<Long> reads =
          reads(
              () -> {
                long rows = 0;
                try (Statement s = reader.createStatement();
                    ResultSet open = s.executeQuery("SELECT id FROM t")) {
                  assertThat(open.next()).isTrue();
                  readOnly.setReadOnly(true);
                  readOnly.setAutoCommit(false);
                  try (Statement r = readOnly.createStatement();
                      ResultSet rs = r.executeQuery("SELECT count(*) FROM t")) {
                    assertThat(rs.next()).isTrue();
                    rows += rs.getLong(1);
                    try (Statement o = overflow.createStatement();
                        ResultSet ors = o.executeQuery("SELECT count(*) FROM t")) {
                      assertThat(ors.next()).isTrue();
                      rows += ors.getLong(1);
                    }
                  }
                  readOnly.commit();
                }
                return rows;
              });
      assertThat(reads.get(30, TimeUnit.SECONDS)).isEqualTo(100);
      assertThat(pause.activeTasks()).as("the pause outlasted the reads").isEqualTo(1);
      assertThat(checkpoint.isDone()).isFalse();

      // And once the old snapshot ends, the checkpoint resets the log and writes flow again
      old.close();
      assertThat(checkpoint.get(30, TimeUnit.SECONDS)).isTrue();
      assertThat(pause.activeTasks()).isZero();
      assertThat(Files.size(wal())).isZero();
      try (Statement s = reader.createStatement()) {
        assertThat(s.executeUpdate("INSERT INTO t (v) VALUES ('after')")).isEqualTo(1);
      }
    }
  }

  private Future<Long> reads(java.util.concurrent.Callable<Long> body) {
    ExecutorService one = Executors.newSingleThreadExecutor();
    try {
      return one.submit(body);
    } finally {
      one.shutdown();
    }
  }

  @Test
  void theWriterYieldEndsWhenTheReplicatorRestartsTheLog() throws Exception {
    // Given external checkpoints, a WAL past the limit, and a replicator's own connection
    try (Engine e = engine("sluice.checkpoint.mode=external&sluice.checkpoint.writerYield=30000");
        Connection replicator = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("h.db"));
        Statement r = replicator.createStatement()) {
      long salts = WalFile.salts(wal());

      // When the writer yields while the replicator checkpoints and writes (as Litestream does)
      Future<Boolean> yielded = pool.submit(() -> e.housekeeping().yieldIfLarge());
      while (!yielded.isDone()) {
        r.execute("PRAGMA wal_checkpoint(RESTART)");
        r.execute("INSERT INTO t (v) VALUES ('replicator')");
      }

      // Then the yield saw the restart, Sluice never checkpointed, and writes go on
      assertThat(yielded.get(30, TimeUnit.SECONDS)).isTrue();
      assertThat(WalFile.salts(wal())).isNotEqualTo(salts);
      try (Connection c = e.connect();
          Statement s = c.createStatement()) {
        assertThat(s.executeUpdate("INSERT INTO t (v) VALUES ('after')")).isEqualTo(1);
      }
    }
  }

  @Test
  void aYieldNoReplicatorUsesEndsAtItsBoundAndTheLogIsUntouched() throws Exception {
    // Given external checkpoints, a WAL past the limit and no replicator
    try (Engine e = engine("sluice.checkpoint.mode=external&sluice.checkpoint.writerYield=50")) {
      long live = WalFile.liveBytes(wal());
      long salts = WalFile.salts(wal());

      // When the writer yields
      boolean restarted = e.housekeeping().yieldIfLarge();

      // Then nothing restarted the log and Sluice did not checkpoint it
      assertThat(restarted).isFalse();
      assertThat(WalFile.salts(wal())).isEqualTo(salts);
      assertThat(WalFile.liveBytes(wal())).isEqualTo(live);
    }
  }

  /** Rows of 100 KB blobs until the live log holds {@code bytes}, one auto-commit insert each. */
  private static void grow(Engine e, long bytes, Path wal) throws Exception {
    try (Connection c = e.connect();
        Statement s = c.createStatement()) {
      while (WalFile.liveBytes(wal) < bytes) {
        s.execute("INSERT INTO t (v) VALUES (randomblob(100000))");
      }
    }
  }

  private static void insertOne(Engine e) throws Exception {
    try (Connection c = e.connect();
        Statement s = c.createStatement()) {
      assertThat(s.executeUpdate("INSERT INTO t (v) VALUES ('small')")).isEqualTo(1);
    }
  }

  private static long rows(Engine e) throws Exception {
    try (Connection c = e.connect();
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT count(*) FROM t")) {
      assertThat(r.next()).isTrue();
      return r.getLong(1);
    }
  }

  /**
   * Issue 22: SQLite's auto-checkpoint runs inside the writer's COMMIT (every queued write waits).
   * The light checkpoint copies the log on a connection of its own while the writer is free, and
   * the next write restarts the log, long before the writer's own auto-checkpoint (1,000 pages).
   */
  @Test
  void theLightCheckpointCopiesTheLogOffTheWriterAndTheNextWriteRestartsIt() throws Exception {
    // Given a live log of 2 MiB, half SQLite's auto-checkpoint, that a write does not restart
    try (Engine e = engine("")) {
      grow(e, 2L << 20, wal());
      insertOne(e);
      assertThat(WalFile.liveBytes(wal())).isGreaterThanOrEqualTo(2L << 20);
      long salts = WalFile.salts(wal());
      long before = rows(e);

      // When the light checkpoint runs on a free writer
      e.housekeeping().lightCheckpoint();

      // Then the next write restarts the log: it holds that write alone, and nothing is lost
      insertOne(e);
      assertThat(WalFile.salts(wal())).isNotEqualTo(salts);
      assertThat(WalFile.liveBytes(wal())).isLessThan(64L << 10);
      assertThat(rows(e)).isEqualTo(before + 1);
    }
  }

  /**
   * Issue 22: each finishing pass holds the writer for a copy and two syncs, a stall for every
   * queued write, and restarting the log at every look past 1 MiB did that every 50-100 ms at a few
   * thousand writes a second. A log that grows slowly is copied at each look but restarted only
   * once it nears SQLite's auto-checkpoint at the rate it grows.
   */
  @Test
  void aSlowlyGrowingLogIsCopiedAtOnceButRestartedOnlyNearSQLitesAutoCheckpoint() throws Exception {
    // Given a live log of 2 MiB that grew over ten seconds (about 0.2 MB a second)
    try (Engine e = engine("")) {
      grow(e, 2L << 20, wal());
      long salts = WalFile.salts(wal());
      e.housekeeping().measureGrowth(0, salts, System.nanoTime() - TimeUnit.SECONDS.toNanos(10));
      long copied = Files.size(dir.resolve("h.db"));
      long holds = e.writer().holdsEnded();

      // When the light checkpoint runs on a free writer
      e.housekeeping().lightCheckpoint();

      // Then it copied the log without holding the writer: the pass that holds it waits until the
      // log is near 1,000 pages
      assertThat(Files.size(dir.resolve("h.db"))).isGreaterThan(copied);
      assertThat(e.writer().holdsEnded()).isEqualTo(holds);
      assertThat(e.housekeeping().heldPassFrom()).isGreaterThan(3L << 20);
    }
  }

  /** A log that grows fast is restarted as soon as it passes 1 MiB, as before. */
  @Test
  void aFastGrowingLogIsRestartedFromTheFirstMebibyte() throws Exception {
    // Given a live log of 2 MiB that grew within 10 ms
    try (Engine e = engine("")) {
      grow(e, 2L << 20, wal());
      long salts = WalFile.salts(wal());
      e.housekeeping()
          .measureGrowth(0, salts, System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(10));

      long holds = e.writer().holdsEnded();

      // When the light checkpoint runs on a free writer
      e.housekeeping().lightCheckpoint();

      // Then it held the writer for its finishing pass, and the next write restarted the log
      assertThat(e.housekeeping().heldPassFrom()).isEqualTo(1L << 20);
      assertThat(e.writer().holdsEnded()).isEqualTo(holds + 1);
      insertOne(e);
      assertThat(WalFile.salts(wal())).isNotEqualTo(salts);
    }
  }

  /**
   * A busy writer is left to SQLite's own auto-checkpoint: the pass copies nothing, not even the
   * part that needs no writer (the database file, where a copy lands, keeps its size).
   */
  @Test
  void theLightCheckpointLeavesAHeldWriterToSQLitesOwnCheckpoint() throws Exception {
    // Given a live log of 2 MiB and the writer held by an open transaction
    try (Engine e = engine("");
        Connection tx = e.connect()) {
      grow(e, 2L << 20, wal());
      long salts = WalFile.salts(wal());
      long copied = Files.size(dir.resolve("h.db"));
      tx.setAutoCommit(false);
      try (Statement s = tx.createStatement()) {
        s.executeUpdate("INSERT INTO t (v) VALUES ('in a transaction')");
      }

      // When the light checkpoint runs
      e.housekeeping().lightCheckpoint();

      // Then it copied nothing
      assertThat(Files.size(dir.resolve("h.db"))).isEqualTo(copied);

      // And after the transaction commits and one more write follows, the log goes on
      tx.commit();
      insertOne(e);
      assertThat(WalFile.salts(wal())).isEqualTo(salts);
      assertThat(WalFile.liveBytes(wal())).isGreaterThanOrEqualTo(2L << 20);

      // And once the writer is free, it does its work
      e.housekeeping().lightCheckpoint();
      insertOne(e);
      assertThat(WalFile.salts(wal())).isNotEqualTo(salts);
    }
  }

  /**
   * Issue 22: every restart of the log stalls the writes queued behind it. Once the light
   * checkpoint has restarted the log on a free writer, SQLite's own checkpoint inside a COMMIT is
   * only the backstop: the writer runs with three times the connections' auto-checkpoint, and the
   * log grows past 1,000 pages without being copied inside a COMMIT.
   */
  @Test
  void afterALightRestartTheLogGrowsPastSQLitesAutoCheckpointUntilTheNextOne() throws Exception {
    // Given a light checkpoint that held the writer and restarted the log
    try (Engine e = engine("", 16L << 20)) {
      grow(e, 2L << 20, wal());
      long salts = WalFile.salts(wal());
      lightCheckpointOfAFastLog(e);
      insertOne(e);
      long restarted = WalFile.salts(wal());
      assertThat(restarted).isNotEqualTo(salts);
      assertThat(writersAutoCheckpoint(e)).isEqualTo(3000);

      // And PRAGMA wal_autocheckpoint answers as plain sqlite-jdbc on the same file does, on a
      // reader and in a transaction (on the writer) alike
      List<Long> plain;
      try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("h.db"))) {
        plain = autoCheckpointReads(c);
      }
      try (Connection c = e.connect()) {
        assertThat(autoCheckpointReads(c)).isEqualTo(plain).containsExactly(1000L, 1000L);
      }

      // When 5 MB more are written, past SQLite's 1,000 pages (4.1 MB)
      try (Connection c = e.connect();
          Statement s = c.createStatement()) {
        for (int i = 0; i < 50; i++) {
          s.execute("INSERT INTO t (v) VALUES (randomblob(100000))");
        }
      }

      // Then no COMMIT copied and restarted it: the log holds all of it
      assertThat(WalFile.salts(wal())).isEqualTo(restarted);
      assertThat(WalFile.liveBytes(wal())).isGreaterThan(5_000_000L);
    }
  }

  /**
   * A writer found busy at five looks in a row is saturated: there is no room for a light
   * checkpoint, and it gets the connections' own auto-checkpoint back, so that SQLite copies the
   * log inside its COMMITs as often as without Sluice.
   */
  @Test
  void aWriterBusyAtFiveLooksInARowGetsItsOwnAutoCheckpointBack() throws Exception {
    // Given the writer running with the raised auto-checkpoint
    try (Engine e = engine("", 16L << 20)) {
      raiseTheWritersAutoCheckpoint(e);

      // When four looks find it held, after writes ended between them
      for (int i = 0; i < 4; i++) {
        lookAtTheWriterHeld(e);
      }

      // Then it keeps the raised value
      assertThat(writersAutoCheckpoint(e)).isEqualTo(3000);

      // And at the fifth, it gets its own back
      lookAtTheWriterHeld(e);
      assertThat(writersAutoCheckpoint(e)).isEqualTo(1000);
    }
  }

  /** Busy looks count only in a row: a look that finds the writer free starts the count again. */
  @Test
  void aFreeLookBetweenBusyOnesKeepsTheRaisedAutoCheckpoint() throws Exception {
    // Given the writer running with the raised auto-checkpoint
    try (Engine e = engine("", 16L << 20)) {
      raiseTheWritersAutoCheckpoint(e);

      // When four looks find it held, one finds it free, and four more find it held
      for (int i = 0; i < 4; i++) {
        lookAtTheWriterHeld(e);
      }
      insertOne(e);
      e.housekeeping().lightCheckpoint();
      for (int i = 0; i < 4; i++) {
        lookAtTheWriterHeld(e);
      }

      // Then it keeps the raised value
      assertThat(writersAutoCheckpoint(e)).isEqualTo(3000);
    }
  }

  /**
   * The raised auto-checkpoint stays under three quarters of sluice.checkpoint.walLimit, where the
   * background checkpointer pauses writes: with a limit of 1 byte, the writer keeps its own.
   */
  @Test
  void theAutoCheckpointIsNotRaisedPastTheWalLimit() throws Exception {
    // Given a WAL limit that leaves no room, and a light checkpoint that restarted the log
    try (Engine e = engine("")) {
      grow(e, 2L << 20, wal());
      long holds = e.writer().holdsEnded();
      lightCheckpointOfAFastLog(e);
      assertThat(e.writer().holdsEnded()).isEqualTo(holds + 1);

      // Then the writer runs with the connections' own auto-checkpoint
      assertThat(writersAutoCheckpoint(e)).isEqualTo(1000);
    }
  }

  /**
   * {@code PRAGMA wal_autocheckpoint} read in auto-commit, then inside a transaction that wrote;
   * the transaction is rolled back.
   */
  private static List<Long> autoCheckpointReads(Connection c) throws Exception {
    long outside = autoCheckpointRead(c);
    c.setAutoCommit(false);
    try (Statement s = c.createStatement()) {
      s.executeUpdate("INSERT INTO t (v) VALUES ('in a transaction')");
    }
    long inside = autoCheckpointRead(c);
    c.rollback();
    c.setAutoCommit(true);
    return List.of(outside, inside);
  }

  private static long autoCheckpointRead(Connection c) throws Exception {
    try (Statement s = c.createStatement();
        ResultSet r = s.executeQuery("PRAGMA wal_autocheckpoint")) {
      assertThat(r.next()).isTrue();
      assertThat(r.getMetaData().getColumnName(1)).isEqualTo("wal_autocheckpoint");
      return r.getLong(1);
    }
  }

  /**
   * Lets the growth rate read a live log of 2 MiB as grown within 10 ms, then runs the light
   * checkpoint: it holds the writer for its finishing pass from the first mebibyte.
   */
  private void lightCheckpointOfAFastLog(Engine e) throws Exception {
    e.housekeeping()
        .measureGrowth(
            0, WalFile.salts(wal()), System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(10));
    e.housekeeping().lightCheckpoint();
  }

  /** A log past the light threshold restarted by a light checkpoint: the writer's value raised. */
  private void raiseTheWritersAutoCheckpoint(Engine e) throws Exception {
    grow(e, 2L << 20, wal());
    lightCheckpointOfAFastLog(e);
    assertThat(writersAutoCheckpoint(e)).isEqualTo(3000);
  }

  /** A write ends, then the light checkpoint looks while the writer is held. */
  private static void lookAtTheWriterHeld(Engine e) throws Exception {
    insertOne(e);
    Object holder = new Object();
    e.writer().acquire(holder, Hold.CALL);
    try {
      e.housekeeping().lightCheckpoint();
    } finally {
      e.writer().release(holder, false);
    }
  }

  /** SQLite's auto-checkpoint on the writer connection, read while holding it. */
  private static long writersAutoCheckpoint(Engine e) throws Exception {
    Object holder = new Object();
    Connection c = e.writer().acquire(holder, Hold.CALL);
    try (Statement s = c.createStatement();
        ResultSet r = s.executeQuery("PRAGMA wal_autocheckpoint")) {
      assertThat(r.next()).isTrue();
      return r.getLong(1);
    } finally {
      e.writer().release(holder, false);
    }
  }

  /** However it is given: a parameter sqlite-jdbc applies itself, or Sluice's pragma option. */
  @ParameterizedTest
  @ValueSource(strings = {"wal_autocheckpoint=0", "sluice.pragma.wal_autocheckpoint=0"})
  void noLightCheckpointWhenTheUserTurnedTheAutoCheckpointOff(String off) throws Exception {
    // Given wal_autocheckpoint=0 and a live log of 2 MiB
    try (Engine e = engine(off)) {
      grow(e, 2L << 20, wal());
      long salts = WalFile.salts(wal());

      // When the light checkpoint is asked to run
      e.housekeeping().lightCheckpoint();
      insertOne(e);

      // Then the log was left alone
      assertThat(WalFile.salts(wal())).isEqualTo(salts);
      assertThat(WalFile.liveBytes(wal())).isGreaterThanOrEqualTo(2L << 20);
    }
  }
}
