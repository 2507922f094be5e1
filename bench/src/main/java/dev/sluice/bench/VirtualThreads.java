package dev.sluice.bench;

import dev.sluice.SluiceDataSource;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

/**
 * Issue 22: thousands of virtual threads on SQLite, through HikariCP + sqlite-jdbc and through
 * Sluice, driven by the same code. Each virtual thread loops over three operations until the time
 * is up: an auto-commit read of the ledger's total, an auto-commit insert, and a read-then-write
 * transaction moving money between two accounts; each borrows a connection and returns it. The
 * targets are {@link Target#HIKARI} (pool of 10, WAL, synchronous=NORMAL, sqlite-jdbc's 3 s
 * busy_timeout) and {@link Target#SLUICE} (defaults), alternated round by round on a fresh file.
 *
 * <p>Per run: operations that succeeded per second, failures by SQLite code (vendor code and
 * SQLState), p50, p99 and maximum latency of successful operations counted from when the thread
 * wanted them (see {@link #work}), the p99 of all operations with each failure counted as never
 * served ("failed" when more than 1 % failed: a caller who must retry waits longer than any
 * success), the mean time inside an operation, the threads that got to run no operation at all
 * (virtual threads are not time-sliced: a thread that never parks keeps its carrier, and a pool
 * that never makes a borrower park starves every other thread), and what JFR saw of pinning: {@code
 * jdk.VirtualThreadPinned} events (threshold 0) and the most of them that overlapped in time, the
 * most carriers a pinned wait held at once. After each run a plain connection checks the
 * invariants: money conserved and exactly the acknowledged inserts stored; a broken invariant exits
 * with status 1. Two more columns tell where a tail comes from: the p99 of each operation alone (a
 * read that waits as long as a write did not wait for the writer), and the process's CPU time per
 * successful operation (every thread, the JVM's own included: how near the cores are to full). The
 * last says how many garbage collections fell into the round and how long they took: a young
 * collection of 5-15 ms delays every operation wanted meanwhile, a p99 of its own. The very last is
 * the size of the log file at the end of the round, the most it grew to (neither target truncates
 * it until it closes): a log never restarted grows with every write, and every read then searches a
 * longer one. Then the bytes the process allocated per successful operation (what brings the
 * collections on). At the end, per target, the p99 of all rounds' operations together: one 6 s
 * round holds 60,000 operations at 10,000 a second, and a single collection or stall of the machine
 * that falls into one target's round and not the other's decides that round's p99.
 *
 * <p>Needs a JDK 21 or newer at run time; it compiles with {@code release 17} and reaches {@code
 * Executors.newVirtualThreadPerTaskExecutor} through a method handle. Run from the project root
 * with a JDK 25 ({@code .ci/run} does this when one is installed):
 *
 * <pre>
 * ./mvnw -q -B -DskipTests -pl bench -am package exec:exec \
 *     -Dexec.executable=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java \
 *     -Dexec.args="-cp %classpath dev.sluice.bench.VirtualThreads --seconds 10 --rounds 2"
 * </pre>
 *
 * <p>Arguments: {@code --threads N} (default 2000), {@code --seconds N} per run (default 10),
 * {@code --rounds N} (default 2), {@code --only read|insert|transfer} runs one operation instead of
 * the three in turn, {@code --sluice name=value} (repeatable) builds Sluice with that option,
 * {@code --warmup N} seconds per target before the rounds, not reported, each thread as fast as it
 * can, then as long again at the rounds' pace when they are paced (default 3). Not part of the
 * tests. {@code --target sluice|hikari} runs one target alone (for a profiler attached to the
 * process). {@code --pace MS}: each thread wants one operation every MS milliseconds instead of one
 * after another (an offered load of threads x 1000 / MS operations a second, below what either
 * target can serve when MS is large enough, so the latencies are those of a loaded server rather
 * than of a saturated one). {@code --retry N}: an operation failing with SQLITE_BUSY or
 * SQLITE_LOCKED runs again at once, up to N attempts in all, for both targets (see {@link #work}):
 * what an application on HikariCP must do with the read-then-write transactions it loses, and its
 * latencies then include the attempts that failed. Thread-safe where it must be: counters are
 * concurrent; each worker owns its latencies, merged after the workers are joined.
 */
