package dev.sluice;

import static dev.sluice.DropIn.exec;
import static dev.sluice.DropIn.one;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.DropIn.Outcome;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sqlite.SQLiteException;

/**
 * Two or three connections used in turn by one thread, as Spring's {@code REQUIRES_NEW} does (an
 * outer transaction, suspended while an inner one runs on another connection), run against plain
 * sqlite-jdbc and Sluice through {@link DropIn}. Plain runs in WAL, as Sluice always does: in a
 * rollback journal plain fails most of these with SQLITE_BUSY after its busy timeout.
 *
 * <p>While the outer transaction has only read, plain's deferred transaction holds no write lock,
 * so the inner connection writes; the outer one then reads its old snapshot, and its own first
 * write fails with SQLITE_BUSY_SNAPSHOT if anything was committed since. Sluice's outer transaction
 * holds the writer from its first statement, and waiting for it on the same thread would deadlock:
 * the outer transaction steps aside to a reader, in the snapshot it had, and the outcome is plain's
 * (design.md "A transaction that has only read"). Once it has written, plain's inner write fails
 * after the busy timeout and Sluice's at once with 25001 (rule 6, not compared here).
 */
class DropInSameThreadTest {

  /** A body given the run's connections, in WAL on plain too; returns what it saw. */
  @FunctionalInterface
  interface Steps {
    void run(Connection outer, Connection inner, List<Object> seen) throws Exception;
  }

  private static Outcome same(Steps steps) throws Exception {
    return DropIn.same(db -> run(db, steps));
  }

  private static List<Object> run(DropIn.Db db, Steps steps) throws Exception {
    String url = db.target() == DropIn.Target.PLAIN ? db.url() + "?journal_mode=WAL" : db.url();
    Connection outer = db.connect(url);
    exec(outer, "CREATE TABLE t (x INTEGER)", "INSERT INTO t VALUES (1)");
    Connection inner = db.connect(url);
    List<Object> seen = new ArrayList<>();
    steps.run(outer, inner, seen);
    return seen;
  }

  /** The failure as both drivers give it: SQLite's result code, which callers test. */
  private static String failure(SQLException e) {
    return e instanceof SQLiteException s
        ? "failed " + s.getResultCode().name() + " (" + e.getErrorCode() + ")"
        : "failed " + e.getClass().getSimpleName() + " " + e.getSQLState();
  }

  @Test
  void anInnerAutoCommitWriteRunsWhileTheOuterTransactionHasOnlyRead() throws Exception {
    Outcome outcome =
        same(
            (outer, inner, seen) -> {
              // Given an outer transaction that has read
              outer.setAutoCommit(false);
              seen.add(one(outer, "SELECT count(*) FROM t"));

              // When another connection on the same thread writes, and the outer one commits
              exec(inner, "INSERT INTO t VALUES (2)");
              seen.add(one(outer, "SELECT count(*) FROM t"));
              outer.commit();
              seen.add(one(outer, "SELECT count(*) FROM t"));
            });

    // Then the write is kept; the outer transaction read its snapshot until it ended
    assertThat(outcome.result()).containsExactly("1", "1", "2");
    assertThat(outcome.content()).containsExactly("t[1]", "t[2]");
  }

  @Test
  void aRequiresNewTransactionCommitsInsideAnOuterOneThatHasOnlyRead() throws Exception {
    Outcome outcome =
        same(
            (outer, inner, seen) -> {
              // Given an outer transaction that has read
              outer.setAutoCommit(false);
              seen.add(one(outer, "SELECT count(*) FROM t"));

              // When an inner transaction writes and commits, and the outer one commits
              inner.setAutoCommit(false);
              exec(inner, "INSERT INTO t VALUES (2)");
              try (Statement s = inner.createStatement()) {
                s.addBatch("INSERT INTO t VALUES (3)");
                s.addBatch("INSERT INTO t VALUES (4)");
                s.executeBatch();
              }
              inner.commit();
              inner.setAutoCommit(true);
              seen.add(one(outer, "SELECT count(*) FROM t"));
              outer.commit();
            });

    // Then
    assertThat(outcome.result()).containsExactly("1", "1");
    assertThat(outcome.content()).containsExactly("t[1]", "t[2]", "t[3]", "t[4]");
  }

