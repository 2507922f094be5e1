package dev.sluice.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
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
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The stress comparison: the same workloads, in one run, against (a) plain sqlite-jdbc with a new
 * connection per operation and every default, (b) HikariCP (pool 10) over sqlite-jdbc with WAL,
 * {@code synchronous=NORMAL} and {@code busy_timeout=5000}, and (c) Sluice through {@code
 * jdbc:sluice:sqlite:}. Each target has its own fresh database file in a temporary directory.
 *
 * <p>Workloads: auto-commit single-row inserts at 1, 5, 10 and 32 threads; read-modify-write
 * transfers ({@code setAutoCommit(false)}, SELECT, UPDATE, UPDATE, commit) at 10 and 32 threads; 2
 * writers and 8 readers for a fixed time; 2 processes of 1 thread, 4 and 8 of 4 threads inserting
 * into one file, where (d) is Sluice without the processes' queue. Each attempt gets its
 * connection, runs, and closes it; its latency covers all of that, failed attempts included. After
 * each workload a separate plain sqlite-jdbc connection checks the invariants (rows = successes, no
 * duplicates, money conserved). Also measured: "the limit", one raw sqlite-jdbc connection (WAL,
 * {@code synchronous=NORMAL}) inserting sequentially with one reused statement.
 *
 * <p>Bounded: a fixed number of attempts per thread, a time cap per workload after which no attempt
 * starts, and a timeout on every join. Failures are counted, never thrown.
 *
 * <p>Run from the project root (about 2 minutes on 2 cores, Maven included):
 *
 * <pre>
 * ./mvnw -q -B -DskipTests -pl bench -am package exec:java -Ddemo.main=dev.sluice.bench.Stress
 * </pre>
 *
 * <p>Arguments, through {@code -Dexec.args="..."}: {@code --quick} (about 30 s); {@code --dir
 * <directory>} for the databases (default: a new temporary directory); {@code --csv <file>}
 * (default: {@code stress-results.csv} in that directory); {@code --keep} keeps the database files;
 * {@code --wal} runs only the WAL scenario ({@link WalScenario}: the largest WAL and the reads'
 * latency under 4 readers that keep result sets open 200 ms back to back, 10 s per target); {@code
 * --wal-heavy} the same with 8 readers holding 1 s; {@code --only <group>} runs one workload group
 * for every target: {@code limit}, {@code insert-1} ({@code -5}, {@code -10}, {@code -32}), {@code
 * rmw-10} ({@code -32}), {@code 2w+8r} or {@code processes}; {@code --rounds <n>} repeats the run n
 * times, each round on fresh files in a directory of its own, so that before/after comparisons can
 * pair ratios taken within one round; {@code --sluice-options <a=b&c=d>} adds options to Sluice's
 * URL. Prints a markdown table on stdout, progress on stderr, and writes a CSV.
 */
public final class Stress {
  private static final int[] INSERT_THREADS = {1, 5, 10, 32};
  private static final int[] TRANSFER_THREADS = {10, 32};

  /** Several-processes shapes: processes, threads per process. */
  private static final int[][] PROCESSES = {{2, 1}, {4, 4}, {8, 4}};

  private static final int WRITERS = 2;
  private static final int READERS = 8;
  private static final long GRACE_NANOS = TimeUnit.SECONDS.toNanos(40);

  /** How much work each workload does. */
  private record Size(
      String name,
      int insertOps,
      int transferOps,
      double mixedSeconds,
      int processOps,
      double capSeconds,
      int limitOps) {
    long capNanos() {
      return (long) (capSeconds * 1e9);
    }

    /**
     * Inserts per thread: {@code insertOps}, and with few threads enough that the workload runs ten
     * times as many in all, so a one-thread row lasts about a second instead of a tenth (where a
     * collection or a checkpoint decided the ratio).
     */
    int insertOps(int threads) {
      return Math.max(insertOps, insertOps * 10 / threads);
    }
  }

  private static final Size FULL = new Size("default", 2000, 1000, 8, 2500, 10, 50_000);
  private static final Size QUICK = new Size("quick", 200, 100, 2, 200, 2, 10_000);

  private final Size size;
  private final Path dir;
  private final List<Row> rows = new ArrayList<>();
  private final Map<Contender, Path> files = new EnumMap<>(Contender.class);
  private final Map<Contender, Contender.Source> sources = new EnumMap<>(Contender.class);

  /** The one workload group to run ({@code --only}), or null for all. */
  private final String only;

  /** Options added to Sluice's URL ({@code --sluice-options a=b&c=d}), or empty. */
  private final String sluiceOptions;

