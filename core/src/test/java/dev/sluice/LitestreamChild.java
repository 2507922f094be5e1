package dev.sluice;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A child process for {@link LitestreamIT}: {@code threads} threads insert rows through the given
 * {@code jdbc:sluice:} URL (a connection per insert) until the process is killed, and report each
 * acknowledged row on standard output ({@code A <id>}) once its insert returned; a failed insert is
 * reported as {@code F <id> <error>}. Arguments: url, threads.
 */
public final class LitestreamChild {
  private LitestreamChild() {}

  @SuppressWarnings("SystemOut")
  public static void main(String[] args) throws Exception {
    String url = args[0];
    int threads = Integer.parseInt(args[1]);
    // Flushed per line: the parent sees an ack as soon as the insert returned.
    PrintStream out =
        new PrintStream(
            new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 12),
            true,
            StandardCharsets.UTF_8);
    String payload = "r".repeat(100);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    for (int t = 0; t < threads; t++) {
      int thread = t;
      pool.execute(
          () -> {
            for (long i = 0; ; i++) {
              String id = thread + "-" + i;
              try (Connection c = DriverManager.getConnection(url);
                  PreparedStatement ps =
                      c.prepareStatement("INSERT INTO item (id, payload) VALUES (?, ?)")) {
                ps.setString(1, id);
                ps.setString(2, payload);
                ps.executeUpdate();
                synchronized (out) {
                  out.println("A " + id);
                }
              } catch (SQLException e) {
                synchronized (out) {
                  out.println("F " + id + " " + e);
                }
              }
            }
          });
    }
    pool.shutdown();
    // Runs until killed; the bound only ends an orphan.
    pool.awaitTermination(5, TimeUnit.MINUTES);
  }
}