  @Test
  void theOuterTransactionsFirstWriteAfterAnInnerCommitFailsAsAStaleSnapshot() throws Exception {
    Outcome outcome =
        same(
            (outer, inner, seen) -> {
              // Given an outer transaction that has read, and an inner write since
              outer.setAutoCommit(false);
              seen.add(one(outer, "SELECT count(*) FROM t"));
              exec(inner, "INSERT INTO t VALUES (2)");

              // When the outer transaction writes
              try {
                exec(outer, "UPDATE t SET x = x + 10");
                seen.add("wrote");
              } catch (SQLException e) {
                seen.add(failure(e));
              }
              // it still reads its snapshot, and rolls back
              seen.add(one(outer, "SELECT count(*) FROM t"));
              outer.rollback();
              outer.setAutoCommit(true);
              exec(outer, "INSERT INTO t VALUES (3)");
            });

    // Then it failed as plain fails, SQLITE_BUSY_SNAPSHOT, and nothing of it was written
    assertThat(outcome.result()).containsExactly("1", "failed SQLITE_BUSY_SNAPSHOT (5)", "1");
    assertThat(outcome.content()).containsExactly("t[1]", "t[2]", "t[3]");
  }

  @Test
  void theOuterTransactionWritesWhenTheInnerOneCommittedNothing() throws Exception {
    Outcome outcome =
        same(
            (outer, inner, seen) -> {
              // Given an outer transaction that has read
              outer.setAutoCommit(false);
              seen.add(one(outer, "SELECT count(*) FROM t"));

              // When an inner transaction only reads, another writes and rolls back
              inner.setAutoCommit(false);
              seen.add(one(inner, "SELECT count(*) FROM t"));
              inner.commit();
              exec(inner, "INSERT INTO t VALUES (2)");
              inner.rollback();
              inner.setAutoCommit(true);

              // Then the outer transaction writes and commits
              exec(outer, "UPDATE t SET x = x + 10");
              seen.add(one(outer, "SELECT sum(x) FROM t"));
              outer.commit();
            });

    assertThat(outcome.result()).containsExactly("1", "1", "11");
    assertThat(outcome.content()).containsExactly("t[11]");
  }

  @Test
  void theOuterTransactionsRollbackUndoesItsWritesAfterItSteppedAside() throws Exception {
    Outcome outcome =
        same(
            (outer, inner, seen) -> {
              // Given an outer transaction that stepped aside for an inner read-only transaction
              outer.setAutoCommit(false);
              seen.add(one(outer, "SELECT count(*) FROM t"));
              inner.setAutoCommit(false);
              seen.add(one(inner, "SELECT count(*) FROM t"));
              inner.commit();

              // When the outer one writes twice and rolls back
              exec(outer, "INSERT INTO t VALUES (2)");
              exec(outer, "INSERT INTO t VALUES (3)");
              seen.add(one(outer, "SELECT count(*) FROM t"));
              outer.rollback();
              seen.add(one(outer, "SELECT count(*) FROM t"));
            });

    // Then nothing of it stays
    assertThat(outcome.result()).containsExactly("1", "1", "3", "1");
    assertThat(outcome.content()).containsExactly("t[1]");
  }

  @Test
  void anInnerTransactionThatOnlyReadsRunsBesideAnOuterOneThatHasWritten() throws Exception {
    Outcome outcome =
        same(
            (outer, inner, seen) -> {
              // Given an outer transaction that has written
              outer.setAutoCommit(false);
              exec(outer, "INSERT INTO t VALUES (2)");

              // When an inner transaction on the same thread reads and commits, then writes
              inner.setAutoCommit(false);
              seen.add(one(inner, "SELECT count(*) FROM t"));
              inner.commit();
              outer.commit();
              seen.add(one(inner, "SELECT count(*) FROM t"));
              exec(inner, "INSERT INTO t VALUES (3)");
              inner.commit();
              seen.add(one(inner, "SELECT count(*) FROM t"));
            });

    // Then the inner one read what was committed, as plain's deferred transaction does
    assertThat(outcome.result()).containsExactly("1", "2", "3");
    assertThat(outcome.content()).containsExactly("t[1]", "t[2]", "t[3]");
  }

