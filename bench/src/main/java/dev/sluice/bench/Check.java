package dev.sluice.bench;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Invariant checks, read back after a workload with a separate plain sqlite-jdbc connection: what
 * is in the file must be exactly what the application was told succeeded.
 *
 * <p>Thread-safe: stateless.
 */
final class Check {
  private Check() {}

  /** The outcome of one check: {@code text} is {@code ok} or says what is wrong. */
  record Verdict(boolean ok, String text) {
    static Verdict of(boolean ok, String problem) {
      return new Verdict(ok, ok ? "ok" : "FAIL " + problem);
    }

    static Verdict broken(Exception e) {
      return new Verdict(false, "FAIL check: " + Tally.signature(e));
    }
  }

  /**
   * Every acknowledged (thread, seq) is there exactly once, and nothing else: rows = successes, no
   * duplicates, none lost, none that the application was told failed.
   */
  static Verdict inserts(Path file, String table, List<Tally> tallies) {
    Map<Integer, BitSet> acked = new HashMap<>();
    long ok = 0;
    for (Tally t : tallies) {
      acked.computeIfAbsent(t.worker, w -> new BitSet()).or(t.acked);
      ok += t.ok;
    }
    Map<Integer, BitSet> seen = new HashMap<>();
    long rows = 0;
    long duplicates = 0;
    try (Connection c = Schema.plain(file);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT thread, seq FROM " + table + " WHERE thread >= 0")) {
      while (rs.next()) {
        rows++;
        BitSet b = seen.computeIfAbsent(rs.getInt(1), w -> new BitSet());
        int seq = rs.getInt(2);
        if (b.get(seq)) {
          duplicates++;
        }
        b.set(seq);
      }
    } catch (SQLException e) {
      return Verdict.broken(e);
    }
    long lost = 0;
    for (Map.Entry<Integer, BitSet> e : acked.entrySet()) {
      BitSet missing = (BitSet) e.getValue().clone();
      missing.andNot(seen.getOrDefault(e.getKey(), new BitSet()));
      lost += missing.cardinality();
    }
    long phantom = 0;
    for (Map.Entry<Integer, BitSet> e : seen.entrySet()) {
      BitSet extra = (BitSet) e.getValue().clone();
      extra.andNot(acked.getOrDefault(e.getKey(), new BitSet()));
      phantom += extra.cardinality();
    }
    boolean good = rows == ok && duplicates == 0 && lost == 0 && phantom == 0;
    return Verdict.of(
        good,
        "rows "
            + rows
            + " vs ok "
            + ok
            + ", duplicates "
            + duplicates
            + ", lost "
            + lost
            + ", failed-but-present "
            + phantom);
  }

  /** Money conserved, no negative balance, two moves per committed transfer. */
  static Verdict accounts(Path file, String table, long committed) {
    try (Connection c = Schema.plain(file);
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery("SELECT sum(balance), min(balance), sum(moves) FROM " + table)) {
      rs.next();
      long total = rs.getLong(1);
      long min = rs.getLong(2);
      long moves = rs.getLong(3);
      long expected = Schema.ACCOUNTS * Schema.OPENING_BALANCE;
      boolean good = total == expected && min >= 0 && moves == 2 * committed;
      return Verdict.of(
          good,
          "total "
              + total
              + " vs "
              + expected
              + ", min balance "
              + min
              + ", moves "
              + moves
              + " vs 2 x "
              + committed);
    } catch (SQLException e) {
      return Verdict.broken(e);
    }
  }

  /** Every read that answered returned the row that was loaded. */
  static Verdict reads(List<Tally> tallies) {
    long wrong = 0;
    for (Tally t : tallies) {
      wrong += t.wrong;
    }
    return Verdict.of(wrong == 0, wrong + " reads returned a wrong or missing row");
  }
}
