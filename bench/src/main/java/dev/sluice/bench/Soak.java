package dev.sluice.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;

/**
 * The soak: a bounded mixed workload through {@code jdbc:sluice:sqlite:} that looks for slow leaks
 * (heap, threads, file descriptors) and for wrong answers under a long run. Eight threads each draw
 * an operation at random, each on a connection of its own from {@link DriverManager}: auto-commit
 * single-row inserts (30 %), read-modify-write transfers (20 %), point reads checked against what
 * was loaded (25 %), read-only transactions that check their snapshot (10 %), 20-row auto-commit
 * batches (10 %), and constraint violations that must fail with their SQLState and change nothing
 * (5 %: a duplicate key, or a CHECK violation after a valid update in a transaction).
 *
 * <p>A 10 s warm-up fills pools and caches; then the start figures are taken with the workers
 * stopped: used heap after {@code System.gc()}, live threads, open file descriptors (entries of
 * {@code /proc/self/fd}, where there is one), WAL size, operations done (and their rate since the
 * previous line), failures. The workers run for the soak time, with a report every 30 s (workers
 * running, so 8 more threads), and stop; the end figures are taken as the start ones were. A plain
 * sqlite-jdbc connection then checks the invariants: money conserved, no negative balance, two
 * moves per committed transfer, and exactly the acknowledged inserts in the file. Exits with status
 * 1 if an invariant broke, a worker hung, a JDBC call threw an unchecked exception, or the end
 * figures grew past the start ones by more than 2 threads, 4 file descriptors or a factor of 2 in
 * heap.
 *
 * <p>Run from the project root (3 minutes of soak, plus warm-up and Maven):
 *
 * <pre>
 * ./mvnw -q -B -DskipTests -pl bench -am package exec:java -Ddemo.main=dev.sluice.bench.Soak \
 *     -Dexec.args="--seconds 180"
 * </pre>
 *
 * <p>Arguments: {@code --seconds N} (default 180); {@code --dir <directory>} for the database
 * (default: a new temporary directory, deleted at the end unless {@code --keep}). Not part of the
 * tests. Thread-safe: the counters are concurrent; each worker owns its acknowledgement set, read
 * after the worker is joined.
 */
public final class Soak {
  private static final int THREADS = 8;
  private static final int ACCOUNTS = 100;
  private static final long OPENING_BALANCE = 1000;
  private static final int ITEMS = 10_000;
  private static final int BATCH = 20;
  private static final long WARM_UP_SECONDS = 10;
  private static final long REPORT_SECONDS = 30;
  private static final long JOIN_GRACE_MILLIS = 60_000;
  private static final int THREAD_SLACK = 2;
  private static final int FD_SLACK = 4;
  private static final double HEAP_FACTOR = 2.0;
  private static final String FILLER = "x".repeat(64);

  /** The kinds of operation the workers draw. */
  private enum Kind {
    INSERT,
    TRANSFER,
    POINT_READ,
    READ_ONLY_TX,
    BATCH,
    VIOLATION
  }

  /**
   * The figures of one report line; {@code fds} is -1 without {@code /proc/self/fd}, {@code
   * opsPerSecond} is the rate since the previous line.
   */
  private record Snapshot(
      String label,
      double seconds,
      long heapBytes,
      int threads,
      int fds,
      long walBytes,
      long ops,
      double opsPerSecond,
      long failures) {
    String row() {
      return String.format(
          Locale.ROOT,
          "| %-22s | %6.0f | %8.1f | %7d | %5s | %6.1f | %10d | %8.0f | %8d |",
          label,
          seconds,
          heapBytes / 1048576.0,
          threads,
          fds < 0 ? "n/a" : Integer.toString(fds),
          walBytes / 1048576.0,
          ops,
          opsPerSecond,
          failures);
    }
  }

  private final Path file;
  private final String url;
  private final long began = System.nanoTime();
  private final Map<Kind, LongAdder> done = new EnumMap<>(Kind.class);
  private final Map<String, LongAdder> failures = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> expectedViolations = new ConcurrentHashMap<>();
  private final Map<String, String> firstUnchecked = new ConcurrentHashMap<>();
  private final LongAdder committedTransfers = new LongAdder();
  private final LongAdder wrongAnswers = new LongAdder();
  private final LongAdder acceptedViolations = new LongAdder();
  private final LongAdder unchecked = new LongAdder();
  private final List<Worker> workers = new ArrayList<>();
  private volatile long deadline;
  private long lastSnapshotNanos = began;
  private long lastOps;