  @Test
  void aBatchOnAStaleSnapshotFailsAsABatchUpdateException() throws Exception {
    Outcome outcome =
        same(
            (outer, inner, seen) -> {
              outer.setAutoCommit(false);
              seen.add(one(outer, "SELECT count(*) FROM t"));
              exec(inner, "INSERT INTO t VALUES (2)");
              try (Statement s = outer.createStatement()) {
                s.addBatch("INSERT INTO t VALUES (3)");
                s.executeBatch();
              } catch (java.sql.BatchUpdateException e) {
                seen.add(java.util.Arrays.toString(e.getUpdateCounts()));
                seen.add(failure((SQLException) e.getCause()));
              }
              outer.rollback();
            });

    assertThat(outcome.result()).containsExactly("1", "[0]", "failed SQLITE_BUSY_SNAPSHOT (5)");
    assertThat(outcome.content()).containsExactly("t[1]", "t[2]");
  }

  @Test
  void threeNestedTransactionsOnOneThreadEndAsOnPlain() throws Exception {
    Outcome outcome =
        DropIn.same(
            db -> {
              String url =
                  db.target() == DropIn.Target.PLAIN ? db.url() + "?journal_mode=WAL" : db.url();
              Connection a = db.connect(url);
              exec(a, "CREATE TABLE t (x INTEGER)", "INSERT INTO t VALUES (1)");
              Connection b = db.connect(url);
              Connection c = db.connect(url);
              List<Object> seen = new ArrayList<>();
              // Given two transactions that have read, one inside the other
              a.setAutoCommit(false);
              seen.add(one(a, "SELECT count(*) FROM t"));
              b.setAutoCommit(false);
              seen.add(one(b, "SELECT count(*) FROM t"));

              // When a third writes and commits inside both
              c.setAutoCommit(false);
              exec(c, "INSERT INTO t VALUES (2)");
              c.commit();

              // Then each outer one reads its snapshot and commits what it read
              seen.add(one(b, "SELECT count(*) FROM t"));
              b.commit();
              seen.add(one(a, "SELECT count(*) FROM t"));
              a.commit();
              seen.add(one(a, "SELECT count(*) FROM t"));
              return seen;
            });

    assertThat(outcome.result()).containsExactly("1", "1", "1", "1", "2");
    assertThat(outcome.content()).containsExactly("t[1]", "t[2]");
  }

  @Test
  void aDeferredBeginInSqlTextStepsAsideAndEndsWithItsCommit() throws Exception {
    Outcome outcome =
        same(
            (outer, inner, seen) -> {
              // Given a transaction SQL text began, that has read
              exec(outer, "BEGIN");
              seen.add(one(outer, "SELECT count(*) FROM t"));

              // When another connection on the same thread writes, and SQL text commits
              exec(inner, "INSERT INTO t VALUES (2)");
              seen.add(one(outer, "SELECT count(*) FROM t"));
              exec(outer, "COMMIT");
              seen.add(one(outer, "SELECT count(*) FROM t"));
              exec(outer, "BEGIN DEFERRED TRANSACTION");
              seen.add(one(outer, "SELECT count(*) FROM t"));
              exec(inner, "INSERT INTO t VALUES (3)");
              try {
                exec(outer, "INSERT INTO t VALUES (4)");
                seen.add("wrote");
              } catch (SQLException e) {
                seen.add(failure(e));
              }
              exec(outer, "ROLLBACK");
              exec(outer, "BEGIN");
              exec(outer, "INSERT INTO t VALUES (5)");
              exec(outer, "END");
            });

    // Then the write ran; the text transaction read its snapshot, failed as stale, and ended
    assertThat(outcome.result())
        .containsExactly("1", "1", "2", "2", "failed SQLITE_BUSY_SNAPSHOT (5)");
    assertThat(outcome.content()).containsExactly("t[1]", "t[2]", "t[3]", "t[5]");
  }

