package dev.sluice;

import static dev.sluice.DropIn.exec;
import static dev.sluice.DropIn.one;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.sqlite.SQLiteCommitListener;
import org.sqlite.SQLiteConnection;

/**
 * Sluice's own side of a transaction stepping aside (design.md "A transaction that has only read";
 * the outcomes against plain are in {@link DropInSameThreadTest}): a connection that moved on to
 * another thread and is inside a call there is never asked to step aside under it.
 */
class StepAsideTest {
  @RegisterExtension final TestDatabase db = new TestDatabase();

  /**
   * A connection whose transaction began on thread T, now committing on thread U (a coroutine
   * resumed elsewhere): T writes through another connection meanwhile. The committing connection
   * holds the writer and must not step aside in the middle of its COMMIT; T gets 25001 at once, as
   * before the step existed, and both go on afterwards.
   */
  @Test
  void aConnectionInsideACallOnAnotherThreadDoesNotStepAside() throws Exception {
    // Given a commit hook that holds the COMMIT of thread U until released
    CountDownLatch inCommit = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Thread[] blocked = new Thread[1];
    SluiceDataSource ds =
        db.track(
            db.builder()
                .connectionInitializer(
                    c ->
                        c.unwrap(SQLiteConnection.class)
                            .addCommitListener(
                                new SQLiteCommitListener() {
                                  @Override
                                  public void onCommit() {
                                    if (Thread.currentThread() == blocked[0]) {
                                      inCommit.countDown();
                                      await(release);
                                    }
                                  }

                                  @Override
                                  public void onRollback() {}
                                }))
                .build());
    try (Connection setup = ds.getConnection()) {
      exec(setup, "CREATE TABLE t (x INTEGER)", "INSERT INTO t VALUES (1)");
    }
    ExecutorService u = Executors.newSingleThreadExecutor();
    ExecutorService dog = Executors.newSingleThreadExecutor();
    try (Connection moved = ds.getConnection();
        Connection other = ds.getConnection()) {
      // a transaction that has only read, begun on this thread (T)
      moved.setAutoCommit(false);
      assertThat(one(moved, "SELECT count(*) FROM t")).isEqualTo(1);
      exec(moved, "INSERT INTO t VALUES (2)");
      moved.rollback();
      assertThat(one(moved, "SELECT count(*) FROM t")).isEqualTo(1);
      // now committing on U, held inside its COMMIT
      Future<?> commit =
          u.submit(
              () -> {
                blocked[0] = Thread.currentThread();
                moved.commit();
                return null;
              });
      assertThat(inCommit.await(10, TimeUnit.SECONDS)).isTrue();
      // A watchdog ends the hold should this thread block on the committing connection: the step
      // aside it must not take would wait for that COMMIT.
      Future<Boolean> watchdog =
          dog.submit(() -> !release.await(5, TimeUnit.SECONDS) && release(release));

      // When this thread writes through the other connection
      // Then it is refused at once: the moved connection is inside a call
      assertThatThrownBy(() -> exec(other, "INSERT INTO t VALUES (3)"))
          .isInstanceOf(SQLException.class)
          .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("25001"));
      release.countDown();
      assertThat(watchdog.get(10, TimeUnit.SECONDS))
          .as("this thread waited for the COMMIT")
          .isFalse();

      // and once the commit ends, both go on
      release.countDown();
      commit.get(10, TimeUnit.SECONDS);
      exec(other, "INSERT INTO t VALUES (3)");
      assertThat(one(other, "SELECT count(*) FROM t")).isEqualTo(2);
    } finally {
      release.countDown();
      u.shutdownNow();
      dog.shutdownNow();
    }
  }

  /** Releases the hold; true, for the watchdog's answer "it had to". */
  private static boolean release(CountDownLatch latch) {
    latch.countDown();
    return true;
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
