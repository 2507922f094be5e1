package dev.sluice.bench;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The several-processes workload: child JVMs on the same class path, each opening the target on one
 * shared file and inserting from {@code threads} threads (worker {@code child * threads + t}, each
 * with its own tally and result line). The parent starts them, waits until every child has opened
 * its target, releases them together, and sums the one result line each prints. Every wait is
 * bounded; a child that does not answer is killed and counted as hung.
 *
 * <p>Thread-safe: each run has its own processes.
 */
final class Processes {
  static final String CHILD = "--child";
  private static final long READY_TIMEOUT_SECONDS = 60;

  private Processes() {}

  /**
   * Runs {@code count} child processes of {@code threads} threads, {@code ops} inserts each, into
   * {@code table}.
   */
  static Row run(
      Contender target,
      Path file,
      String table,
      int count,
      int threads,
      int ops,
      long capNanos,
      long graceNanos,
      String classPath)
      throws IOException, InterruptedException {
    String workload = workload(count, threads);
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<Process> processes = new ArrayList<>();
    List<BlockingQueue<String>> lines = new ArrayList<>();
    List<Path> logs = new ArrayList<>();
    try {
      for (int i = 0; i < count; i++) {
        Path log = file.resolveSibling(file.getFileName() + "-child-" + i + ".log");
        logs.add(log);
        ProcessBuilder pb =
            new ProcessBuilder(
                    java.toString(),
                    "-Xmx256m",
                    "-cp",
                    classPath,
                    Stress.class.getName(),
                    CHILD,
                    target.name(),
                    file.toString(),
                    table,
                    Integer.toString(i),
                    Integer.toString(threads),
                    Integer.toString(ops),
                    Long.toString(capNanos))
                .redirectError(log.toFile());
        Process p = pb.start();
        processes.add(p);
        BlockingQueue<String> queue = new LinkedBlockingQueue<>();
        lines.add(queue);
        Thread reader =
            new Thread(
                () -> {
                  try (BufferedReader r =
                      new BufferedReader(
                          new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line = r.readLine(); line != null; line = r.readLine()) {
                      queue.add(line);
                    }
                  } catch (IOException e) {
                    queue.add("EXIT " + e);
                  }
                  queue.add("EXIT");
                },
                "stress-child-" + i);
        reader.setDaemon(true);
        reader.start();
      }
      for (int i = 0; i < count; i++) {
        String ready =
            await(lines.get(i), "READY", TimeUnit.SECONDS.toNanos(READY_TIMEOUT_SECONDS));
        if (ready == null || !ready.equals("READY")) {
          return Row.broken(
              target.label(),
              workload,
              count,
              new IllegalStateException(
                  "child " + i + " did not get ready (" + ready + "): " + tail(logs.get(i))));
        }
      }
      for (Process p : processes) {
        OutputStream in = p.getOutputStream();
        in.write("GO\n".getBytes(StandardCharsets.UTF_8));
        in.flush();
      }
      List<Tally> tallies = new ArrayList<>();
      int hung = 0;
      long elapsed = 0;
      long answerBy = System.nanoTime() + capNanos + graceNanos;
      for (int i = 0; i < count; i++) {
        for (int t = 0; t < threads; t++) {
          String result = await(lines.get(i), "RESULT", Math.max(1, answerBy - System.nanoTime()));
          if (result == null) {
            hung++;
            continue;
          }
          if (!result.startsWith("RESULT")) {
            tallies.add(lost(i, "ended without a result (" + result + "): " + tail(logs.get(i))));
            break;
          }
          try {
            Tally tally = Tally.decode(result);
            tallies.add(tally);
            elapsed = Math.max(elapsed, tally.elapsedNanos);
          } catch (IllegalArgumentException e) {
            tallies.add(lost(i, "unreadable result: " + e.getMessage()));
          }
        }
      }
      double seconds = hung > 0 ? (capNanos + graceNanos) / 1e9 : elapsed / 1e9;
      Check.Verdict verdict = Check.inserts(file, table, tallies);
      return Row.of(
          target.label(),
          workload,
          count * threads,
          (long) count * threads * ops,
          seconds,
          hung,
          tallies,
          verdict);
    } finally {
      for (Process p : processes) {
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
          p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      }
    }
  }

  /** The workload's name in tables: {@code insert 4 proc} or {@code insert 4x4 proc}. */
  static String workload(int count, int threads) {
    return threads == 1 ? "insert " + count + " proc" : "insert " + count + "x" + threads + " proc";
  }