  /**
   * A deferred {@code BEGIN} takes no snapshot until its first read: a commit of another connection
   * before that read leaves its writes free to run, on plain and on Sluice. Also when the BEGIN
   * comes while the other connection's transaction has written (plain takes no lock for it).
   */
  @Test
  void aDeferredBeginThatHasNotReadWritesAfterAnotherCommit() throws Exception {
    Outcome outcome =
        same(
            (outer, inner, seen) -> {
              // Given a BEGIN in SQL text and nothing since
              exec(outer, "BEGIN");

              // When another connection on the same thread commits, then it writes and commits
              exec(inner, "INSERT INTO t VALUES (2)");
              exec(outer, "INSERT INTO t VALUES (3)");
              exec(outer, "COMMIT");

              // And a BEGIN while the other connection's transaction has written
              inner.setAutoCommit(false);
              exec(inner, "INSERT INTO t VALUES (4)");
              exec(outer, "BEGIN");
              inner.commit();
              seen.add(one(outer, "SELECT count(*) FROM t"));
              exec(outer, "INSERT INTO t VALUES (5)");
              exec(outer, "COMMIT");
            });

    assertThat(outcome.result()).containsExactly("4");
    assertThat(outcome.content()).containsExactly("t[1]", "t[2]", "t[3]", "t[4]", "t[5]");
  }

  /**
   * Documented difference: a string of several statements in a text transaction that stepped aside
   * takes the writer back, and fails as stale (40001) when something was committed since; plain
   * runs the string's first statement, here its COMMIT, which ends the read transaction.
   */
  @Test
  void severalStatementsInATextTransactionThatSteppedAsideTakeTheWriterBack() throws Exception {
    Steps steps =
        (outer, inner, seen) -> {
          exec(outer, "BEGIN");
          seen.add(one(outer, "SELECT count(*) FROM t"));
          exec(inner, "INSERT INTO t VALUES (2)");
          try {
            exec(outer, "COMMIT; BEGIN");
            seen.add("ran");
          } catch (SQLException e) {
            seen.add(failure(e));
            exec(outer, "ROLLBACK");
          }
        };
    Outcome plain = DropIn.run(DropIn.Target.PLAIN, db -> run(db, steps));
    Outcome sluice = DropIn.run(DropIn.Target.SLUICE, db -> run(db, steps));
    assertThat(plain.result()).containsExactly("1", "ran");
    assertThat(sluice.result()).containsExactly("1", "failed SQLITE_BUSY_SNAPSHOT (5)");
    assertThat(sluice.content()).isEqualTo(plain.content());
  }

  /**
   * Documented difference (design.md "A transaction that has only read"): a transaction a savepoint
   * began in SQL text keeps the writer; the inner write then fails at once with 25001, where plain
   * lets it run.
   */
  @Test
  void aSavepointTransactionKeepsTheWriter() throws Exception {
    Steps savepoint =
        (outer, inner, seen) -> {
          exec(outer, "SAVEPOINT s1");
          seen.add(one(outer, "SELECT count(*) FROM t"));
          innerWrite(inner, seen);
          exec(outer, "RELEASE s1");
        };
    Outcome plain = DropIn.run(DropIn.Target.PLAIN, db -> run(db, savepoint));
    Outcome sluice = DropIn.run(DropIn.Target.SLUICE, db -> run(db, savepoint));
    assertThat(plain.result()).containsExactly("1", "inner wrote");
    assertThat(sluice.result()).containsExactly("1", "failed SQLException 25001");
  }

