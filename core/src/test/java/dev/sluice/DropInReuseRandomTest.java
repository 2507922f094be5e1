package dev.sluice;

import static dev.sluice.DropIn.exec;
import static dev.sluice.DropIn.rows;

import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Random sequences over statements kept for the whole life of a connection, as applications and
 * statement caches keep them: prepared once, then run again and again across auto-commit switched
 * on and off, commits, rollbacks, savepoints, transactions begun in SQL text, batches, parameters
 * bound only in part or cleared, row limits and re-executions that close the previous result. Each
 * sequence runs on plain sqlite-jdbc and on Sluice through {@link DropIn#same}: every call's answer
 * or failure (vendor code) and the file's rows at the end must be the same. Sluice keeps a logical
 * statement's settings and bound values and replays them on whichever physical connection runs it,
 * so what was bound, limited or left over must behave as on plain's one physical statement.
 *
 * <p>Every result set is read to its end or closed before the next call: one kept open beside its
 * own connection's writes reads its snapshot through Sluice (design.md, deliberately different). A
 * second connection only reads: its writes beside the first's transaction would wait out plain's
 * busy timeout.
 */
class DropInReuseRandomTest {
  private static final int OPERATIONS = 50;

  private static final int KINDS = 22;

  static LongStream seeds() {
    return DropIn.seeds(0, 80);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void statementsKeptAcrossTransactionsAnswerAsOnPlain(long seed) throws Exception {
    DropIn.same(db -> script(db, seed));
  }

  /**
   * The same through a HikariCP pool over each driver's URL, as applications that swap only the URL
   * run: the statements are the pool's proxies around the driver's.
   */
  @ParameterizedTest(name = "seed {0}")
  @MethodSource("pooledSeeds")
  void statementsKeptAcrossTransactionsThroughHikariCpAnswerAsOnPlain(long seed) throws Exception {
    DropIn.same(
        db -> {
          javax.sql.DataSource pool = db.hikari(2, null);
          return pooledScript(seed, pool);
        });
  }

  static LongStream pooledSeeds() {
    return DropIn.seeds(1_000, 30);
  }

  static List<Object> pooledScript(long seed, javax.sql.DataSource pool) throws SQLException {
    return script(seed, pool.getConnection(), pool.getConnection());
  }

  static List<Object> script(DropIn.Db db, long seed) throws SQLException {
    return script(seed, db.connect(), db.connect());
  }

  private static List<Object> script(long seed, Connection c, Connection other)
      throws SQLException {
    exec(
        c,
        "CREATE TABLE t (k INTEGER UNIQUE, v INTEGER CHECK (v >= 0))",
        "CREATE TABLE log (id INTEGER PRIMARY KEY, what TEXT NOT NULL)");
    SplittableRandom random = new SplittableRandom(seed);
    List<Object> out = new ArrayList<>();
    List<Savepoint> savepoints = new ArrayList<>();
    try (PreparedStatement insert =
            c.prepareStatement(
                "INSERT INTO t (k, v) VALUES (?, ?)", Statement.RETURN_GENERATED_KEYS);
        PreparedStatement batch =
            c.prepareStatement("INSERT OR IGNORE INTO t (k, v) VALUES (?, ?)");
        PreparedStatement update = c.prepareStatement("UPDATE t SET v = v + ? WHERE k = ?");
        PreparedStatement select =
            c.prepareStatement("SELECT k, v FROM t WHERE k >= ? ORDER BY k");
        PreparedStatement state = c.prepareStatement("SELECT last_insert_rowid(), changes()");
        PreparedStatement log =
            c.prepareStatement("INSERT INTO log (what) VALUES (?) RETURNING id");
        Statement text = c.createStatement()) {
      for (int i = 0; i < OPERATIONS; i++) {
        int kind = random.nextInt(KINDS);
        int k = random.nextInt(8);
        int pick = random.nextInt(4);
        String step = i + " #" + kind + " k" + k + " p" + pick + ": ";
        try {
          out.add(
              step
                  + switch (kind) {
                    case 0 -> {
                      c.setAutoCommit(false);
                      yield "autoCommit off";
                    }
                    case 1 -> {
                      c.setAutoCommit(true);
                      savepoints.clear();
                      yield "autoCommit on";
                    }
                    case 2 -> {
                      c.commit();
                      savepoints.clear();
                      yield "committed";
                    }
                    case 3 -> {
                      c.rollback();
                      savepoints.clear();
                      yield "rolled back";
                    }
                    case 4, 5 -> {
                      insert.setInt(1, k);
                      if (pick > 0) {
                        // pick 0 leaves the value bound by the call before, or none
                        insert.setInt(2, pick - 1);
                      }
                      int n = insert.executeUpdate();
                      try (ResultSet keys = insert.getGeneratedKeys()) {
                        yield "inserted " + n + " keys " + rows(keys);
                      }
                    }
                    case 6 -> {
                      insert.clearParameters();
                      yield "cleared";
                    }
                    case 7 -> {
                      // OR IGNORE: a failing auto-commit batch is atomic on Sluice (rule 5)
                      for (int j = 0; j <= pick; j++) {
                        batch.setInt(1, (k + j) % 8);
                        batch.setInt(2, j);
                        batch.addBatch();
                      }
                      try {
                        yield "batch " + Arrays.toString(batch.executeBatch());
                      } catch (BatchUpdateException e) {
                        yield "batch failed " + e.getErrorCode();
                      }
                    }
                    case 8 -> {
                      // a negative step breaks the CHECK where v is small
                      update.setInt(1, pick - 2);
                      update.setInt(2, k);
                      // not getUpdateCount() after it: plain's answers a stale value (design.md)
                      yield "updated " + update.executeUpdate();
                    }
                    case 9, 10 -> {
                      select.setMaxRows(kind == 9 ? 0 : pick);
                      select.setInt(1, k % 4);
                      try (ResultSet r = select.executeQuery()) {
                        yield "selected " + rows(r);
                      }
                    }
                    case 11 -> {
                      // the previous result is closed by the re-execution, unread (its isClosed()
                      // answers true only on Sluice, design.md)
                      select.setInt(1, k % 4);
                      ResultSet first = select.executeQuery();
                      boolean had = first.next();
                      ResultSet second = select.executeQuery();
                      String answer = "again " + had + " " + rows(second);
                      second.close();
                      yield answer;
                    }
                    case 12 -> {
                      try (ResultSet r = state.executeQuery()) {
                        yield "state " + rows(r);
                      }
                    }
                    case 13 -> {
                      log.setString(1, "l" + k);
                      try (ResultSet r = log.executeQuery()) {
                        yield "logged " + rows(r);
                      }
                    }
                    case 14 -> {
                      savepoints.add(c.setSavepoint("s" + i));
                      yield "savepoint " + savepoints.size();
                    }
                    case 15 -> {
                      if (savepoints.isEmpty()) {
                        yield "no savepoint";
                      }
                      c.rollback(savepoints.get(pick % savepoints.size()));
                      yield "rolled back to " + (pick % savepoints.size());
                    }
                    case 16 -> {
                      String sql =
                          switch (pick) {
                            case 0 -> "BEGIN";
                            case 1 -> "COMMIT";
                            case 2 -> "ROLLBACK";
                            default -> "DELETE FROM t WHERE k = " + k;
                          };
                      boolean result = text.execute(sql);
                      yield "text " + sql + " " + result + " " + text.getUpdateCount();
                    }
                    case 17 -> {
                      try (ResultSet r = text.executeQuery("SELECT count(*), total(v) FROM t")) {
                        yield "text read " + rows(r) + " " + text.getUpdateCount();
                      }
                    }
                    case 18 -> {
                      try (Statement s = other.createStatement();
                          ResultSet r = s.executeQuery("SELECT count(*), total(v) FROM t")) {
                        yield "other read " + rows(r);
                      }
                    }
                    case 19 -> {
                      // the same statement alternates between a query and an update
                      boolean result =
                          text.execute(
                              pick % 2 == 0
                                  ? "SELECT k FROM t ORDER BY k"
                                  : "UPDATE t SET v = v + 1 WHERE k = " + k);
                      ResultSet r = text.getResultSet();
                      yield "execute "
                          + result
                          + " "
                          + (r == null ? "count " + text.getUpdateCount() : rows(r))
                          + " more "
                          + text.getMoreResults();
                    }
                    case 20 -> {
                      insert.setInt(1, k);
                      insert.setInt(2, pick);
                      insert.addBatch();
                      insert.clearBatch();
                      yield "batch cleared";
                    }
                    default -> "autoCommit " + c.getAutoCommit();
                  });
        } catch (SQLException e) {
          out.add(step + "failed " + e.getErrorCode());
        }
      }
    }
    out.add("autoCommit " + c.getAutoCommit());
    c.close();
    other.close();
    return out;
  }
}