public final class VirtualThreads {
  private static final int ACCOUNTS = 50;
  private static final long OPENING_BALANCE = 1_000;
  private static final long JOIN_GRACE_SECONDS = 120;

  private final int threads;
  private final long seconds;

  private final Map<String, String> sluiceOptions;
  private final String only;
  private final long paceNanos;
  private final int attempts;

  private VirtualThreads(
      int threads,
      long seconds,
      Map<String, String> sluiceOptions,
      String only,
      long paceNanos,
      int attempts) {
    this.threads = threads;
    this.seconds = seconds;
    this.sluiceOptions = sluiceOptions;
    this.only = only;
    this.paceNanos = paceNanos;
    this.attempts = attempts;
  }

  /** What one run measured. */
  private record Result(
      Target target,
      long ok,
      double okPerSecond,
      Map<String, Long> failures,
      long p50Micros,
      long p99Micros,
      long p99CountingFailuresMicros,
      long meanMicros,
      long maxMillis,
      int starved,
      long medianThreadWorstMillis,
      long pinnedEvents,
      int pinnedAtOnce,
      String p99ByOpMicros,
      long cpuMicrosPerOp,
      String gcs,
      long retried,
      long walMiB,
      long bytesPerOp,
      Latencies latencies) {

    long failed() {
      return failures.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  public static void main(String[] args) throws Throwable {
    int threads = 2_000;
    long seconds = 10;
    int rounds = 2;
    long warmUp = 3;
    Map<String, String> sluiceOptions = new TreeMap<>();
    String only = "";
    long paceMillis = 0;
    String targets = "both";
    int attempts = 1;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--threads" -> threads = Integer.parseInt(args[++i]);
        case "--seconds" -> seconds = Long.parseLong(args[++i]);
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--warmup" -> warmUp = Long.parseLong(args[++i]);
        case "--only" -> only = args[++i];
        case "--pace" -> paceMillis = Long.parseLong(args[++i]);
        case "--target" -> targets = args[++i];
        case "--retry" -> attempts = Integer.parseInt(args[++i]);
        case "--sluice" -> {
          String[] kv = args[++i].split("=", 2);
          sluiceOptions.put(kv[0], kv[1]);
        }
        default ->
            throw new IllegalArgumentException(
                "unknown argument "
                    + args[i]
                    + " (use --threads N, --seconds N, --rounds N, --warmup N, --sluice k=v,"
                    + " --only read|insert|transfer, --pace MS, --target sluice|hikari,"
                    + " --retry ATTEMPTS)");
      }
    }
    if (Runtime.version().feature() < 21) {
      System.out.println(
          "virtual threads need JDK 21 or newer; this is " + Runtime.version() + ": skipped");
      return;
    }
    long pace = TimeUnit.MILLISECONDS.toNanos(paceMillis);
    VirtualThreads bench =
        new VirtualThreads(threads, seconds, sluiceOptions, only, pace, attempts);
    System.out.printf(
        Locale.ROOT,
        "JDK %s, %d cores, %d virtual threads, %d s per run, %d rounds, Sluice options %s%s%s%s%n",
        Runtime.version(),
        Runtime.getRuntime().availableProcessors(),
        threads,
        seconds,
        rounds,
        sluiceOptions,
        only.isEmpty() ? "" : ", only " + only,
        pace == 0
            ? ", each thread as fast as it can"
            : String.format(
                Locale.ROOT,
                ", each thread one operation every %d ms (%.0f ops/s offered)",
                paceMillis,
                threads * 1_000.0 / paceMillis),
        attempts <= 1
            ? ""
            : ", an operation failing with SQLITE_BUSY or SQLITE_LOCKED run again at once, up to "
                + attempts
                + " attempts");
    System.out.println(
        "| round | target | ok ops/s | failed | p50 us | p99 us | p99 us, a failure never served |"
            + " mean us in op | max ms | threads that"
            + " ran no op | worst wait of the median thread, ms | pinned events | pinned at once |"
            + " p99 us read / insert / transfer | process CPU us per ok op |"
            + " collections in the round, their ms | attempts run again | WAL file, MiB |"
            + " bytes allocated per ok op |");
    System.out.println(
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    List<Double> throughputRatios = new ArrayList<>();
    List<Double> p99Ratios = new ArrayList<>();
    List<String> p99CountingFailures = new ArrayList<>();
    // every successful operation of every round, and the failures, per target
    Latencies hikariAll = new Latencies();
    Latencies sluiceAll = new Latencies();
    long hikariFailed = 0;
    long sluiceFailed = 0;
    boolean whole = true;
    if (!targets.equals("both")) {
      // one target alone, for a profiler attached to the whole process
      Target target = targets.equals("hikari") ? Target.HIKARI : Target.SLUICE;
      bench.warmUp(target, warmUp);
      for (int round = 1; round <= rounds; round++) {
        print(round, bench.run(target));
      }
      return;
    }
    bench.warmUp(Target.HIKARI, warmUp);
    bench.warmUp(Target.SLUICE, warmUp);
    for (int round = 1; round <= rounds; round++) {
      Result hikari = bench.run(Target.HIKARI);
      print(round, hikari);
      Result sluice = bench.run(Target.SLUICE);
      print(round, sluice);
      throughputRatios.add(sluice.okPerSecond() / hikari.okPerSecond());
      p99Ratios.add((double) sluice.p99Micros() / Math.max(1, hikari.p99Micros()));
      p99CountingFailures.add(
          sluice.p99CountingFailuresMicros() < 0 || hikari.p99CountingFailuresMicros() < 0
              ? micros(sluice.p99CountingFailuresMicros())
                  + " / "
                  + micros(hikari.p99CountingFailuresMicros())
              : String.format(
                  Locale.ROOT,
                  "%.2fx",
                  (double) sluice.p99CountingFailuresMicros()
                      / Math.max(1, hikari.p99CountingFailuresMicros())));
      whole &= hikari.ok() > 0 && sluice.ok() > 0;
      hikariAll.addAll(hikari.latencies());
      sluiceAll.addAll(sluice.latencies());
      hikariFailed += hikari.failed();
      sluiceFailed += sluice.failed();
    }
    System.out.printf(
        Locale.ROOT,
        "Sluice / HikariCP ok ops/s per round: %s; p99 ratio per round: %s;"
            + " p99 counting failures as never served, per round: %s%n",
        format(throughputRatios),
        format(p99Ratios),
        String.join(", ", p99CountingFailures));
    long sluiceFailedP99 = sluiceAll.percentileCountingFailures(99, sluiceFailed);
    long hikariFailedP99 = hikariAll.percentileCountingFailures(99, hikariFailed);
    System.out.printf(
        Locale.ROOT,
        "All rounds together (%d and %d successful operations): p99 Sluice %d us, HikariCP %d us"
            + " (%.2fx); counting failures as never served: Sluice %s us, HikariCP %s us%n",
        sluiceAll.size(),
        hikariAll.size(),
        sluiceAll.percentile(99) / 1_000,
        hikariAll.percentile(99) / 1_000,
        (double) sluiceAll.percentile(99) / Math.max(1, hikariAll.percentile(99)),
        micros(sluiceFailedP99 < 0 ? -1 : sluiceFailedP99 / 1_000),
        micros(hikariFailedP99 < 0 ? -1 : hikariFailedP99 / 1_000));
    if (!whole) {
      System.exit(1);
    }
  }

  /**
   * JIT and page cache for one target; not reported. Flat out first: a paced warm-up alone runs too
   * few operations for the JIT, and the first paced round then measured compilation (a read's p99
   * at 5,000 reads a second: 4.2 ms in the first round, 0.19 ms in the second, against HikariCP's
   * 0.18 and 0.19 ms). Then, when the rounds are paced, as long again at their pace: a loaded
   * server runs paths a saturated one does not (a write that finds the writer free, the light
   * checkpoints), and without it the first paced round of either target still compiled them (p99 at
   * 10,000 operations a second: 2.6-3.5 ms in the first of four rounds, 0.7-1.2 ms in the other
   * three, both targets).
   */
  private void warmUp(Target target, long warmUpSeconds) throws Throwable {
    if (warmUpSeconds <= 0) {
      return;
    }
    Result unused =
        new VirtualThreads(threads, warmUpSeconds, sluiceOptions, only, 0, attempts).run(target);
    if (paceNanos > 0) {
      unused =
          new VirtualThreads(threads, warmUpSeconds, sluiceOptions, only, paceNanos, attempts)
              .run(target);
    }
  }

  private static void print(int round, Result r) {
    System.out.printf(
        Locale.ROOT,
        "| %d | %s | %.0f | %d %s | %d | %d | %s | %d | %d | %d | %d | %d | %d | %s | %d | %s | %d | %d"
            + " | %d |%n",
        round,
        r.target() == Target.HIKARI ? "HikariCP + sqlite-jdbc" : "Sluice",
        r.okPerSecond(),
        r.failed(),
        r.failures().isEmpty() ? "" : r.failures().toString(),
        r.p50Micros(),
        r.p99Micros(),
        micros(r.p99CountingFailuresMicros()),
        r.meanMicros(),
        r.maxMillis(),
        r.starved(),
        r.medianThreadWorstMillis(),
        r.pinnedEvents(),
        r.pinnedAtOnce(),
        r.p99ByOpMicros(),
        r.cpuMicrosPerOp(),
        r.gcs(),
        r.retried(),
        r.walMiB(),
        r.bytesPerOp());
  }

  /** Microseconds, or "failed" where the percentile's rank fell on a failed operation. */
  private static String micros(long value) {
    return value < 0 ? "failed" : Long.toString(value);
  }

  private static String format(List<Double> ratios) {
    StringBuilder b = new StringBuilder();
    for (double r : ratios) {
      b.append(b.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.2fx", r));
    }
    return b.toString();
  }

  private Result run(Target target) throws Throwable {
    Path dir = Files.createTempDirectory("sluice-vthreads-");
    Path file = dir.resolve("bench.db");
    createSchema(file);
    Counts counts = new Counts();
    Map<String, LongAdder> failures = new ConcurrentHashMap<>();
    Latencies all = new Latencies();
    Latencies[] byOp = {new Latencies(), new Latencies(), new Latencies()};
    Path jfr = dir.resolve("pinned.jfr");
    long ok;
    long elapsedNanos;
    long cpuNanos;
    String gcs;
    long walBytes;
    long allocated;
    try (Target.Source source = open(target, file);
        Recording recording = new Recording()) {
      recording.enable("jdk.VirtualThreadPinned").withThreshold(Duration.ZERO).withStackTrace();
      recording.start();
      ExecutorService pool = newVirtualThreadPerTaskExecutor();
      List<Future<Latencies[]>> futures = new ArrayList<>(threads);
      CountDownLatch start = new CountDownLatch(1);
      // began and deadline, set before the latch opens (which publishes them)
      long[] times = new long[2];
      for (int t = 0; t < threads; t++) {
        int me = t;
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  long offset = paceNanos * me / threads;
                  return work(
                      source, me, kind(only), times, paceNanos, offset, attempts, counts, failures);
                }));
      }
      long[] gcBefore = collections();
      long cpuBefore = processCpuNanos();
      long allocatedBefore = allocatedBytes();
      long began = System.nanoTime();
      times[0] = began;
      times[1] = began + TimeUnit.SECONDS.toNanos(seconds);
      start.countDown();
      for (Future<Latencies[]> f : futures) {
        Latencies[] mine = f.get(seconds + JOIN_GRACE_SECONDS, TimeUnit.SECONDS);
        for (int op = 0; op < byOp.length; op++) {
          all.addAll(mine[op]);
          byOp[op].addAll(mine[op]);
        }
      }
      elapsedNanos = System.nanoTime() - began;
      cpuNanos = processCpuNanos() - cpuBefore;
      allocated = allocatedBytes() - allocatedBefore;
      long[] gcAfter = collections();
      gcs = (gcAfter[0] - gcBefore[0]) + " / " + (gcAfter[1] - gcBefore[1]);
      pool.shutdown();
      pool.awaitTermination(10, TimeUnit.SECONDS);
      recording.stop();
      recording.dump(jfr);
      ok = counts.ok.sum();
      // before the source closes (Sluice's close checkpoints and truncates it)
      Path wal = dir.resolve("bench.db-wal");
      walBytes = Files.exists(wal) ? Files.size(wal) : 0;
    }
    long[] pinned = pinning(jfr);
    checkInvariants(file, counts.inserted.sum());
    deleteTree(dir);
    Map<String, Long> failed = new TreeMap<>();
    failures.forEach((k, v) -> failed.put(k, v.sum()));
    return new Result(
        target,
        ok,
        ok / (elapsedNanos / 1e9),
        failed,
        all.percentile(50) / 1_000,
        all.percentile(99) / 1_000,
        p99CountingFailures(all, failed),
        counts.busyNanos.sum() / Math.max(1, ok) / 1_000,
        all.percentile(100) / 1_000_000,
        counts.starved.intValue(),
        counts.worstPerThread.percentile(50) / 1_000_000,
        pinned[0],
        (int) pinned[1],
        byOp[0].percentile(99) / 1_000
            + " / "
            + byOp[1].percentile(99) / 1_000
            + " / "
            + byOp[2].percentile(99) / 1_000,
        cpuNanos / Math.max(1, ok) / 1_000,
        gcs,
        counts.retried.sum(),
        walBytes >> 20,
        allocated / Math.max(1, ok),
        all);
  }

  /** Collections so far and their total time in ms, all collectors. */
  private static long[] collections() {
    long count = 0;
    long millis = 0;
    for (java.lang.management.GarbageCollectorMXBean gc :
        java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
      count += Math.max(0, gc.getCollectionCount());
      millis += Math.max(0, gc.getCollectionTime());
    }
    return new long[] {count, millis};
  }

  /**
   * Bytes allocated so far by every thread of the process; a virtual thread allocates in its
   * carrier's buffers, so its bytes are counted there.
   */
  private static long allocatedBytes() {
    return ((com.sun.management.ThreadMXBean)
            java.lang.management.ManagementFactory.getThreadMXBean())
        .getTotalThreadAllocatedBytes();
  }

  /** CPU time of the whole process so far (all threads, the JVM's own included), in ns. */
  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static long p99CountingFailures(Latencies all, Map<String, Long> failed) {
    long failures = failed.values().stream().mapToLong(Long::longValue).sum();
    long nanos = all.percentileCountingFailures(99, failures);
    return nanos < 0 ? -1 : nanos / 1_000;
  }

  /** The target, or for Sluice with options, a data source built with them. */
  private Target.Source open(Target target, Path file) throws SQLException {
    if (target != Target.SLUICE || sluiceOptions.isEmpty()) {
      return target.open(file);
    }
    SluiceDataSource.Builder builder = SluiceDataSource.builder().url("jdbc:sqlite:" + file);
    sluiceOptions.forEach(builder::option);
    SluiceDataSource ds = builder.build();
    return new Target.Source() {
      @Override
      public Connection borrow() throws SQLException {
        return ds.getConnection();
      }

      @Override
      public void release(Connection c) throws SQLException {
        c.close();
      }

      @Override
      public void close() throws SQLException {
        ds.close();
      }
    };
  }

  private static ExecutorService newVirtualThreadPerTaskExecutor() throws Throwable {
    MethodHandle factory =
        MethodHandles.publicLookup()
            .findStatic(
                Executors.class,
                "newVirtualThreadPerTaskExecutor",
                MethodType.methodType(ExecutorService.class));
    return (ExecutorService) factory.invokeExact();
  }

  /** Counters shared by the workers of one run. */
  private static final class Counts {
    final LongAdder ok = new LongAdder();
    final LongAdder inserted = new LongAdder();
    final LongAdder busyNanos = new LongAdder();
    final LongAdder starved = new LongAdder();
    final LongAdder retried = new LongAdder();
    final Latencies worstPerThread = new Latencies();
  }

  /**
   * One virtual thread's loop. Returns the latency of each successful operation, by operation
   * (read, insert, transfer), measured from when the thread wanted it: the first from the common
   * start (so a thread that waited for a carrier or a connection is charged for it), the others
   * from the end of the previous one. A thread that never got to run an operation contributes the
   * whole run as one sample and counts as starved.
   *
   * <p>With a pace, the thread wants an operation every {@code paceNanos} from {@code began +
   * offset} (offsets spread the threads over one pace), sleeps until then, and each latency counts
   * from the wanted time, so an operation late because the one before took long is charged for the
   * backlog (no coordinated omission).
   *
   * <p>With more than one attempt, an operation that fails with SQLITE_BUSY or SQLITE_LOCKED
   * (vendor code 5 or 6, or SQLState 40001) runs again at once, as an application that retries its
   * unit does (a loop, Spring's {@code @Retryable} without a back-off): its latency then runs to
   * the end of the attempt that succeeded, and it counts as failed only when every attempt failed.
   * A failed attempt changed nothing (the insert's row and the transfer were rolled back), so
   * running it again keeps the invariants.
   */
  private static Latencies[] work(
      Target.Source source,
      int me,
      int kind,
      long[] times,
      long paceNanos,
      long offset,
      int attempts,
      Counts counts,
      Map<String, LongAdder> failures)
      throws InterruptedException {
    Latencies[] mine = {new Latencies(), new Latencies(), new Latencies()};
    SplittableRandom random = new SplittableRandom(me);
    long began = times[0];
    long deadline = times[1];
    long next = began + offset;
    int seq = 0;
    boolean first = true;
    for (int op = kind < 0 ? me % 3 : kind;
        System.nanoTime() < deadline;
        op = kind < 0 ? (op + 1) % 3 : kind) {
      if (paceNanos > 0) {
        if (next >= deadline) {
          break;
        }
        long early = next - System.nanoTime();
        if (early > 0) {
          Thread.sleep(early / 1_000_000, (int) (early % 1_000_000));
        }
      }
      long t0 = System.nanoTime();
      long wanted = paceNanos > 0 ? next : first ? began : t0;
      next += paceNanos;
      first = false;
      for (int attempt = 1; ; attempt++) {
        try {
          switch (op) {
            case 0 -> readTotal(source);
            case 1 -> {
              insert(source, me, seq);
              seq++;
              counts.inserted.increment();
            }
            default -> transfer(source, random);
          }
          long done = System.nanoTime();
          mine[op].add(done - wanted);
          counts.busyNanos.add(done - t0);
          counts.ok.increment();
          break;
        } catch (SQLException e) {
          if (attempt < attempts && busy(e)) {
            counts.retried.increment();
            continue;
          }
          if (op == 1) {
            seq++;
          }
          String failure =
              "code " + e.getErrorCode() + (e.getSQLState() == null ? "" : "/" + e.getSQLState());
          failures.computeIfAbsent(failure, k -> new LongAdder()).increment();
          break;
        }
      }
    }
    if (first) {
      mine[kind < 0 ? me % 3 : kind].add(deadline - began);
      counts.starved.increment();
    }
    long worst =
        Math.max(
            mine[0].percentile(100), Math.max(mine[1].percentile(100), mine[2].percentile(100)));
    synchronized (counts.worstPerThread) {
      counts.worstPerThread.add(worst);
    }
    return mine;
  }

  /** SQLITE_BUSY or SQLITE_LOCKED as either driver reports it: a unit worth running again. */
  private static boolean busy(SQLException e) {
    int code = e.getErrorCode() & 0xff;
    return code == 5 || code == 6 || "40001".equals(e.getSQLState());
  }

  /** The operation {@code --only} names, or -1 for all three in turn. */
  private static int kind(String only) {
    return switch (only) {
      case "" -> -1;
      case "read" -> 0;
      case "insert" -> 1;
      case "transfer" -> 2;
      default -> throw new IllegalArgumentException("--only read|insert|transfer, not " + only);
    };
  }

  private static long readTotal(Target.Source source) throws SQLException {
    Connection c = source.borrow();
    try (Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT sum(balance) FROM account")) {
      r.next();
      long total = r.getLong(1);
      if (total != ACCOUNTS * OPENING_BALANCE) {
        throw new IllegalStateException("a read saw " + total + " in the ledger");
      }
      return total;
    } finally {
      source.release(c);
    }
  }

  private static void insert(Target.Source source, int thread, int seq) throws SQLException {
    Connection c = source.borrow();
    try (PreparedStatement ps =
        c.prepareStatement("INSERT INTO item (thread, seq) VALUES (?, ?)")) {
      ps.setInt(1, thread);
      ps.setInt(2, seq);
      ps.executeUpdate();
    } finally {
      source.release(c);
    }
  }

  private static void transfer(Target.Source source, SplittableRandom random) throws SQLException {
    int from = 1 + random.nextInt(ACCOUNTS);
    int to = 1 + random.nextInt(ACCOUNTS);
    Connection c = source.borrow();
    try {
      c.setAutoCommit(false);
      try {
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
          move.executeUpdate();
          move.setLong(1, amount);
          move.setInt(2, to);
          move.executeUpdate();
        }
        c.commit();
      } catch (SQLException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    } finally {
      source.release(c);
    }
  }

  /**
   * The number of {@code jdk.VirtualThreadPinned} events and the most that overlapped in time (a
   * sweep over their start and end instants).
   */
  private static long[] pinning(Path jfr) throws IOException {
    List<RecordedEvent> events = RecordingFile.readAllEvents(jfr);
    List<long[]> edges = new ArrayList<>();
    for (RecordedEvent e : events) {
      if (e.getEventType().getName().equals("jdk.VirtualThreadPinned")) {
        edges.add(new long[] {nanos(e.getStartTime()), 1});
        edges.add(new long[] {nanos(e.getEndTime()), -1});
      }
    }
    edges.sort(Comparator.<long[]>comparingLong(x -> x[0]).thenComparingLong(x -> x[1]));
    long now = 0;
    long most = 0;
    for (long[] edge : edges) {
      now += edge[1];
      most = Math.max(most, now);
    }
    return new long[] {edges.size() / 2, most};
  }

  private static long nanos(Instant i) {
    return i.getEpochSecond() * 1_000_000_000L + i.getNano();
  }

  private static void createSchema(Path file) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file + "?journal_mode=WAL");
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE account (id INTEGER PRIMARY KEY, balance INTEGER NOT NULL)");
      s.execute(
          "CREATE TABLE item (id INTEGER PRIMARY KEY, thread INTEGER NOT NULL,"
              + " seq INTEGER NOT NULL, UNIQUE (thread, seq))");
      for (int i = 1; i <= ACCOUNTS; i++) {
        s.executeUpdate("INSERT INTO account VALUES (" + i + ", " + OPENING_BALANCE + ")");
      }
    }
  }

  private static void checkInvariants(Path file, long inserted) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement s = c.createStatement();
        ResultSet r =
            s.executeQuery(
                "SELECT (SELECT sum(balance) FROM account), (SELECT min(balance) FROM account),"
                    + " (SELECT count(*) FROM item)")) {
      r.next();
      if (r.getLong(1) != ACCOUNTS * OPENING_BALANCE
          || r.getLong(2) < 0
          || r.getLong(3) != inserted) {
        System.out.printf(
            Locale.ROOT,
            "INVARIANT BROKEN: money %d (want %d), lowest balance %d, rows %d (acknowledged %d)%n",
            r.getLong(1),
            ACCOUNTS * OPENING_BALANCE,
            r.getLong(2),
            r.getLong(3),
            inserted);
        System.exit(1);
      }
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