  /**
   * Issue 22: an outer transaction loops over a query and runs a REQUIRES_NEW transaction per row
   * on another connection of its thread (before, 25001 at the first row). Its result set, open on
   * the writer, goes on from a reader in the same snapshot: the rows the inner transactions add are
   * not among the loop's, nor in the outer lookups, as on plain; then the outer transaction
   * commits, or its first write fails as a stale snapshot.
   */
  @Test
  void anOuterLoopOverAQueryRunsARequiresNewTransactionPerRowAsOnPlain() throws Exception {
    for (boolean prepared : new boolean[] {true, false}) {
      for (boolean writeAfter : new boolean[] {false, true}) {
        Outcome outcome =
            same(
                (outer, inner, seen) -> {
                  exec(
                      outer,
                      "INSERT INTO t VALUES (2)",
                      "INSERT INTO t VALUES (3)",
                      "CREATE TABLE log (x INTEGER)");
                  outer.setAutoCommit(false);
                  Statement s;
                  java.sql.ResultSet r;
                  if (prepared) {
                    java.sql.PreparedStatement q =
                        outer.prepareStatement("SELECT x FROM t WHERE x >= ? ORDER BY x");
                    q.setInt(1, 1);
                    s = q;
                    r = q.executeQuery();
                  } else {
                    s = outer.createStatement();
                    r = s.executeQuery("SELECT x FROM t ORDER BY x");
                  }
                  while (r.next()) {
                    long x = r.getLong(1);
                    seen.add(x);
                    inner.setAutoCommit(false);
                    exec(inner, "INSERT INTO log VALUES (" + x + ")");
                    exec(inner, "INSERT INTO t VALUES (" + (10 + x) + ")");
                    inner.commit();
                    inner.setAutoCommit(true);
                    seen.add(one(outer, "SELECT count(*) FROM t"));
                  }
                  r.close();
                  s.close();
                  seen.add(one(outer, "SELECT count(*) FROM log"));
                  if (writeAfter) {
                    try {
                      exec(outer, "INSERT INTO t VALUES (99)");
                      seen.add("outer wrote");
                    } catch (SQLException e) {
                      seen.add(failure(e));
                    }
                    outer.rollback();
                  } else {
                    outer.commit();
                  }
                  outer.setAutoCommit(true);
                  seen.add(one(outer, "SELECT count(*) FROM t"));
                  seen.add(one(outer, "SELECT count(*) FROM log"));
                });
        if (writeAfter) {
          assertThat(outcome.result())
              .containsExactly(
                  "1", "3", "2", "3", "3", "3", "0", "failed SQLITE_BUSY_SNAPSHOT (5)", "6", "3");
        } else {
          assertThat(outcome.result()).containsExactly("1", "3", "2", "3", "3", "3", "0", "6", "3");
        }
      }
    }
  }

  /**
   * A result set that stepped aside reads on after the outer transaction's commit or rollback, in
   * its snapshot, as plain's (the inner write's row is not among its rows), and its reader goes
   * when it closes. Documented difference (design.md "A transaction that has only read"): plain's
   * next transaction on that connection still reads the old snapshot (3 rows), Sluice's the newest
   * (4).
   */
  @Test
  void aResultSetThatSteppedAsideReadsOnAfterTheCommitOrRollbackAsOnPlain() throws Exception {
    for (boolean commit : new boolean[] {true, false}) {
      Steps steps =
          (outer, inner, seen) -> {
            exec(outer, "INSERT INTO t VALUES (2)", "INSERT INTO t VALUES (3)");
            outer.setAutoCommit(false);
            Statement a = outer.createStatement();
            java.sql.ResultSet ra = a.executeQuery("SELECT x FROM t ORDER BY x");
            ra.next();
            seen.add(ra.getLong(1));
            innerWrite(inner, seen);
            if (commit) {
              outer.commit();
            } else {
              outer.rollback();
            }
            try {
              while (ra.next()) {
                seen.add(ra.getLong(1));
              }
              seen.add("end");
            } catch (SQLException e) {
              seen.add(failure(e));
            }
            ra.close();
            a.close();
            seen.add(one(outer, "SELECT count(*) FROM t"));
            outer.commit();
            seen.add(one(outer, "SELECT count(*) FROM t"));
          };
      Outcome plain = DropIn.run(DropIn.Target.PLAIN, db -> run(db, steps));
      Outcome sluice = DropIn.run(DropIn.Target.SLUICE, db -> run(db, steps));
      assertThat(plain.result()).containsExactly("1", "inner wrote", "2", "3", "end", "3", "4");
      assertThat(sluice.result()).containsExactly("1", "inner wrote", "2", "3", "end", "4", "4");
      assertThat(sluice.content()).isEqualTo(plain.content());
    }
  }

