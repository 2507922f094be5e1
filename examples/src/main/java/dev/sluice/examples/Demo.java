package dev.sluice.examples;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The main demo: plain JDBC through {@code jdbc:sluice:sqlite:}, no Sluice class named. Shows the
 * pragmas read back, writes going to the writer and reads to readers, a read-only transaction
 * refusing a write, and 16 threads of read-modify-write transactions that all succeed.
 *
 * <p>Run: {@code ./mvnw -q -B -DskipTests -pl examples -am package exec:java} (argument: the
 * database file, default {@code sluice-demo.db}).
 */
public final class Demo {
  private Demo() {}

  public static void main(String[] args) throws Exception {
    String file = args.length > 0 ? args[0] : "sluice-demo.db";
    String url = "jdbc:sluice:sqlite:" + file + "?foreign_keys=on&sluice.readers=4";
    out("Sluice demo on " + file + " (" + url + ")");

    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement()) {
      s.execute("DROP TABLE IF EXISTS account");
      s.execute(
          "CREATE TABLE account (id INTEGER PRIMARY KEY, owner TEXT NOT NULL, balance INTEGER NOT NULL)");
      try (PreparedStatement ins =
          c.prepareStatement("INSERT INTO account (owner, balance) VALUES (?, 1000)")) {
        for (int i = 0; i < 10; i++) {
          ins.setString(1, "owner-" + i);
          ins.executeUpdate();
        }
      }
      out(
          "writer : 10 accounts inserted; last generated key "
              + scalar(s, "SELECT last_insert_rowid()"));

      out(
          "pragmas: journal_mode="
              + text(s, "PRAGMA journal_mode")
              + ", synchronous="
              + text(s, "PRAGMA synchronous")
              + ", foreign_keys="
              + text(s, "PRAGMA foreign_keys")
              + ", busy_timeout="
              + text(s, "PRAGMA busy_timeout")
              + " (applied and read back on every connection)");

      // The physical connection's query_only is 1 on readers and 0 on the writer: it shows where a
      // statement ran. (The PRAGMA statement answers the logical connection's own value, 0.)
      out(
          "route  : an auto-commit SELECT runs on a reader   (query_only="
              + text(s, "SELECT query_only FROM pragma_query_only")
              + ")");
      c.setAutoCommit(false);
      out(
          "route  : inside a write transaction it runs on the writer (query_only="
              + text(s, "SELECT query_only FROM pragma_query_only")
              + ")");
      c.commit();
      c.setAutoCommit(true);

      c.setReadOnly(true);
      c.setAutoCommit(false);
      try {
        s.executeUpdate("UPDATE account SET balance = 0");
        out("read-only transaction: the write was NOT refused (unexpected)");
      } catch (SQLException e) {
        out("read-only: write refused with SQLState " + e.getSQLState() + ": " + e.getMessage());
      }
      out(
          "read-only: connection still usable, total balance "
              + scalar(s, "SELECT sum(balance) FROM account"));
      c.commit();
      c.setAutoCommit(true);
      c.setReadOnly(false);
    }

    int threads = 16;
    int perThread = 200;
    AtomicInteger failures = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    long start = System.nanoTime();
    List<Future<?>> futures = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      futures.add(
          pool.submit(
              () -> {
                for (int i = 0; i < perThread; i++) {
                  try {
                    transfer(url);
                  } catch (SQLException e) {
                    failures.incrementAndGet();
                  }
                }
                return null;
              }));
    }
    for (Future<?> f : futures) {
      f.get(5, TimeUnit.MINUTES);
    }
    pool.shutdown();
    double seconds = (System.nanoTime() - start) / 1e9;
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement()) {
      out(
          String.format(
              "stress : %d threads x %d read-modify-write transactions: %d failed, %.0f tx/s,"
                  + " total balance %s (10000 expected)",
              threads,
              perThread,
              failures.get(),
              threads * perThread / seconds,
              scalar(s, "SELECT sum(balance) FROM account")));
    }
  }

  /** SELECT two balances, then UPDATE both: the transaction that fails under plain WAL pools. */
  private static void transfer(String url) throws SQLException {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    int from = 1 + r.nextInt(10);
    int to = 1 + r.nextInt(10);
    try (Connection c = DriverManager.getConnection(url)) {
      c.setAutoCommit(false);
      try (PreparedStatement read = c.prepareStatement("SELECT balance FROM account WHERE id = ?");
          PreparedStatement write =
              c.prepareStatement("UPDATE account SET balance = balance + ? WHERE id = ?")) {
        read.setInt(1, from);
        long balance;
        try (ResultSet rs = read.executeQuery()) {
          rs.next();
          balance = rs.getLong(1);
        }
        long amount = Math.min(balance, 1 + r.nextInt(50));
        write.setLong(1, -amount);
        write.setInt(2, from);
        write.executeUpdate();
        write.setLong(1, amount);
        write.setInt(2, to);
        write.executeUpdate();
        c.commit();
      } catch (SQLException e) {
        c.rollback();
        throw e;
      }
    }
  }

  private static String text(Statement s, String sql) throws SQLException {
    try (ResultSet r = s.executeQuery(sql)) {
      return r.next() ? r.getString(1) : "(none)";
    }
  }

  private static String scalar(Statement s, String sql) throws SQLException {
    return text(s, sql);
  }

  @SuppressWarnings("SystemOut")
  private static void out(String line) {
    System.out.println(line);
  }
}