  private Soak(Path file) {
    this.file = file;
    this.url = "jdbc:sluice:sqlite:" + file + "?sluice.name=soak";
    for (Kind k : Kind.values()) {
      done.put(k, new LongAdder());
    }
    for (int i = 0; i < THREADS; i++) {
      workers.add(new Worker(i));
    }
  }

  public static void main(String[] args) throws Exception {
    long seconds = 180;
    Path dir = null;
    boolean keep = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--seconds" -> seconds = Long.parseLong(args[++i]);
        case "--dir" -> dir = Path.of(args[++i]);
        case "--keep" -> keep = true;
        default ->
            throw new IllegalArgumentException(
                "unknown argument " + args[i] + " (use --seconds N, --dir <dir>, --keep)");
      }
    }
    if (seconds < 1) {
      throw new IllegalArgumentException("--seconds must be at least 1 (was " + seconds + ")");
    }
    boolean temporary = dir == null;
    if (temporary) {
      dir = Files.createTempDirectory("sluice-soak-");
    } else {
      Files.createDirectories(dir);
    }
    Path file = dir.resolve("soak.db");
    Files.deleteIfExists(file);
    boolean passed = new Soak(file).run(seconds);
    if (temporary && !keep) {
      try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
        for (Path f : files) {
          Files.deleteIfExists(f);
        }
      }
      Files.deleteIfExists(dir);
    }
    if (!passed) {
      System.exit(1);
    }
  }

  private boolean run(long seconds) throws Exception {
    createSchema();
    out("# Sluice soak");
    out("");
    out(
        String.format(
            Locale.ROOT,
            "%d s soak after a %d s warm-up, %d threads, %s; %s %s, %d cores, Java %s, max heap"
                + " %d MB.",
            seconds,
            WARM_UP_SECONDS,
            THREADS,
            url,
            System.getProperty("os.name"),
            System.getProperty("os.arch"),
            Runtime.getRuntime().availableProcessors(),
            System.getProperty("java.version"),
            Runtime.getRuntime().maxMemory() / 1048576));
    out("");
    out(
        "| when                   |      s |  heap MB | threads |   fds | WAL MB |        ops |"
            + "    ops/s | failures |");
    out(
        "| ---------------------- | -----: | -------: | ------: | ----: | -----: | ---------: |"
            + " -------: | -------: |");
    out(snapshot("before Sluice opens").row());
    try (Connection c = DriverManager.getConnection(url)) {
      // Opens the engine behind the URL: it lives until the JVM exits.
      c.isValid(1);
    }
    int hung = phase("warm-up", WARM_UP_SECONDS, 0);
    Snapshot start = snapshot("start (after warm-up)");
    out(start.row());
    if (hung == 0) {
      // Workers are reused: a warm-up thread still running would share one with a soak thread.
      hung = phase("soak", seconds, REPORT_SECONDS);
    }
    Snapshot end = snapshot("end (workers stopped)");
    out(end.row());
    out("");
    out(
        "Start and end are taken with the workers stopped, the rows between them while the "
            + THREADS
            + " workers run. Heap: used after System.gc(). fds: entries of /proc/self/fd.");
    out("");
    reportOperations();
    return verdict(start, end, hung);
  }

  /**
   * Runs the workers for {@code seconds}, printing a snapshot every {@code reportSeconds} (0:
   * none), and returns how many of them did not stop in time.
   */
  private int phase(String name, long seconds, long reportSeconds) throws InterruptedException {
    long startedAt = System.nanoTime();
    deadline = startedAt + TimeUnit.SECONDS.toNanos(seconds);
    List<Thread> threads = new ArrayList<>();
    for (Worker w : workers) {
      Thread t = new Thread(w, "soak-" + name + "-" + w.id);
      // A hung worker must not keep the JVM (or Maven's exec:java) alive.
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
    long nextReport =
        reportSeconds > 0 ? startedAt + TimeUnit.SECONDS.toNanos(reportSeconds) : deadline;
    while (true) {
      long now = System.nanoTime();
      long wakeAt = Math.min(deadline, nextReport);
      if (wakeAt - now > 0) {
        TimeUnit.NANOSECONDS.sleep(wakeAt - now);
        continue;
      }
      if (deadline - now <= TimeUnit.SECONDS.toNanos(1)) {
        break;
      }
      out(snapshot(name + " " + TimeUnit.NANOSECONDS.toSeconds(now - startedAt) + " s").row());
      nextReport += TimeUnit.SECONDS.toNanos(reportSeconds);
    }
    long joinBy = System.currentTimeMillis() + JOIN_GRACE_MILLIS;
    int hung = 0;
    for (Thread t : threads) {
      t.join(Math.max(1, joinBy - System.currentTimeMillis()));
      if (t.isAlive()) {
        hung++;
        progress(t.getName() + " did not stop within " + JOIN_GRACE_MILLIS + " ms");
      }
    }
    return hung;
  }

  private Snapshot snapshot(String label) {
    long now = System.nanoTime();
    long ops = 0;
    for (LongAdder a : done.values()) {
      ops += a.sum();
    }
    double rate = now > lastSnapshotNanos ? (ops - lastOps) / ((now - lastSnapshotNanos) / 1e9) : 0;
    lastSnapshotNanos = now;
    lastOps = ops;
    // After the counters and the clock, so that the collection is not charged to the rate.
    System.gc();
    return new Snapshot(
        label,
        (now - began) / 1e9,
        ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(),
        ManagementFactory.getThreadMXBean().getThreadCount(),
        openFileDescriptors(),
        walBytes(),
        ops,
        rate,
        sum(failures));
  }

  private long walBytes() {
    try {
      Path wal = file.resolveSibling(file.getFileName() + "-wal");
      return Files.exists(wal) ? Files.size(wal) : 0;
    } catch (IOException e) {
      return -1;
    }
  }

  /** Entries of {@code /proc/self/fd} (the listing's own descriptor included), or -1. */
  private static int openFileDescriptors() {
    Path fds = Path.of("/proc/self/fd");
    if (!Files.isDirectory(fds)) {
      return -1;
    }
    try (Stream<Path> entries = Files.list(fds)) {
      return (int) entries.count();
    } catch (IOException e) {
      return -1;
    }
  }

  private void reportOperations() {
    out("| operation | done |");
    out("| --- | ---: |");
    for (Map.Entry<Kind, LongAdder> e : done.entrySet()) {
      out("| " + e.getKey().name().toLowerCase(Locale.ROOT) + " | " + e.getValue().sum() + " |");
    }
    out("");
    out("Failures by SQLState: " + text(failures));
    out("Constraint violations caught as expected, by SQLState: " + text(expectedViolations));
    for (Map.Entry<String, String> e : firstUnchecked.entrySet()) {
      progress("first unchecked " + e.getKey() + ":\n" + e.getValue());
    }
    out("");
  }

  /** Checks the invariants and the growth, prints each, and tells whether all held. */
  private boolean verdict(Snapshot start, Snapshot end, int hung) {
    List<String> broken = new ArrayList<>();
    out("Invariants (plain sqlite-jdbc connection after the run):");
    check(broken, "money", money());
    check(broken, "inserts", inserts());
    check(
        broken,
        "answers",
        wrongAnswers.sum() == 0
            ? "ok"
            : "FAIL " + wrongAnswers.sum() + " reads or snapshots returned a wrong answer");
    check(
        broken,
        "violations",
        acceptedViolations.sum() == 0
            ? "ok"
            : "FAIL " + acceptedViolations.sum() + " constraint violations were accepted");
    check(
        broken,
        "unchecked",
        unchecked.sum() == 0
            ? "ok"
            : "FAIL " + unchecked.sum() + " JDBC calls threw an unchecked exception");
    check(broken, "workers", hung == 0 ? "ok" : "FAIL " + hung + " workers hung");
    out("");
    out("Growth, end vs start:");
    check(
        broken,
        "threads",
        growth(end.threads() - start.threads() <= THREAD_SLACK, start.threads(), end.threads()));
    if (start.fds() >= 0 && end.fds() >= 0) {
      check(broken, "fds", growth(end.fds() - start.fds() <= FD_SLACK, start.fds(), end.fds()));
    } else {
      out("- fds: not measured (no /proc/self/fd)");
    }
    check(
        broken,
        "heap",
        growth(
            end.heapBytes() <= HEAP_FACTOR * start.heapBytes(),
            start.heapBytes() / 1048576 + " MB",
            end.heapBytes() / 1048576 + " MB"));
    out("");
    out(broken.isEmpty() ? "PASS" : "FAIL: " + String.join(", ", broken));
    return broken.isEmpty();
  }

  private static String growth(boolean ok, Object start, Object end) {
    return (ok ? "ok " : "FAIL ") + start + " -> " + end;
  }

  private static void check(List<String> broken, String name, String result) {
    out("- " + name + ": " + result);
    if (!result.startsWith("ok")) {
      broken.add(name);
    }
  }

  private String money() {
    try (Connection c = plain();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery("SELECT sum(balance), min(balance), sum(moves) FROM account")) {
      rs.next();
      long total = rs.getLong(1);
      long min = rs.getLong(2);
      long moves = rs.getLong(3);
      long expected = ACCOUNTS * OPENING_BALANCE;
      long committed = committedTransfers.sum();
      boolean ok = total == expected && min >= 0 && moves == 2 * committed;
      return (ok ? "ok" : "FAIL")
          + " total "
          + total
          + " (expected "
          + expected
          + "), min balance "
          + min
          + ", moves "
          + moves
          + " = 2 x "
          + committed
          + " committed transfers"
          + (ok ? "" : "?");
    } catch (SQLException e) {
      return "FAIL " + e;
    }
  }

  /** Rows in {@code event} are exactly the acknowledged (thread, seq) pairs. */
  private String inserts() {
    Map<Integer, BitSet> seen = new TreeMap<>();
    long rows = 0;
    try (Connection c = plain();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT thread, seq FROM event")) {
      while (rs.next()) {
        rows++;
        seen.computeIfAbsent(rs.getInt(1), k -> new BitSet()).set(rs.getInt(2));
      }
    } catch (SQLException e) {
      return "FAIL " + e;
    }
    long acknowledged = 0;
    long missing = 0;
    long unacknowledged = 0;
    for (Worker w : workers) {
      BitSet present = seen.getOrDefault(w.id, new BitSet());
      acknowledged += w.acked.cardinality();
      BitSet lost = (BitSet) w.acked.clone();
      lost.andNot(present);
      missing += lost.cardinality();
      BitSet extra = (BitSet) present.clone();
      extra.andNot(w.acked);
      unacknowledged += extra.cardinality();
    }
    boolean ok = rows == acknowledged && missing == 0 && unacknowledged == 0;
    return (ok ? "ok" : "FAIL")
        + " rows "
        + rows
        + ", acknowledged "
        + acknowledged
        + ", missing "
        + missing
        + ", present but not acknowledged "
        + unacknowledged;
  }

  private Connection plain() throws SQLException {
    return DriverManager.getConnection("jdbc:sqlite:" + file);
  }

  private void createSchema() throws SQLException {
    try (Connection c = plain();
        Statement s = c.createStatement()) {
      s.execute("PRAGMA journal_mode=WAL");
      c.setAutoCommit(false);
      s.execute(
          "CREATE TABLE account (id INTEGER PRIMARY KEY,"
              + " balance INTEGER NOT NULL CHECK (balance >= 0), moves INTEGER NOT NULL)");
      s.execute("CREATE TABLE item (id INTEGER PRIMARY KEY, payload TEXT NOT NULL)");
      s.execute(
          "CREATE TABLE event (id INTEGER PRIMARY KEY, thread INTEGER NOT NULL,"
              + " seq INTEGER NOT NULL, kind TEXT NOT NULL, payload TEXT NOT NULL,"
              + " UNIQUE (thread, seq))");
      s.execute(
          "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < "
              + ACCOUNTS
              + ") INSERT INTO account SELECT i, "
              + OPENING_BALANCE
              + ", 0 FROM n");
      s.execute(
          "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < "
              + ITEMS
              + ") INSERT INTO item SELECT i, 'item-' || i FROM n");
      c.commit();
    }
  }

  private void failed(Throwable e) {
    String key;
    if (e instanceof SQLException s) {
      key = String.valueOf(s.getSQLState());
    } else {
      key = e.getClass().getSimpleName() + " (unchecked)";
      unchecked.increment();
      firstUnchecked.computeIfAbsent(key, k -> stack(e));
    }
    failures.computeIfAbsent(key, k -> new LongAdder()).increment();
  }

  private static String stack(Throwable e) {
    StringWriter w = new StringWriter();
    e.printStackTrace(new PrintWriter(w));
    return w.toString();
  }

  private static long sum(Map<String, LongAdder> counts) {
    long n = 0;
    for (LongAdder a : counts.values()) {
      n += a.sum();
    }
    return n;
  }

  private static String text(Map<String, LongAdder> counts) {
    if (counts.isEmpty()) {
      return "none";
    }
    Map<String, Long> sorted = new TreeMap<>();
    counts.forEach((k, v) -> sorted.put(k, v.sum()));
    return sorted.toString();
  }

  @SuppressWarnings("SystemOut")
  private static void out(String line) {
    System.out.println(line);
  }

  @SuppressWarnings("SystemOut")
  private static void progress(String line) {
    System.err.println(line);
  }

  /**
   * One worker: draws operations until the deadline. Owns its sequence numbers and the set of those
   * acknowledged; not thread-safe, read by the main thread only after it is joined.
   */
  private final class Worker implements Runnable {
    private final int id;
    private final BitSet acked = new BitSet();
    private int seq;

    Worker(int id) {
      this.id = id;
    }

    @Override
    public void run() {
      ThreadLocalRandom r = ThreadLocalRandom.current();
      while (System.nanoTime() - deadline < 0) {
        int dice = r.nextInt(100);
        Kind kind =
            dice < 30
                ? Kind.INSERT
                : dice < 50
                    ? Kind.TRANSFER
                    : dice < 75
                        ? Kind.POINT_READ
                        : dice < 85 ? Kind.READ_ONLY_TX : dice < 95 ? Kind.BATCH : Kind.VIOLATION;
        try {
          switch (kind) {
            case INSERT -> insert();
            case TRANSFER -> transfer(r);
            case POINT_READ -> pointRead(r);
            case READ_ONLY_TX -> readOnly(r);
            case BATCH -> batch();
            case VIOLATION -> violation(r);
          }
          done.get(kind).increment();
        } catch (SQLException | RuntimeException e) {
          failed(e);
        }
      }
    }

    private void insert() throws SQLException {
      int mine = seq++;
      try (Connection c = DriverManager.getConnection(url);
          PreparedStatement p =
              c.prepareStatement(
                  "INSERT INTO event (thread, seq, kind, payload) VALUES (?, ?, 'single', ?)")) {
        p.setInt(1, id);
        p.setInt(2, mine);
        p.setString(3, payload(mine));
        p.executeUpdate();
        // An auto-commit insert that returned is committed, whatever close() does.
        acked.set(mine);
      }
    }

    private void batch() throws SQLException {
      int first = seq;
      seq += BATCH;
      try (Connection c = DriverManager.getConnection(url);
          PreparedStatement p =
              c.prepareStatement(
                  "INSERT INTO event (thread, seq, kind, payload) VALUES (?, ?, 'batch', ?)")) {
        for (int i = first; i < first + BATCH; i++) {
          p.setInt(1, id);
          p.setInt(2, i);
          p.setString(3, payload(i));
          p.addBatch();
        }
        p.executeBatch();
        // An auto-commit batch is one transaction: all of it is in, or none.
        acked.set(first, first + BATCH);
      }
    }

    private String payload(int n) {
      return "e-" + id + "-" + n + "-" + FILLER;
    }

    /** SELECT the payer's balance, UPDATE it to a value computed here, credit the payee. */
    private void transfer(ThreadLocalRandom r) throws SQLException {
      int from = 1 + r.nextInt(ACCOUNTS);
      int to = 1 + (from + r.nextInt(ACCOUNTS - 1)) % ACCOUNTS;
      try (Connection c = DriverManager.getConnection(url)) {
        c.setAutoCommit(false);
        try (PreparedStatement read =
                c.prepareStatement("SELECT balance FROM account WHERE id = ?");
            PreparedStatement debit =
                c.prepareStatement(
                    "UPDATE account SET balance = ?, moves = moves + 1 WHERE id = ?");
            PreparedStatement credit =
                c.prepareStatement(
                    "UPDATE account SET balance = balance + ?, moves = moves + 1 WHERE id = ?")) {
          read.setInt(1, from);
          long balance;
          try (ResultSet rs = read.executeQuery()) {
            if (!rs.next()) {
              wrongAnswers.increment();
              c.rollback();
              return;
            }
            balance = rs.getLong(1);
          }
          long amount = Math.min(balance, 1 + r.nextInt(50));
          debit.setLong(1, balance - amount);
          debit.setInt(2, from);
          debit.executeUpdate();
          credit.setLong(1, amount);
          credit.setInt(2, to);
          credit.executeUpdate();
          c.commit();
          committedTransfers.increment();
        } catch (SQLException | RuntimeException e) {
          rollback(c, e);
          throw e;
        }
      }
    }

    private void pointRead(ThreadLocalRandom r) throws SQLException {
      int id = 1 + r.nextInt(ITEMS);
      try (Connection c = DriverManager.getConnection(url);
          PreparedStatement p = c.prepareStatement("SELECT payload FROM item WHERE id = ?")) {
        p.setInt(1, id);
        try (ResultSet rs = p.executeQuery()) {
          if (!rs.next() || !("item-" + id).equals(rs.getString(1))) {
            wrongAnswers.increment();
          }
        }
      }
    }

    /**
     * One snapshot: the total of all balances is the opening total (transfers conserve it), and the
     * event count does not move between two reads of it.
     */
    private void readOnly(ThreadLocalRandom r) throws SQLException {
      try (Connection c = DriverManager.getConnection(url)) {
        c.setReadOnly(true);
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
          long before = scalar(s, "SELECT max(id) FROM event");
          if (scalar(s, "SELECT sum(balance) FROM account") != ACCOUNTS * OPENING_BALANCE) {
            wrongAnswers.increment();
          }
          scalar(s, "SELECT length(payload) FROM item WHERE id = " + (1 + r.nextInt(ITEMS)));
          if (scalar(s, "SELECT max(id) FROM event") != before) {
            wrongAnswers.increment();
          }
          c.commit();
        } catch (SQLException | RuntimeException e) {
          rollback(c, e);
          throw e;
        }
      }
    }

    /**
     * A duplicate key in auto-commit, or a CHECK violation after a valid update in a transaction.
     */
    private void violation(ThreadLocalRandom r) throws SQLException {
      int taken = acked.nextSetBit(0);
      boolean duplicate = taken >= 0 && r.nextBoolean();
      String expected = duplicate ? "23505" : "23514";
      try (Connection c = DriverManager.getConnection(url)) {
        try {
          if (duplicate) {
            try (PreparedStatement p =
                c.prepareStatement(
                    "INSERT INTO event (thread, seq, kind, payload) VALUES (?, ?, 'dup', 'dup')")) {
              p.setInt(1, id);
              p.setInt(2, taken);
              p.executeUpdate();
            }
          } else {
            int account = 1 + r.nextInt(ACCOUNTS);
            c.setAutoCommit(false);
            try (PreparedStatement p =
                c.prepareStatement("UPDATE account SET balance = balance - ? WHERE id = ?")) {
              p.setLong(1, 0);
              p.setInt(2, account);
              p.executeUpdate();
              p.setLong(1, 1_000_000_000L);
              p.executeUpdate();
            }
            c.commit();
          }
          acceptedViolations.increment();
        } catch (SQLException e) {
          if (!c.getAutoCommit()) {
            c.rollback();
          }
          if (!expected.equals(e.getSQLState())) {
            throw e;
          }
          expectedViolations.computeIfAbsent(expected, k -> new LongAdder()).increment();
        }
      }
    }

    private long scalar(Statement s, String sql) throws SQLException {
      try (ResultSet rs = s.executeQuery(sql)) {
        if (!rs.next()) {
          wrongAnswers.increment();
          return -1;
        }
        return rs.getLong(1);
      }
    }

    private void rollback(Connection c, Exception e) {
      try {
        c.rollback();
      } catch (SQLException rollback) {
        e.addSuppressed(rollback);
      }
    }
  }
}