  /**
   * Documented difference: values set on the outer query's statement for its next execution while
   * its result set is open leave nothing to run it again with, so it keeps the writer and the inner
   * write fails with 25001, where plain lets it run (design.md "A transaction that has only read").
   */
  @Test
  void aResultSetWhoseStatementHasNewValuesKeepsTheWriter() throws Exception {
    Steps steps =
        (outer, inner, seen) -> {
          exec(outer, "INSERT INTO t VALUES (2)", "INSERT INTO t VALUES (3)");
          outer.setAutoCommit(false);
          try (java.sql.PreparedStatement q =
              outer.prepareStatement("SELECT x FROM t WHERE x >= ? ORDER BY x")) {
            q.setInt(1, 2);
            try (java.sql.ResultSet r = q.executeQuery()) {
              r.next();
              seen.add(r.getLong(1));
              // Run again with these values, the result set would go on from the wrong row
              q.setInt(1, 1);
              innerWrite(inner, seen);
              while (r.next()) {
                seen.add(r.getLong(1));
              }
            }
          }
          outer.commit();
        };
    Outcome plain = DropIn.run(DropIn.Target.PLAIN, db -> run(db, steps));
    Outcome sluice = DropIn.run(DropIn.Target.SLUICE, db -> run(db, steps));
    assertThat(plain.result()).containsExactly("2", "inner wrote", "3");
    assertThat(sluice.result()).containsExactly("2", "failed SQLException 25001", "3");
  }

  /**
   * Issue 22: a transaction that has set a savepoint (Spring's NESTED) and only read steps aside
   * for another connection of its thread, as plain lets that one write (before, 25001). Its
   * savepoints go with it: set again on the reader, rolled back to and released there, and set
   * again on the writer when it writes.
   */
  @Test
  void aTransactionWithASavepointStepsAsideAndKeepsItsSavepointsAsOnPlain() throws Exception {
    Outcome outcome =
        same(
            (outer, inner, seen) -> {
              outer.setAutoCommit(false);
              seen.add(one(outer, "SELECT count(*) FROM t"));
              Savepoint sp = outer.setSavepoint("a");
              innerWrite(inner, seen);
              seen.add(one(outer, "SELECT count(*) FROM t"));
              outer.rollback(sp);
              seen.add("rolled back to a");
              outer.releaseSavepoint(sp);
              seen.add("released");
              outer.commit();
              seen.add("committed");
              seen.add(one(outer, "SELECT count(*) FROM t"));
            });
    assertThat(outcome.result())
        .containsExactly("1", "inner wrote", "1", "rolled back to a", "released", "committed", "2");
  }

  /**
   * A savepoint set first thing has no snapshot yet (SQLite takes it at the first read): the outer
   * transaction then reads what the inner one wrote and writes on it; the savepoint, set again on
   * the writer, undoes that write. Or, when it had read first, its write fails as a stale snapshot
   * and the savepoint still works in the read transaction.
   */
  @Test
  void aSavepointThatSteppedAsideWorksOnTheWriterOrInTheStaleSnapshotAsOnPlain() throws Exception {
    for (boolean readFirst : new boolean[] {false, true}) {
      Outcome outcome =
          same(
              (outer, inner, seen) -> {
                outer.setAutoCommit(false);
                if (readFirst) {
                  seen.add(one(outer, "SELECT count(*) FROM t"));
                }
                Savepoint a = outer.setSavepoint("a");
                Savepoint b = outer.setSavepoint();
                innerWrite(inner, seen);
                seen.add(one(outer, "SELECT count(*) FROM t"));
                try {
                  exec(outer, "INSERT INTO t VALUES (10)");
                  seen.add(one(outer, "SELECT count(*) FROM t"));
                } catch (SQLException e) {
                  seen.add(failure(e));
                }
                outer.rollback(b);
                seen.add(one(outer, "SELECT count(*) FROM t"));
                outer.rollback(a);
                outer.releaseSavepoint(a);
                seen.add("released a");
                try {
                  outer.rollback(b);
                } catch (SQLException e) {
                  seen.add("b is gone: " + e.getMessage().contains("no such savepoint"));
                }
                outer.commit();
                seen.add(one(outer, "SELECT count(*) FROM t"));
              });
      assertThat(outcome.result())
          .as("read first: %s", readFirst)
          .containsExactlyElementsOf(
              readFirst
                  ? List.of(
                      "1",
                      "inner wrote",
                      "1",
                      "failed SQLITE_BUSY_SNAPSHOT (5)",
                      "1",
                      "released a",
                      "b is gone: true",
                      "2")
                  : List.of("inner wrote", "2", "3", "2", "released a", "b is gone: true", "2"));
    }
  }

