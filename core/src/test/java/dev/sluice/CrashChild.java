package dev.sluice;

import java.io.PrintStream;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * A child process for {@link CrashIT}: writes through {@code jdbc:sluice:sqlite:} from several
 * threads until it is killed, and prints one line per acknowledged commit, flushed before the next
 * write of that thread: {@code A <unit>} after an auto-commit insert of one row returned, {@code T
 * <unit>} after the commit of a transaction of {@value #UNIT_ROWS} rows returned, {@code F
 * <message>} after a failure. Arguments: url, round, threads, seed. Stops by itself after a minute,
 * in case the parent died without killing it.
 */
public final class CrashChild {
  static final int UNIT_ROWS = 5;
  private static final long LIFETIME_NANOS = TimeUnit.MINUTES.toNanos(1);

  private CrashChild() {}

  @SuppressWarnings("SystemOut")
  public static void main(String[] args) throws Exception {
    String url = args[0];
    int round = Integer.parseInt(args[1]);
    int threads = Integer.parseInt(args[2]);
    long seed = Long.parseLong(args[3]);
    PrintStream out = System.out;
    long deadline = System.nanoTime() + LIFETIME_NANOS;
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      Random random = new Random(seed * 31 + t);
      Thread w =
          new Thread(
              () -> {
                for (int i = 0; System.nanoTime() < deadline; i++) {
                  String unit = round + "-" + thread + "-" + i;
                  try (Connection c = DriverManager.getConnection(url)) {
                    boolean transaction = random.nextBoolean();
                    if (transaction) {
                      writeUnit(c, "t" + unit);
                    } else {
                      insert(c, "a" + unit, 0);
                    }
                    ack(out, (transaction ? "T t" : "A a") + unit);
                  } catch (SQLException e) {
                    ack(out, "F " + e);
                  }
                }
              },
              "crash-writer-" + t);
      w.start();
      workers.add(w);
    }
    for (Thread w : workers) {
      w.join();
    }
  }

  private static void writeUnit(Connection c, String unit) throws SQLException {
    c.setAutoCommit(false);
    try {
      for (int seq = 0; seq < UNIT_ROWS; seq++) {
        insert(c, unit, seq);
      }
      c.commit();
    } catch (SQLException e) {
      c.rollback();
      throw e;
    }
  }

  private static void insert(Connection c, String unit, int seq) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO item (unit, seq) VALUES (?, ?)")) {
      ps.setString(1, unit);
      ps.setInt(2, seq);
      ps.executeUpdate();
    }
  }

  private static void ack(PrintStream out, String line) {
    // println holds the stream's lock for the whole line, so lines of threads never interleave.
    out.println(line);
    out.flush();
  }
}
