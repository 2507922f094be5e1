package dev.sluice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Sluice engines in several processes queue for the writer through the sidecar lock (issue 21): a
 * writer waiting behind another process sleeps in the queue instead of polling SQLite's lock (it
 * meets no SQLITE_BUSY: the {@code sluice.retries} meter stays at zero), a holder killed with
 * SIGKILL mid-transaction lets it go on, nothing acknowledged is lost, and processes that do not
 * use Sluice (plain sqlite-jdbc, the {@code sqlite3} shell) still get in through SQLite's lock and
 * Sluice's retry. Invariants, not speed; every wait bounded.
 */
class ProcessQueueIT {
  private static final Pattern SUMMARY = Pattern.compile("ok=(\\d+) failed=(\\d+) .*");

  @RegisterExtension final TestDatabase db = new TestDatabase();
  private final List<Process> children = new ArrayList<>();
  private ExecutorService pool;

  @BeforeEach
  void setUp() throws Exception {
    pool = Executors.newFixedThreadPool(2);
    db.rawExec(
        "PRAGMA journal_mode=WAL",
        "CREATE TABLE item (id INTEGER PRIMARY KEY, who TEXT NOT NULL, seq INT NOT NULL)");
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    pool.shutdownNow();
    for (Process p : children) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aWriterQueuedBehindAKilledHolderGoesOnWithoutPollingAndLosesNothing() throws Exception {
    // Given a child process that committed 3 rows and holds the writer in an open transaction
    SluiceDataSource ds = db.dataSource();
    holdingChild(3);
    // When a writer of this process asks for the writer and waits in the sidecar's queue
    AtomicReference<Thread> waiting = new AtomicReference<>();
    Future<Integer> insert =
        pool.submit(
            () -> {
              waiting.set(Thread.currentThread());
              return insertParentRow(ds);
            });
    awaitBlockedInFileLock(waiting);
    // And the holder is killed with SIGKILL
    Process holder = children.get(0);
    holder.destroyForcibly();
    assertThat(holder.waitFor(30, TimeUnit.SECONDS)).isTrue();
    // Then the queued write completes, never having met SQLITE_BUSY
    assertThat(insert.get(30, TimeUnit.SECONDS)).isEqualTo(1);
    assertThat(retries()).isZero();
    // And every acknowledged row is there, the uncommitted one is not
    assertThat(db.rawLong("SELECT count(*) FROM item WHERE who = 'child'")).isEqualTo(3);
    assertThat(db.rawLong("SELECT count(*) FROM item WHERE who = 'uncommitted'")).isZero();
    assertThat(db.rawLong("SELECT count(*) FROM item WHERE who = 'parent'")).isEqualTo(1);
  }

  @Test
  void withoutTheQueueTheSameWriterPollsSqliteLock() throws Exception {
    // Given the same holder, and a writer whose engine does not use the sidecar
    SluiceDataSource ds =
        db.track(db.builder().option("sluice.writer.processLock", "false").build());
    holdingChild(1);
    // When it writes, it meets SQLite's lock and retries (observed, then the holder is killed)
    Future<Integer> insert = pool.submit(() -> insertParentRow(ds));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (retries() < 1) {
      if (System.nanoTime() > deadline) {
        throw new TimeoutException("the writer never retried");
      }
      Thread.onSpinWait();
    }
    Process holder = children.get(0);
    holder.destroyForcibly();
    assertThat(holder.waitFor(30, TimeUnit.SECONDS)).isTrue();
    // Then the write lands after retries: this is what the queue saves
    assertThat(insert.get(30, TimeUnit.SECONDS)).isEqualTo(1);
    assertThat(retries()).isPositive();
    assertThat(db.rawLong("SELECT count(*) FROM item WHERE who = 'parent'")).isEqualTo(1);
  }

  @Test
  void eightProcessesSomeWithoutSluiceLoseAndDuplicateNothing() throws Exception {
    // Given 6 Sluice processes and 2 plain sqlite-jdbc processes, 2 threads x 100 inserts each
    db.rawExec(
        "CREATE TABLE row_of (id INTEGER PRIMARY KEY, process INT, thread INT, seq INT,"
            + " UNIQUE (process, thread, seq))");
    int sluice = 6;
    int plain = 2;
    int threads = 2;
    int count = 100;
    String table = "row_of";
    List<Process> started = new ArrayList<>();
    for (int p = 0; p < sluice + plain; p++) {
      String url =
          p < sluice
              ? "jdbc:sluice:sqlite:" + db.file() + "?sluice.readers=1"
              : db.sqliteUrl() + "?busy_timeout=10000&journal_mode=WAL";
      started.add(
          child(
              InsertChild.class,
              url,
              Integer.toString(p),
              Integer.toString(threads),
              Integer.toString(count),
              table));
    }
    // When they all finish
    long acknowledged = 0;
    long sluiceFailed = 0;
    for (int p = 0; p < started.size(); p++) {
      Process child = started.get(p);
      String last = null;
      try (BufferedReader r = reader(child)) {
        for (String line = r.readLine(); line != null; line = r.readLine()) {
          last = line;
        }
      }
      assertThat(child.waitFor(2, TimeUnit.MINUTES)).as("child %d finished", p).isTrue();
      assertThat(child.exitValue()).isZero();
      Matcher m = SUMMARY.matcher(String.valueOf(last));
      assertThat(m.matches()).as("child summary line: %s", last).isTrue();
      acknowledged += Long.parseLong(m.group(1));
      if (p < sluice) {
        sluiceFailed += Long.parseLong(m.group(2));
      }
    }
    // Then no Sluice write failed, and exactly the acknowledged rows are stored, once each
    assertThat(sluiceFailed).isZero();
    assertThat(acknowledged).isGreaterThanOrEqualTo((long) sluice * threads * count);
    assertThat(db.rawLong("SELECT count(*) FROM row_of")).isEqualTo(acknowledged);
    assertThat(
            db.rawLong("SELECT count(DISTINCT process || '-' || thread || '-' || seq) FROM row_of"))
        .isEqualTo(acknowledged);
  }

  @Test
  void theSqlite3ShellHoldingSqliteLockBesideIsWaitedForThroughRetryAndLosesNothing()
      throws Exception {
    // Given the sqlite3 shell (not Sluice: it never sees the sidecar), which holds SQLite's write
    // lock 150 ms at a time, longer than Sluice's busy_timeout of 100 ms
    String shell = onPath("sqlite3");
    assumeTrue(
        shell != null,
        "sqlite3 shell IT skipped: no sqlite3 on PATH (Debian: apt-get install sqlite3)");
    SluiceDataSource ds = db.dataSource();
    int holds = 8;
    StringBuilder script = new StringBuilder(".bail on\n.timeout 10000\n");
    for (int i = 1; i <= holds; i++) {
      script
          .append("BEGIN IMMEDIATE;\nINSERT INTO item (who, seq) VALUES ('shell', ")
          .append(i)
          .append(");\n.shell sleep 0.15\nCOMMIT;\n.shell sleep 0.05\n");
    }
    Process p =
        new ProcessBuilder(shell, db.file().toString())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.PIPE)
            .start();
    children.add(p);
    // When 4 threads of this process insert until the shell is done, each at least 50 rows
    int threads = 4;
    List<Future<Integer>> writers = new ArrayList<>();
    ExecutorService many = Executors.newFixedThreadPool(threads);
    try {
      for (int t = 0; t < threads; t++) {
        int thread = t;
        writers.add(
            many.submit(
                () -> {
                  int done = 0;
                  try (Connection c = ds.getConnection();
                      PreparedStatement ps =
                          c.prepareStatement("INSERT INTO item (who, seq) VALUES (?, ?)")) {
                    while (done < 50 || p.isAlive()) {
                      ps.setString(1, "sluice-" + thread);
                      ps.setInt(2, done);
                      done += ps.executeUpdate();
                    }
                  }
                  return done;
                }));
      }
      try (var in = p.getOutputStream()) {
        in.write(script.toString().getBytes(StandardCharsets.UTF_8));
      }
      String output;
      try (BufferedReader r = reader(p)) {
        output = String.join("\n", r.lines().toList());
      }
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      // Then the shell committed every transaction (with .bail, "database is locked" would end it)
      assertThat(p.exitValue()).as("sqlite3 output: %s", output).isZero();
      long acknowledged = 0;
      for (Future<Integer> w : writers) {
        acknowledged += w.get(60, TimeUnit.SECONDS); // no Sluice write failed
      }
      // And Sluice's writes met SQLite's lock and got in through the busy handler and retry
      assertThat(retries()).isPositive();
      // And exactly the acknowledged rows are stored, the shell's included
      assertThat(db.rawLong("SELECT count(*) FROM item WHERE who = 'shell'")).isEqualTo(holds);
      assertThat(db.rawLong("SELECT count(*) FROM item WHERE who LIKE 'sluice-%'"))
          .isEqualTo(acknowledged);
      assertThat(db.rawLong("SELECT count(DISTINCT who || '-' || seq) FROM item"))
          .isEqualTo(acknowledged + holds);
    } finally {
      many.shutdownNow();
    }
  }

