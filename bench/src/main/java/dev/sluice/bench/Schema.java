package dev.sluice.bench;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The tables and statements of the stress workloads, and the operations each attempt runs. Tables
 * are created before a target opens its file, with a plain sqlite-jdbc connection, so every target
 * starts from the same schema; each workload has its own table, so its invariant is its own.
 *
 * <p>Thread-safe: stateless.
 */
final class Schema {
  static final int ACCOUNTS = 100;
  static final long OPENING_BALANCE = 1000;
  static final int MIXED_ROWS = 10_000;

  private static final String FILLER = "x".repeat(64);

  private Schema() {}

  /** A plain sqlite-jdbc connection with every default: setup and invariant checks only. */
  static Connection plain(Path file) throws SQLException {
    return DriverManager.getConnection("jdbc:sqlite:" + file);
  }

  /** Creates an insert table: one row per acknowledged (thread, seq). */
  static void insertTable(Statement s, String table) throws SQLException {
    s.execute(
        "CREATE TABLE "
            + table
            + " (id INTEGER PRIMARY KEY, thread INTEGER NOT NULL, seq INTEGER NOT NULL,"
            + " payload TEXT NOT NULL)");
  }

  /** Creates an account table of {@link #ACCOUNTS} accounts of {@link #OPENING_BALANCE}. */
  static void accountTable(Connection c, String table) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(
          "CREATE TABLE "
              + table
              + " (id INTEGER PRIMARY KEY, balance INTEGER NOT NULL, moves INTEGER NOT NULL)");
    }
    try (PreparedStatement p =
        c.prepareStatement("INSERT INTO " + table + " (id, balance, moves) VALUES (?, ?, 0)")) {
      for (int id = 1; id <= ACCOUNTS; id++) {
        p.setInt(1, id);
        p.setLong(2, OPENING_BALANCE);
        p.addBatch();
      }
      p.executeBatch();
    }
  }

  /** Creates the read/write table with {@link #MIXED_ROWS} rows (thread -1) to read back. */
  static void mixedTable(Connection c, String table) throws SQLException {
    try (Statement s = c.createStatement()) {
      insertTable(s, table);
    }
    try (PreparedStatement p =
        c.prepareStatement(
            "INSERT INTO " + table + " (id, thread, seq, payload) VALUES (?, -1, ?, ?)")) {
      for (int id = 1; id <= MIXED_ROWS; id++) {
        p.setInt(1, id);
        p.setInt(2, id);
        p.setString(3, payload(-1, id));
        p.addBatch();
      }
      p.executeBatch();
    }
  }

  /** Creates tables on a fresh file in one transaction; WAL first for the targets that use it. */
  static void create(Path file, boolean wal, Setup setup) throws SQLException {
    try (Connection c = plain(file)) {
      if (wal) {
        // Set once here: children opening the file together would race to switch the mode.
        try (Statement s = c.createStatement()) {
          s.execute("PRAGMA journal_mode=WAL");
        }
      }
      c.setAutoCommit(false);
      setup.run(c);
      c.commit();
    }
  }

  /** Schema creation on one connection. */
  @FunctionalInterface
  interface Setup {
    void run(Connection c) throws SQLException;
  }

  static String payload(int thread, int seq) {
    return "p-" + thread + "-" + seq + "-" + FILLER;
  }

  /** One auto-commit single-row INSERT on a connection of its own. */
  static Load.Op insert(Contender.Source source, String table) {
    String sql = "INSERT INTO " + table + " (thread, seq, payload) VALUES (?, ?, ?)";
    return (thread, seq) -> {
      try (Connection c = source.connection();
          PreparedStatement p = c.prepareStatement(sql)) {
        p.setInt(1, thread);
        p.setInt(2, seq);
        p.setString(3, payload(thread, seq));
        p.executeUpdate();
      }
    };
  }

  /**
   * One transfer: SELECT the payer's balance, UPDATE it to the value computed in Java (a lost
   * update would show in the total), UPDATE the payee, commit. Rolled back on any failure.
   */
  static Load.Op transfer(Contender.Source source, String table) {
    String select = "SELECT balance FROM " + table + " WHERE id = ?";
    String debit = "UPDATE " + table + " SET balance = ?, moves = moves + 1 WHERE id = ?";
    String credit =
        "UPDATE " + table + " SET balance = balance + ?, moves = moves + 1 WHERE id = ?";
    return (thread, seq) -> {
      ThreadLocalRandom r = ThreadLocalRandom.current();
      int from = 1 + r.nextInt(ACCOUNTS);
      int to = 1 + (from + r.nextInt(ACCOUNTS - 1)) % ACCOUNTS;
      try (Connection c = source.connection()) {
        c.setAutoCommit(false);
        try (PreparedStatement read = c.prepareStatement(select);
            PreparedStatement out = c.prepareStatement(debit);
            PreparedStatement in = c.prepareStatement(credit)) {
          read.setInt(1, from);
          long balance;
          try (ResultSet rs = read.executeQuery()) {
            if (!rs.next()) {
              throw new Load.WrongResult("account " + from + " not found");
            }
            balance = rs.getLong(1);
          }
          long amount = Math.min(balance, 1 + r.nextInt(50));
          out.setLong(1, balance - amount);
          out.setInt(2, from);
          out.executeUpdate();
          in.setLong(1, amount);
          in.setInt(2, to);
          in.executeUpdate();
          c.commit();
        } catch (Exception e) {
          try {
            c.rollback();
          } catch (SQLException rollback) {
            e.addSuppressed(rollback);
          }
          throw e;
        }
      }
    };
  }

  /** One point SELECT by primary key of a pre-loaded row, checked against what was loaded. */
  static Load.Op pointRead(Contender.Source source, String table) {
    String sql = "SELECT payload FROM " + table + " WHERE id = ?";
    return (thread, seq) -> {
      int id = 1 + ThreadLocalRandom.current().nextInt(MIXED_ROWS);
      try (Connection c = source.connection();
          PreparedStatement p = c.prepareStatement(sql)) {
        p.setInt(1, id);
        try (ResultSet rs = p.executeQuery()) {
          if (!rs.next()) {
            throw new Load.WrongResult("row " + id + " not found");
          }
          if (!payload(-1, id).equals(rs.getString(1))) {
            throw new Load.WrongResult("row " + id + " has another payload");
          }
        }
      }
    };
  }
}
