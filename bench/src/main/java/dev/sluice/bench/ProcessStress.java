package dev.sluice.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Several processes writing to one file, compared in interleaved rounds: HikariCP + sqlite-jdbc
 * (b), Sluice (c) and Sluice without the processes' queue (d), each on a fresh file per run, for 4
 * and 8 processes of 4 threads doing auto-commit inserts (a connection per insert); and, as the
 * reference for "N processes write as fast as one", one Sluice process with 16 threads. The machine
 * is shared, so each round runs every target once (b, c, d, b, c, d, ...) and the summary gives the
 * median and the range of each ratio over the rounds, taken within each round.
 *
 * <pre>
 * ./mvnw -q -B -DskipTests -pl bench -am package exec:java -Ddemo.main=dev.sluice.bench.ProcessStress \
 *     -Dexec.args="--rounds 3 --ops 500"
 * </pre>
 *
 * <p>Arguments: {@code --rounds n} (3), {@code --ops n} inserts per thread (500), {@code --dir}.
 * Prints a markdown table per run and a summary on stdout, with the machine's load average before
 * and after (and with each run on stderr). Not thread-safe; a program.
 */
public final class ProcessStress {
  private static final long CAP_NANOS = TimeUnit.SECONDS.toNanos(20);
  private static final long GRACE_NANOS = TimeUnit.SECONDS.toNanos(40);
  private static final int THREADS = 4;
  private static final int[] PROCESSES = {4, 8};
  private static final List<Contender> TARGETS =
      List.of(Contender.HIKARI, Contender.SLUICE, Contender.SLUICE_NO_QUEUE);

  private ProcessStress() {}

  @SuppressWarnings("SystemOut")
  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals(Processes.CHILD)) {
      System.exit(Processes.child(args));
    }
    int rounds = 3;
    int ops = 500;
    Path dir = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--ops" -> ops = Integer.parseInt(args[++i]);
        case "--dir" -> dir = Path.of(args[++i]);
        default ->
            throw new IllegalArgumentException(
                "unknown argument " + args[i] + " (use --rounds n, --ops n, --dir d)");
      }
    }
    if (dir == null) {
      dir = Files.createTempDirectory("sluice-processes-");
    } else {
      Files.createDirectories(dir);
    }
    String classPath = Processes.classPath();
    // Per workload and target: one row per round.
    Map<String, Map<Contender, List<Row>>> results = new LinkedHashMap<>();
    List<Row> all = new ArrayList<>();
    int run = 0;
    String loadBefore = loadAverage();
    for (int round = 0; round < rounds; round++) {
      for (int count : PROCESSES) {
        for (Contender t : TARGETS) {
          Row r = one(dir, run++, t, count, THREADS, ops, classPath);
          all.add(r);
          results
              .computeIfAbsent(r.workload(), w -> new LinkedHashMap<>())
              .computeIfAbsent(t, x -> new ArrayList<>())
              .add(r);
        }
      }
      // The reference: the same 16 writers as 4x4, in one Sluice process.
      Row r = one(dir, run++, Contender.SLUICE, 1, 16, ops, classPath);
      all.add(r);
      results
          .computeIfAbsent(r.workload(), w -> new LinkedHashMap<>())
          .computeIfAbsent(Contender.SLUICE, x -> new ArrayList<>())
          .add(r);
    }
    System.out.println("load average before: " + loadBefore + ", after: " + loadAverage());
    System.out.println(Row.markdownHeader());
    for (Row r : all) {
      System.out.println(r.markdown());
    }
    System.out.println();
    System.out.println(
        "| workload | ratio | median | min | max |\n| --- | --- | ---: | ---: | ---: |");
    List<Row> reference = results.get(Processes.workload(1, 16)).get(Contender.SLUICE);
    for (int count : PROCESSES) {
      Map<Contender, List<Row>> w = results.get(Processes.workload(count, THREADS));
      List<Row> b = w.get(Contender.HIKARI);
      for (Contender t : List.of(Contender.SLUICE, Contender.SLUICE_NO_QUEUE)) {
        List<Row> x = w.get(t);
        String name = Processes.workload(count, THREADS);
        summary(name, t.letter() + "/b ok/s", x, b, Row::okPerSecond);
        summary(name, t.letter() + "/b p99", x, b, Row::p99);
        summary(name, t.letter() + "/b max", x, b, Row::max);
        summary(name, t.letter() + "/1x16 ok/s", x, reference, Row::okPerSecond);
      }
    }
  }

  private static Row one(
      Path dir, int run, Contender t, int count, int threads, int ops, String classPath)
      throws Exception {
    Path file = dir.resolve("run-" + run + "-" + t.letter() + "-" + count + "x" + threads + ".db");
    Schema.create(
        file,
        t.wal(),
        c -> {
          try (Statement s = c.createStatement()) {
            Schema.insertTable(s, "proc");
            Schema.insertTable(s, "proc" + Processes.WARM_SUFFIX);
          }
        });
    Row r = Processes.run(t, file, "proc", count, threads, ops, CAP_NANOS, GRACE_NANOS, classPath);
    System.err.printf(
        Locale.ROOT,
        "%-20s %-16s %7.0f ok/s p99 %8s max %8s failed %d %s (load %s)%n",
        r.targetLabel(),
        r.workload(),
        r.okPerSecond(),
        Row.ms(r.p99()),
        Row.ms(r.max()),
        r.failures(),
        r.verdict().text(),
        loadAverage());
    return r;
  }

  /**
   * The machine's load ({@code /proc/loadavg}: 1, 5 and 15 minute averages), or "unknown" where
   * there is none: the runs are only comparable within one machine state.
   */
  private static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ", -1);
      return f[0] + " " + f[1] + " " + f[2];
    } catch (java.io.IOException | RuntimeException e) {
      return "unknown";
    }
  }

  /** Median and range over the rounds of x's value divided by y's value of the same round. */
  @SuppressWarnings("SystemOut")
  private static void summary(
      String workload,
      String ratio,
      List<Row> x,
      List<Row> y,
      java.util.function.ToDoubleFunction<Row> f) {
    List<Double> values = new ArrayList<>();
    for (int i = 0; i < Math.min(x.size(), y.size()); i++) {
      double d = f.applyAsDouble(y.get(i));
      if (d > 0) {
        values.add(f.applyAsDouble(x.get(i)) / d);
      }
    }
    if (values.isEmpty()) {
      return;
    }
    Collections.sort(values);
    System.out.printf(
        Locale.ROOT,
        "| %s | %s | %.2f | %.2f | %.2f |%n",
        workload,
        ratio,
        values.get(values.size() / 2),
        values.get(0),
        values.get(values.size() - 1));
  }
}