  private Stress(Size size, Path dir, String only, String sluiceOptions) {
    this.size = size;
    this.dir = dir;
    this.only = only;
    this.sluiceOptions = sluiceOptions;
  }

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals(Processes.CHILD)) {
      // A child JVM of the processes workload: exit explicitly, engines close in the hook.
      System.exit(Processes.child(args));
    }
    Size size = FULL;
    Path dir = null;
    Path csv = null;
    boolean keep = false;
    boolean wal = false;
    int walReaders = 4;
    long walHold = 200;
    String only = null;
    String sluiceOptions = "";
    int rounds = 1;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--quick" -> size = QUICK;
        case "--only" -> only = args[++i];
        case "--sluice-options" -> sluiceOptions = args[++i];
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--wal" -> wal = true;
        case "--wal-heavy" -> {
          wal = true;
          walReaders = 8;
          walHold = 1_000;
        }
        case "--keep" -> keep = true;
        case "--dir" -> dir = Path.of(args[++i]);
        case "--csv" -> csv = Path.of(args[++i]);
        default ->
            throw new IllegalArgumentException(
                "unknown argument "
                    + args[i]
                    + " (use --quick, --wal, --wal-heavy, --only <workload>, --rounds <n>,"
                    + " --sluice-options <a=b&c=d>, --dir <dir>,"
                    + " --csv <file>, --keep)");
      }
    }
    if (dir == null) {
      dir = Files.createTempDirectory("sluice-stress-");
    } else {
      Files.createDirectories(dir);
    }
    if (csv == null) {
      csv = dir.resolve("stress-results.csv");
    }
    if (wal) {
      // The WAL scenario alone (issue 20): 10 s per target, 3 s with --quick.
      double seconds = size.equals(QUICK) ? 3 : 10;
      for (String line :
          WalScenario.table(
              WalScenario.run(dir, seconds, walReaders, walHold), seconds, walReaders, walHold)) {
        out(line);
      }
      if (!keep) {
        deleteDatabases(dir);
      }
      return;
    }
    for (int round = 1; round <= rounds; round++) {
      Path roundDir = rounds == 1 ? dir : dir.resolve("round-" + round);
      Files.createDirectories(roundDir);
      Path roundCsv = rounds == 1 ? csv : roundDir.resolve("stress-results.csv");
      if (rounds > 1) {
        out("## Round " + round + " of " + rounds);
        out("");
      }
      Stress stress = new Stress(size, roundDir, only, sluiceOptions);
      long began = System.nanoTime();
      try {
        stress.runAll();
      } finally {
        stress.closeSources();
      }
      stress.report(roundCsv, (System.nanoTime() - began) / 1e9);
      if (!keep) {
        try {
          deleteDatabases(roundDir);
        } catch (IOException e) {
          progress("could not delete the databases in " + roundDir + ": " + e);
        }
      }
    }
  }

  /** Whether a workload group runs: all of them, or the one {@code --only} names. */
  private boolean runs(String group) {
    return only == null || only.equals(group);
  }

  private void runAll() throws Exception {
    out("# Sluice stress comparison");
    out("");
    out(
        String.format(
            Locale.ROOT,
            "Machine: %s %s, %d cores, Java %s (%s), SQLite %s. Size: %s. Databases in %s.",
            System.getProperty("os.name"),
            System.getProperty("os.arch"),
            Runtime.getRuntime().availableProcessors(),
            System.getProperty("java.version"),
            System.getProperty("java.vm.name"),
            sqliteVersion(),
            size.name(),
            dir));
    out("");
    for (Contender t : Contender.values()) {
      out("- " + t.label() + ": " + t.description());
    }
    out("");
    for (Contender t : Contender.IN_PROCESS) {
      Path file = dir.resolve("target-" + t.letter() + ".db");
      files.put(t, file);
      Schema.create(
          file,
          t.wal(),
          c -> {
            try (Statement s = c.createStatement()) {
              Schema.insertTable(s, "warm");
              for (int n : INSERT_THREADS) {
                Schema.insertTable(s, "ins_" + n);
              }
            }
            Schema.mixedTable(c, "mixed");
            Schema.accountTable(c, "acct_warm");
            for (int n : TRANSFER_THREADS) {
              Schema.accountTable(c, "acct_" + n);
            }
          });
      sources.put(t, t.open(file, "stress-" + t.letter(), sluiceOptions));
    }
    for (Contender t : Contender.IN_PROCESS) {
      warm(t);
    }
    if (runs("limit")) {
      rows.add(limit());
    }
    for (int n : INSERT_THREADS) {
      if (runs("insert-" + n)) {
        for (Contender t : Contender.IN_PROCESS) {
          rows.add(inserts(t, n));
        }
      }
    }
    for (int n : TRANSFER_THREADS) {
      if (runs("rmw-" + n)) {
        for (Contender t : Contender.IN_PROCESS) {
          rows.add(transfers(t, n));
        }
      }
    }
    if (runs(WRITERS + "w+" + READERS + "r")) {
      for (Contender t : Contender.IN_PROCESS) {
        rows.addAll(mixed(t));
      }
    }
    if (runs("processes")) {
      String classPath = Processes.classPath();
      for (int[] shape : PROCESSES) {
        for (Contender t : Contender.PROCESSES) {
          rows.add(processes(t, shape[0], shape[1], classPath));
        }
      }
    }
  }

  /** JIT and pool warm-up on tables no check reads; failures here are only reported. */
  private void warm(Contender t) {
    Contender.Source s = sources.get(t);
    long cap = size.capNanos();
    Tally tally = new Tally(0);
    Load.work(tally, 300, cap, Schema.insert(s, "warm"));
    Load.work(tally, 300, cap, Schema.pointRead(s, "mixed"));
    Load.work(tally, 50, cap, Schema.transfer(s, "acct_warm"));
    if (tally.failures > 0) {
      progress("warm-up of " + t.label() + ": " + tally.failures + " failures " + tally.errors);
    }
  }

  private Row inserts(Contender t, int threads) {
    String workload = "insert " + threads + " thr";
    String table = "ins_" + threads;
    try {
      Load.Run run =
          Load.run(
              t.letter() + "-ins" + threads,
              threads,
              size.insertOps(threads),
              size.capNanos(),
              GRACE_NANOS,
              Schema.insert(sources.get(t), table));
      Check.Verdict v = Check.inserts(files.get(t), table, run.tallies());
      return done(
          Row.of(
              t.label(),
              workload,
              threads,
              (long) threads * size.insertOps(threads),
              run.seconds(),
              run.hung(),
              run.tallies(),
              v));
    } catch (Exception e) {
      return done(Row.broken(t.label(), workload, threads, e));
    }
  }

  private Row transfers(Contender t, int threads) {
    String workload = "rmw tx " + threads + " thr";
    String table = "acct_" + threads;
    try {
      Load.Run run =
          Load.run(
              t.letter() + "-rmw" + threads,
              threads,
              size.transferOps(),
              size.capNanos(),
              GRACE_NANOS,
              Schema.transfer(sources.get(t), table));
      long committed = 0;
      for (Tally tally : run.tallies()) {
        committed += tally.ok;
      }
      Check.Verdict v = Check.accounts(files.get(t), table, committed);
      return done(
          Row.of(
              t.label(),
              workload,
              threads,
              (long) threads * size.transferOps(),
              run.seconds(),
              run.hung(),
              run.tallies(),
              v));
    } catch (Exception e) {
      return done(Row.broken(t.label(), workload, threads, e));
    }
  }

  /** Two writers and eight readers for a fixed time: one row for each side. */
  private List<Row> mixed(Contender t) {
    String writes = WRITERS + "w+" + READERS + "r writes";
    String reads = WRITERS + "w+" + READERS + "r reads";
    try {
      Load.Op insert = Schema.insert(sources.get(t), "mixed");
      Load.Op read = Schema.pointRead(sources.get(t), "mixed");
      Load.Run run =
          Load.run(
              t.letter() + "-mixed",
              WRITERS + READERS,
              Integer.MAX_VALUE,
              (long) (size.mixedSeconds() * 1e9),
              GRACE_NANOS,
              (thread, seq) -> {
                if (thread < WRITERS) {
                  insert.run(thread, seq);
                } else {
                  read.run(thread, seq);
                }
              });
      List<Tally> w = run.tallies().subList(0, WRITERS);
      List<Tally> r = run.tallies().subList(WRITERS, WRITERS + READERS);
      // A hung thread is charged to both rows: which side it was on is not known here.
      return List.of(
          done(
              Row.of(
                  t.label(),
                  writes,
                  WRITERS,
                  0,
                  run.seconds(),
                  run.hung(),
                  w,
                  Check.inserts(files.get(t), "mixed", w))),
          done(Row.of(t.label(), reads, READERS, 0, run.seconds(), run.hung(), r, Check.reads(r))));
    } catch (Exception e) {
      return List.of(
          done(Row.broken(t.label(), writes, WRITERS, e)),
          done(Row.broken(t.label(), reads, READERS, e)));
    }
  }

  private Row processes(Contender t, int count, int threads, String classPath) {
    String workload = Processes.workload(count, threads);
    try {
      Path file = dir.resolve("proc-" + t.letter() + "-" + count + "x" + threads + ".db");
      Schema.create(
          file,
          t.wal(),
          c -> {
            try (Statement s = c.createStatement()) {
              Schema.insertTable(s, "proc");
              Schema.insertTable(s, "proc" + Processes.WARM_SUFFIX);
            }
          });
      return done(
          Processes.run(
              t,
              file,
              "proc",
              count,
              threads,
              Math.max(1, size.processOps() / threads),
              size.capNanos(),
              GRACE_NANOS,
              classPath));
    } catch (Exception e) {
      return done(Row.broken(t.label(), workload, count, e));
    }
  }

  /** One raw connection, WAL and synchronous=NORMAL, one reused statement, auto-commit. */
  private Row limit() {
    String label = "limit: 1 raw conn";
    String workload = "insert sequential";
    try {
      Path file = dir.resolve("limit.db");
      Schema.create(
          file,
          true,
          c -> {
            try (Statement s = c.createStatement()) {
              Schema.insertTable(s, "warm");
              Schema.insertTable(s, "lim");
            }
          });
      Tally tally = new Tally(0);
      try (Connection c =
          DriverManager.getConnection(
              "jdbc:sqlite:" + file + "?journal_mode=WAL&synchronous=NORMAL")) {
        sequential(c, "warm", new Tally(0), 2_000);
        sequential(c, "lim", tally, size.limitOps());
      }
      return done(
          Row.of(
              label,
              workload,
              1,
              size.limitOps(),
              tally.elapsedNanos / 1e9,
              0,
              List.of(tally),
              Check.inserts(file, "lim", List.of(tally))));
    } catch (Exception e) {
      return done(Row.broken(label, workload, 1, e));
    }
  }

  /** Inserts on one connection with one reused statement, one row per auto-commit. */
  private void sequential(Connection c, String table, Tally tally, int ops) throws SQLException {
    try (PreparedStatement p =
        c.prepareStatement("INSERT INTO " + table + " (thread, seq, payload) VALUES (?, ?, ?)")) {
      Load.work(
          tally,
          ops,
          size.capNanos(),
          (thread, seq) -> {
            p.setInt(1, thread);
            p.setInt(2, seq);
            p.setString(3, Schema.payload(thread, seq));
            p.executeUpdate();
          });
    }
  }

  private Row done(Row row) {
    progress(
        String.format(
            Locale.ROOT,
            "%-20s %-18s %6d ops %5d failed %8.0f ok/s p99 %8s ms  %s  (%.1f s)",
            row.targetLabel(),
            row.workload(),
            row.attempts(),
            row.failures(),
            row.okPerSecond(),
            Row.ms(row.p99()),
            row.verdict().text(),
            row.seconds()));
    return row;
  }

  private void closeSources() {
    for (Contender.Source s : sources.values()) {
      try {
        s.close();
      } catch (RuntimeException e) {
        progress("closing a source failed: " + Tally.signature(e));
      }
    }
  }

  private void report(Path csv, double seconds) throws IOException {
    out(Row.markdownHeader());
    for (Row r : rows) {
      out(r.markdown());
    }
    out("");
    out(
        "ops: attempts; * = stopped by the time cap ("
            + String.format(Locale.ROOT, "%.0f", size.capSeconds())
            + " s) before all planned attempts. Latency: every attempt, failed ones included, from"
            + " getting the connection to closing it (the limit row: one executeUpdate).");
    out("");
    Row limit = find("limit: 1 raw conn", "insert sequential");
    Row sluice32 = find(Contender.SLUICE.label(), "insert 32 thr");
    Row hikari32 = find(Contender.HIKARI.label(), "insert 32 thr");
    if (limit != null && sluice32 != null && limit.okPerSecond() > 0) {
      out(
          String.format(
              Locale.ROOT,
              "The limit: one raw connection inserts %.0f rows/s. Sluice at 32 threads: %.0f ok/s"
                  + " = %.2f x the limit%s.",
              limit.okPerSecond(),
              sluice32.okPerSecond(),
              sluice32.okPerSecond() / limit.okPerSecond(),
              hikari32 == null
                  ? ""
                  : String.format(
                      Locale.ROOT,
                      " (HikariCP+WAL: %.2f x)",
                      hikari32.okPerSecond() / limit.okPerSecond())));
      out("");
    }
    ratios();
    notes();
    try (PrintWriter w =
        new PrintWriter(Files.newBufferedWriter(csv, StandardCharsets.UTF_8), false)) {
      w.println(Row.CSV_HEADER);
      for (Row r : rows) {
        w.println(r.csv());
      }
    }
    Path stacks = csv.resolveSibling("stress-errors.log");
    try (PrintWriter w =
        new PrintWriter(Files.newBufferedWriter(stacks, StandardCharsets.UTF_8), false)) {
      for (Row r : rows) {
        r.stacks()
            .forEach(
                (signature, stack) ->
                    w.println(
                        "== "
                            + r.targetLabel()
                            + " / "
                            + r.workload()
                            + "\n"
                            + signature
                            + "\n"
                            + stack));
      }
    }
    out("CSV: " + csv.toAbsolutePath());
    Path png = csv.resolveSibling("stress-p99.png");
    Plot.p99VsThreads(rows, png);
    out("Plot: " + png.toAbsolutePath());
    out("First stack of every failure kind: " + stacks.toAbsolutePath());
    out(String.format(Locale.ROOT, "Total run time: %.0f s.", seconds));
  }

  /** Sluice against the two others, workload by workload: ok/s and p99 as ratios. */
  private void ratios() {
    out(
        "| workload | ok/s c/a | ok/s c/b | ok/s e/b | p99 c/a | p99 c/b | p99 e/b"
            + " | failed a / b / c / e |");
    out("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
    for (Row c : rows) {
      if (!c.targetLabel().equals(Contender.SLUICE.label())) {
        continue;
      }
      Row a = find(Contender.PLAIN.label(), c.workload());
      Row b = find(Contender.HIKARI.label(), c.workload());
      if (a == null || b == null) {
        continue;
      }
      Row e = find(Contender.SLUICE_IN_HIKARI.label(), c.workload());
      out(
          "| "
              + c.workload()
              + " | "
              + ratio(c.okPerSecond(), a.okPerSecond())
              + " | "
              + ratio(c.okPerSecond(), b.okPerSecond())
              + " | "
              + (e == null ? "-" : ratio(e.okPerSecond(), b.okPerSecond()))
              + " | "
              + ratio(c.p99(), a.p99())
              + " | "
              + ratio(c.p99(), b.p99())
              + " | "
              + (e == null ? "-" : ratio(e.p99(), b.p99()))
              + " | "
              + a.failures()
              + " / "
              + b.failures()
              + " / "
              + c.failures()
              + " / "
              + (e == null ? "-" : e.failures())
              + " |");
    }
    out("");
  }

  private static String ratio(double x, double y) {
    return y <= 0 ? "-" : String.format(Locale.ROOT, "%.2f", x / y);
  }

  /** Failure kinds and invariant problems, row by row. */
  private void notes() {
    boolean any = false;
    for (Row r : rows) {
      if (r.errors().isEmpty() && r.verdict().ok()) {
        continue;
      }
      if (!any) {
        out("Failures and invariant problems:");
        out("");
        any = true;
      }
      StringBuilder b = new StringBuilder("- " + r.targetLabel() + ", " + r.workload() + ":");
      if (!r.verdict().ok()) {
        b.append(" invariant ").append(r.verdict().text()).append(';');
      }
      r.errors().entrySet().stream()
          .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
          .limit(3)
          .forEach(
              e -> b.append(' ').append(e.getValue()).append("x ").append(e.getKey()).append(';'));
      if (r.errors().size() > 3) {
        b.append(" and ").append(r.errors().size() - 3).append(" other kinds");
      }
      out(b.toString());
    }
    if (any) {
      out("");
    }
  }

  private Row find(String target, String workload) {
    for (Row r : rows) {
      if (r.targetLabel().equals(target) && r.workload().equals(workload)) {
        return r;
      }
    }
    return null;
  }

  private static String sqliteVersion() {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:");
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT sqlite_version()")) {
      return rs.next() ? rs.getString(1) : "?";
    } catch (SQLException e) {
      return "? (" + e.getMessage() + ")";
    }
  }

  private static void deleteDatabases(Path dir) throws IOException {
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.db*")) {
      for (Path f : files) {
        if (!f.getFileName().toString().endsWith(".log")) {
          Files.deleteIfExists(f);
        }
      }
    }
  }

  @SuppressWarnings("SystemOut")
  private static void out(String line) {
    System.out.println(line);
  }

  @SuppressWarnings("SystemOut")
  private static void progress(String line) {
    System.err.println(line);
  }
}
