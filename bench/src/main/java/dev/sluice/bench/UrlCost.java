package dev.sluice.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The one-thread cost of a connection per statement (issue 21): a point SELECT, the same SELECT
 * text through a plain statement (issue 22) and an auto-commit INSERT, each getting its connection,
 * preparing, running and closing, through HikariCP, Sluice's {@code DataSource}, Sluice's URL
 * through {@code DriverManager}, and the same URL through {@code SluiceDriver.connect} called
 * directly (the URL path without {@code DriverManager}'s own work). Targets take turns within each
 * round, each on its own file, so every ratio is taken within one round. Both the wall time and the
 * thread's CPU time per statement are reported: on a shared, oversubscribed machine the CPU time is
 * the steadier of the two.
 *
 * <pre>
 * ./mvnw -q -B -DskipTests -pl bench -am package exec:java -Ddemo.main=dev.sluice.bench.UrlCost \
 *     -Dexec.args="--rounds 5 --ops 20000"
 * </pre>
 *
 * <p>Not thread-safe: one thread.
 */
public final class UrlCost {
  private static final List<Target> TARGETS =
      List.of(Target.HIKARI, Target.SLUICE, Target.SLUICE_URL, Target.SLUICE_DRIVER);
  private static final String PAYLOAD = "payload-" + "x".repeat(64);

  private UrlCost() {}

  /** One statement through a source. */
  @FunctionalInterface
  private interface Op {
    void run(Target.Source s) throws SQLException;
  }

  public static void main(String[] args) throws Exception {
    int rounds = 3;
    int ops = 20_000;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--ops" -> ops = Integer.parseInt(args[++i]);
        default ->
            throw new IllegalArgumentException(
                "unknown argument " + args[i] + " (use --rounds <n>, --ops <n>)");
      }
    }
    Path dir = Files.createTempDirectory("sluice-urlcost-");
    Map<Target, Target.Source> sources = new EnumMap<>(Target.class);
    try {
      for (Target t : TARGETS) {
        Path file = dir.resolve(t.name().toLowerCase(Locale.ROOT) + ".db");
        OverheadBench.createItemsAndLog(file);
        sources.put(t, t.open(file));
      }
      ThreadMXBean mx = ManagementFactory.getThreadMXBean();
      out(
          "| round | statement | target | us/op wall | us/op cpu | wall vs HikariCP | cpu vs HikariCP |");
      out("| ---: | --- | --- | ---: | ---: | ---: | ---: |");
      for (int round = 0; round <= rounds; round++) {
        for (String name : List.of("point SELECT", "plain SELECT", "INSERT")) {
          Op op =
              switch (name) {
                case "INSERT" -> UrlCost::insert;
                case "plain SELECT" -> UrlCost::plainSelect;
                default -> UrlCost::pointSelect;
              };
          double hikariWall = 0;
          double hikariCpu = 0;
          for (Target t : TARGETS) {
            Target.Source s = sources.get(t);
            long cpu0 = mx.getCurrentThreadCpuTime();
            long wall0 = System.nanoTime();
            for (int i = 0; i < ops; i++) {
              op.run(s);
            }
            double wall = (System.nanoTime() - wall0) / 1e3 / ops;
            double cpu = (mx.getCurrentThreadCpuTime() - cpu0) / 1e3 / ops;
            if (t == Target.HIKARI) {
              hikariWall = wall;
              hikariCpu = cpu;
            }
            if (round > 0) {
              // Round 0 warms every target up.
              out(
                  String.format(
                      Locale.ROOT,
                      "| %d | %s | %s | %.2f | %.2f | %.2f | %.2f |",
                      round,
                      name,
                      t,
                      wall,
                      cpu,
                      wall / hikariWall,
                      cpu / hikariCpu));
            }
          }
        }
      }
    } finally {
      for (Target.Source s : sources.values()) {
        s.close();
      }
      OverheadBench.delete(dir);
    }
  }

  private static void pointSelect(Target.Source source) throws SQLException {
    int id = 1 + ThreadLocalRandom.current().nextInt(OverheadBench.ITEMS);
    Connection c = source.borrow();
    try (PreparedStatement p = c.prepareStatement("SELECT payload FROM item WHERE id = ?")) {
      p.setInt(1, id);
      try (ResultSet rs = p.executeQuery()) {
        if (!rs.next() || rs.getString(1) == null) {
          throw new IllegalStateException("item " + id + " not found");
        }
      }
    } finally {
      source.release(c);
    }
  }

  /** The same text each time through a plain statement (a query without arguments). */
  private static void plainSelect(Target.Source source) throws SQLException {
    Connection c = source.borrow();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT payload FROM item WHERE id = 42")) {
      if (!rs.next() || rs.getString(1) == null) {
        throw new IllegalStateException("item 42 not found");
      }
    } finally {
      source.release(c);
    }
  }

  private static void insert(Target.Source source) throws SQLException {
    Connection c = source.borrow();
    try (PreparedStatement p = c.prepareStatement("INSERT INTO log (payload) VALUES (?)")) {
      p.setString(1, PAYLOAD);
      if (p.executeUpdate() != 1) {
        throw new IllegalStateException("insert counted other than 1 row");
      }
    } finally {
      source.release(c);
    }
  }

  @SuppressWarnings("SystemOut")
  private static void out(String line) {
    System.out.println(line);
  }
}