  /**
   * A savepoint set after the transaction stepped aside is set in the read transaction, and again
   * on the writer at its first write; savepoints of the same name count as SQLite counts them (the
   * newest first, names without case).
   */
  @Test
  void aSavepointSetAfterTheStepAsideGoesWithTheTransactionToTheWriterAsOnPlain() throws Exception {
    Outcome outcome =
        same(
            (outer, inner, seen) -> {
              outer.setAutoCommit(false);
              seen.add(one(outer, "SELECT count(*) FROM t"));
              inner.setAutoCommit(false);
              innerWrite(inner, seen);
              inner.rollback();
              inner.setAutoCommit(true);
              Savepoint lower = outer.setSavepoint("s");
              Savepoint upper = outer.setSavepoint("S");
              exec(outer, "INSERT INTO t VALUES (20)");
              outer.releaseSavepoint(lower);
              seen.add(one(outer, "SELECT count(*) FROM t"));
              outer.rollback(lower);
              seen.add(one(outer, "SELECT count(*) FROM t"));
              try {
                outer.rollback(upper);
                seen.add("rolled back to S");
              } catch (SQLException e) {
                seen.add(failure(e));
              }
              outer.commit();
              seen.add(one(outer, "SELECT count(*) FROM t"));
            });
    assertThat(outcome.result())
        .containsExactly("1", "inner wrote", "2", "1", "rolled back to S", "1");
  }

  /**
   * A savepoint call that fails (no such savepoint) wrote nothing either: the transaction, which
   * has done nothing else, still steps aside for the other connection's write, as on plain.
   */
  @Test
  void aFailedSavepointCallStillLetsTheTransactionStepAsideAsOnPlain() throws Exception {
    Outcome outcome =
        same(
            (outer, inner, seen) -> {
              outer.setAutoCommit(false);
              Savepoint sp = outer.setSavepoint("once");
              outer.releaseSavepoint(sp);
              try {
                outer.releaseSavepoint(sp);
                seen.add("released twice");
              } catch (SQLException e) {
                seen.add("gone: " + e.getMessage().contains("no such savepoint"));
              }
              innerWrite(inner, seen);
              seen.add(one(outer, "SELECT count(*) FROM t"));
              outer.commit();
            });
    assertThat(outcome.result()).containsExactly("gone: true", "inner wrote", "2");
  }

  /**
   * SQLite folds the case of ASCII letters only: "\u00e4" and "\u00c4" are two names, and releasing
   * the first ends both, so after the step aside there is nothing to roll back to, as on plain.
   */
  @Test
  void savepointNamesFoldTheCaseOfAsciiLettersOnlyAsOnPlain() throws Exception {
    Outcome outcome =
        same(
            (outer, inner, seen) -> {
              outer.setAutoCommit(false);
              seen.add(one(outer, "SELECT count(*) FROM t"));
              Savepoint lower = outer.setSavepoint("\u00e4");
              outer.setSavepoint("\u00c4");
              outer.releaseSavepoint(lower);
              innerWrite(inner, seen);
              try {
                outer.rollback(lower);
                seen.add("rolled back");
              } catch (SQLException e) {
                seen.add("gone: " + e.getMessage().contains("no such savepoint"));
              }
              outer.rollback();
            });
    assertThat(outcome.result()).containsExactly("1", "inner wrote", "gone: true");
  }