  /** A child whose outcome is unknown: one failure that says why. */
  private static Tally lost(int child, String why) {
    Tally t = new Tally(child);
    t.attempts = 1;
    t.failures = 1;
    t.errors.put("child " + child + " " + why, 1L);
    return t;
  }

  /** The first line starting with {@code prefix} (or the EXIT marker), or null on timeout. */
  private static String await(BlockingQueue<String> queue, String prefix, long nanos)
      throws InterruptedException {
    long until = System.nanoTime() + nanos;
    while (true) {
      String line = queue.poll(Math.max(0, until - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (line == null || line.startsWith(prefix) || line.startsWith("EXIT")) {
        return line;
      }
    }
  }

  private static String tail(Path log) {
    try {
      List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join(" / ", all.subList(Math.max(0, all.size() - 5), all.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /**
   * The class path for a child JVM. {@code java.class.path} when the program was started by {@code
   * java -cp}; under {@code mvn exec:java} the program runs inside Maven's JVM, whose class path is
   * Maven's launcher, so the path is taken from the class loader that loaded this class.
   */
  static String classPath() {
    String own = System.getProperty("java.class.path", "");
    String self = location(Stress.class);
    for (String entry : own.split(File.pathSeparator, -1)) {
      if (!entry.isEmpty() && Path.of(entry).toAbsolutePath().toString().equals(self)) {
        return own;
      }
    }
    if (Stress.class.getClassLoader() instanceof URLClassLoader loader) {
      List<String> entries = new ArrayList<>();
      for (URL url : loader.getURLs()) {
        try {
          entries.add(Path.of(url.toURI()).toString());
        } catch (URISyntaxException | IllegalArgumentException e) {
          // Not a file: a child JVM could not use it anyway.
        }
      }
      return String.join(File.pathSeparator, entries);
    }
    return own;
  }

  private static String location(Class<?> type) {
    try {
      return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI())
          .toAbsolutePath()
          .toString();
    } catch (URISyntaxException | RuntimeException e) {
      return "";
    }
  }

  /**
   * The child side: {@code --child <target> <file> <table> <child> <threads> <ops> <capNanos>}.
   * Opens the target, says READY, waits for GO on stdin, inserts from its threads, prints one
   * RESULT line per thread, and exits. Failure stacks go to stderr (the child's log file).
   */
  /** The suffix of the table each child warms up on before its start line. */
  static final String WARM_SUFFIX = "_warm";

  /** Inserts each child runs on the warm-up table before its start line. */
  private static final int WARM_OPS = 500;

  @SuppressWarnings("SystemOut")
  static int child(String[] args) {
    PrintStream out = System.out;
    try {
      Contender target = Contender.valueOf(args[1]);
      Path file = Path.of(args[2]);
      String table = args[3];
      int child = Integer.parseInt(args[4]);
      int threads = Integer.parseInt(args[5]);
      int ops = Integer.parseInt(args[6]);
      long capNanos = Long.parseLong(args[7]);
      try (Contender.Source source = target.open(file, "child-" + child)) {
        // Open the pool or engine before the start line, as the in-process runs do, and let the
        // JIT compile the insert path on a table no check reads: a process's first inserts
        // otherwise run interpreted while the compiler threads of every process share the cores.
        try (Connection c = source.connection()) {
          c.isValid(5);
        }
        Load.Op warm = Schema.insert(source, table + WARM_SUFFIX);
        for (int i = 0; i < WARM_OPS; i++) {
          try {
            warm.run(-1 - child, i);
          } catch (Exception e) {
            // Warm-up only: a plain sqlite-jdbc child may meet another's lock here.
          }
        }
        out.println("READY");
        out.flush();
        BufferedReader in =
            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String go = in.readLine();
        if (!"GO".equals(go)) {
          return 2;
        }
        Load.Op insert = Schema.insert(source, table);
        List<Tally> tallies = new ArrayList<>();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          Tally tally = new Tally(child * threads + t);
          tallies.add(tally);
          Thread w = new Thread(() -> Load.work(tally, ops, capNanos, insert), "worker-" + t);
          workers.add(w);
        }
        workers.forEach(Thread::start);
        for (Thread w : workers) {
          w.join(TimeUnit.NANOSECONDS.toMillis(capNanos) + TimeUnit.MINUTES.toMillis(2));
        }
        for (Tally tally : tallies) {
          out.println(tally.encode());
          tally.firstStack.forEach(
              (signature, stack) -> System.err.println(signature + "\n" + stack));
        }
        out.flush();
      }
      return 0;
    } catch (Exception e) {
      e.printStackTrace();
      out.println("EXIT " + Tally.signature(e));
      out.flush();
      return 1;
    }
  }
}
