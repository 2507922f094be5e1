package dev.sluice;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;

/**
 * A child process for {@link ProcessQueueIT}: through the given Sluice URL it commits {@code acked}
 * rows (printing {@code ACK <seq>} after each commit), then inserts one more row inside an open
 * transaction, prints {@code HOLDING} and waits on standard input, holding the writer (and the
 * sidecar lock) until it is killed. Arguments: url, acked.
 */
public final class HoldChild {
  private HoldChild() {}

  @SuppressWarnings("SystemOut")
  public static void main(String[] args) throws Exception {
    String url = args[0];
    int acked = Integer.parseInt(args[1]);
    try (Connection c = DriverManager.getConnection(url);
        PreparedStatement ps = c.prepareStatement("INSERT INTO item (who, seq) VALUES (?, ?)")) {
      for (int i = 0; i < acked; i++) {
        ps.setString(1, "child");
        ps.setInt(2, i);
        ps.executeUpdate();
        System.out.println("ACK " + i);
      }
      c.setAutoCommit(false);
      ps.setString(1, "uncommitted");
      ps.setInt(2, 0);
      ps.executeUpdate();
      System.out.println("HOLDING");
      System.out.flush();
      // Holds the transaction until the parent kills this process.
      int unused = System.in.read();
      System.out.println("UNEXPECTED " + unused);
    }
  }
}