  /**
   * A transaction whose first statement is a savepoint, while the other connection of its thread
   * holds the writer in a transaction that has written: it begins on a reader with no snapshot yet,
   * as plain's deferred transaction sets its savepoint beside that lock (before, 25001).
   */
  @Test
  void aFirstSavepointBesideAHeldWriterBeginsOnAReaderAsOnPlain() throws Exception {
    Outcome outcome =
        same(
            (outer, inner, seen) -> {
              exec(inner, "BEGIN", "INSERT INTO t VALUES (2)");
              outer.setAutoCommit(false);
              Savepoint sp = outer.setSavepoint("first");
              seen.add(one(outer, "SELECT count(*) FROM t"));
              exec(inner, "COMMIT");
              seen.add(one(outer, "SELECT count(*) FROM t"));
              try {
                exec(outer, "INSERT INTO t VALUES (3)");
                seen.add("outer wrote");
              } catch (SQLException e) {
                seen.add(failure(e));
              }
              outer.rollback(sp);
              outer.rollback();
              seen.add(one(outer, "SELECT count(*) FROM t"));
            });
    assertThat(outcome.result()).containsExactly("1", "1", "failed SQLITE_BUSY_SNAPSHOT (5)", "2");
  }

  /**
   * An outer loop over a query with a savepoint per row (Spring's NESTED) and an inner write on the
   * other connection per row (REQUIRES_NEW), the savepoints set and released beside the open result
   * set, as on plain.
   */
  @Test
  void aLoopWithASavepointAndAnInnerWritePerRowRunsAsOnPlain() throws Exception {
    Outcome outcome =
        same(
            (outer, inner, seen) -> {
              exec(outer, "INSERT INTO t VALUES (2)", "INSERT INTO t VALUES (3)");
              outer.setAutoCommit(false);
              try (Statement s = outer.createStatement();
                  java.sql.ResultSet rows = s.executeQuery("SELECT x FROM t ORDER BY x")) {
                while (rows.next()) {
                  Savepoint sp = outer.setSavepoint();
                  exec(inner, "INSERT INTO t VALUES (" + (10 * rows.getLong(1)) + ")");
                  outer.releaseSavepoint(sp);
                  seen.add(rows.getLong(1));
                }
              }
              seen.add(one(outer, "SELECT count(*) FROM t"));
              outer.commit();
              seen.add(one(outer, "SELECT count(*) FROM t"));
            });
    assertThat(outcome.result()).containsExactly("1", "2", "3", "3", "6");
  }

  /** Two result sets open on the writer at once both go on from the reader, each at its row. */
  @Test
  void twoResultSetsOpenOnTheWriterGoOnFromTheReaderTogether() throws Exception {
    Outcome outcome =
        same(
            (outer, inner, seen) -> {
              exec(outer, "INSERT INTO t VALUES (2)");
              outer.setAutoCommit(false);
              try (Statement a = outer.createStatement();
                  java.sql.ResultSet ra = a.executeQuery("SELECT x FROM t ORDER BY x");
                  Statement b = outer.createStatement();
                  java.sql.ResultSet rb = b.executeQuery("SELECT x * 100 FROM t ORDER BY x DESC")) {
                ra.next();
                rb.next();
                innerWrite(inner, seen);
                seen.add(ra.getLong(1) + "/" + rb.getLong(1));
                while (ra.next()) {
                  seen.add(ra.getLong(1));
                }
                while (rb.next()) {
                  seen.add(rb.getLong(1));
                }
              }
              outer.commit();
              seen.add(one(outer, "SELECT count(*) FROM t"));
            });
    assertThat(outcome.result()).containsExactly("inner wrote", "1/200", "2", "100", "3");
  }

  private static void innerWrite(Connection inner, List<Object> seen) {
    try {
      exec(inner, "INSERT INTO t VALUES (2)");
      seen.add("inner wrote");
    } catch (SQLException e) {
      seen.add(failure(e));
    }
  }
}