  private static String onPath(String program) {
    String path = System.getenv().getOrDefault("PATH", "");
    for (String dir : path.split(Pattern.quote(File.pathSeparator), -1)) {
      Path candidate = Path.of(dir, program);
      if (Files.isExecutable(candidate)) {
        return candidate.toString();
      }
    }
    return null;
  }

  private static int insertParentRow(SluiceDataSource ds) throws Exception {
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement("INSERT INTO item (who, seq) VALUES (?, ?)")) {
      ps.setString(1, "parent");
      ps.setInt(2, 0);
      return ps.executeUpdate();
    }
  }

  /** Starts a {@link HoldChild} and reads its lines until it holds the writer. */
  private BufferedReader holdingChild(int acked) throws Exception {
    Process p =
        child(
            HoldChild.class,
            "jdbc:sluice:sqlite:" + db.file() + "?sluice.readers=1",
            Integer.toString(acked));
    BufferedReader out = reader(p);
    Future<String> holding =
        pool.submit(
            () -> {
              int acks = 0;
              for (String line = out.readLine(); line != null; line = out.readLine()) {
                if (line.startsWith("ACK")) {
                  acks++;
                } else if (line.equals("HOLDING")) {
                  return "acks=" + acks;
                }
              }
              return "ended";
            });
    assertThat(holding.get(60, TimeUnit.SECONDS)).isEqualTo("acks=" + acked);
    return out;
  }

  private Process child(Class<?> main, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
    command.add(main.getName());
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    children.add(p);
    return p;
  }

  private static BufferedReader reader(Process p) {
    return new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
  }

  /** Waits (bounded) until the thread is blocked in a file lock: the sidecar's queue. */
  private static void awaitBlockedInFileLock(AtomicReference<Thread> thread)
      throws TimeoutException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      Thread t = thread.get();
      if (t != null) {
        for (StackTraceElement e : t.getStackTrace()) {
          if (e.getClassName().endsWith("FileChannelImpl") && e.getMethodName().equals("lock")) {
            return;
          }
        }
      }
      if (System.nanoTime() > deadline) {
        throw new TimeoutException("the writer never waited in the sidecar's queue");
      }
      Thread.onSpinWait();
    }
  }

  private double retries() {
    return db.registry.find("sluice.retries").counters().stream().mapToDouble(c -> c.count()).sum();
  }
}
