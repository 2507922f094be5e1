package dev.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.sluice.SluiceDataSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.jdbi.v3.core.transaction.SerializableTransactionRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * JDBI 3 through Sluice (issue 22, item 3), on the application's {@code DataSource}: inserts
 * returning keys on 16 threads, batches, transactions (and JDBI's own retry of the unit, {@code
 * SerializableTransactionRunner}, which repeats a transaction that failed with SQLState 40001: the
 * state Sluice gives a lock met inside a transaction, where plain sqlite-jdbc gives none),
 * read-only transactions. Keys, batches and the retried unit also run on plain sqlite-jdbc.
 */
class JdbiIT {
  private static final Logger LOG = LoggerFactory.getLogger(JdbiIT.class);

  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(Access.class)
  void insertsReturningKeysOnSixteenThreadsEachGetTheirOwnRow(Access access) throws Exception {
    try (Target target = Target.open(access, dir.resolve("app.db"))) {
      // Given JDBI on the application's data source, or on the URL (a connection per handle)
      Jdbi jdbi = access.byUrl() ? Jdbi.create(target.url()) : Jdbi.create(target.dataSource());
      jdbi.useHandle(
          h ->
              h.execute(
                  "CREATE TABLE IF NOT EXISTS item"
                      + " (id INTEGER PRIMARY KEY, thread INTEGER NOT NULL, seq INTEGER NOT NULL)"));

      // When 16 threads insert and read back their generated keys
      KeyedInserts.Result result =
          KeyedInserts.run(
              (thread, seq) ->
                  jdbi.withHandle(
                      h ->
                          h.createUpdate("INSERT INTO item (thread, seq) VALUES (:thread, :seq)")
                              .bind("thread", thread)
                              .bind("seq", seq)
                              .executeAndReturnGeneratedKeys("id")
                              .mapTo(Long.class)
                              .one()));
      LOG.info(
          "JDBI keyed inserts on 16 threads, {}: acknowledged {}, failed {}{}",
          access,
          result.keys().size(),
          result.failed(),
          result.firstFailure() == null ? "" : " (" + result.firstFailure() + ")");

      // Then every returned key is the row of the insert that got it; through Sluice none failed
      KeyedInserts.assertEveryKeyIsItsOwnRow(target, result);
      if (access.sluice()) {
        assertThat(result.failed()).isZero();
        assertThat(result.keys()).hasSize(KeyedInserts.THREADS * KeyedInserts.PER_THREAD);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = Access.class,
      names = {"PLAIN_DATA_SOURCE", "SLUICE_DATA_SOURCE"})
  void aPreparedBatchInsertsEveryRowAndCountsEach(Access access) throws Exception {
    try (Target target = Target.open(access, dir.resolve("app.db"))) {
      // Given JDBI on the application's data source and a batch of 100 inserts
      KeyedInserts.createTable(target.dataSource());
      Jdbi jdbi = Jdbi.create(target.dataSource());

      // When it executes
      int[] counts =
          jdbi.withHandle(
              h -> {
                PreparedBatch batch =
                    h.prepareBatch("INSERT INTO item (thread, seq) VALUES (:thread, :seq)");
                for (int i = 0; i < 100; i++) {
                  batch.bind("thread", 7).bind("seq", i).add();
                }
                return batch.execute();
              });

      // Then, on both drivers, each statement counts one row and all 100 are stored
      assertThat(counts).hasSize(100).containsOnly(1);
      assertThat(target.count("SELECT count(*) FROM item WHERE thread = 7")).isEqualTo(100);
    }
  }

  @Test
  void transfersInTransactionsOnSixteenThreadsConserveMoney() throws Exception {
    try (Target target = Target.open(Access.SLUICE_DATA_SOURCE, dir.resolve("app.db"))) {
      // Given four accounts of 1000 each
      Jdbi jdbi = Jdbi.create(target.dataSource());
      jdbi.useHandle(
          h -> {
            h.execute("CREATE TABLE account (id INTEGER PRIMARY KEY, balance INTEGER NOT NULL)");
            h.execute("INSERT INTO account VALUES (0, 1000), (1, 1000), (2, 1000), (3, 1000)");
          });

      // When 16 threads each move money 50 times, read then write, in JDBI transactions
      ExecutorService pool = Executors.newFixedThreadPool(16);
      List<Future<Integer>> futures = new ArrayList<>();
      for (int t = 0; t < 16; t++) {
        int thread = t;
        futures.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < 50; i++) {
                    int from = (thread + i) % 4;
                    int to = (from + 1) % 4;
                    jdbi.useTransaction(
                        h -> {
                          long balance =
                              h.createQuery("SELECT balance FROM account WHERE id = :id")
                                  .bind("id", from)
                                  .mapTo(Long.class)
                                  .one();
                          h.createUpdate("UPDATE account SET balance = :b WHERE id = :id")
                              .bind("b", balance - 1)
                              .bind("id", from)
                              .execute();
                          h.createUpdate("UPDATE account SET balance = balance + 1 WHERE id = :id")
                              .bind("id", to)
                              .execute();
                        });
                  }
                  return thread;
                }));
      }
      try {
        for (Future<Integer> f : futures) {
          f.get(120, TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdownNow();
      }

      // Then every transfer committed (none failed) and the money is conserved
      assertThat(target.query("SELECT balance FROM account ORDER BY id"))
          .containsExactly(1000, 1000, 1000, 1000);
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = Access.class,
      names = {"PLAIN_DATA_SOURCE", "SLUICE_DATA_SOURCE"})
  void jdbisSerializableRunnerRetriesAUnitThatMetALockOnlyThroughSluice(Access access)
      throws Exception {
    // Given JDBI with its SerializableTransactionRunner (repeats a unit that failed with 40001),
    // a data source that gives up on a lock quickly, and another process holding the write lock
    Path file = dir.resolve("app.db");
    DataSource ds = quickToGiveUp(access, file);
    try {
      Jdbi jdbi = Jdbi.create(ds).setTransactionHandler(new SerializableTransactionRunner());
      jdbi.useHandle(
          h -> {
            h.execute("CREATE TABLE account (id INTEGER PRIMARY KEY, balance INTEGER NOT NULL)");
            h.execute("INSERT INTO account VALUES (0, 10)");
          });
      AtomicInteger attempts = new AtomicInteger();
      try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + file);
          Statement lock = other.createStatement()) {
        lock.execute("BEGIN IMMEDIATE");

        // When a unit runs whose second attempt finds the lock released
        Throwable outcome =
            catchThrowable(
                () ->
                    jdbi.useTransaction(
                        h -> {
                          if (attempts.incrementAndGet() == 2) {
                            lock.execute("COMMIT");
                          }
                          h.execute("UPDATE account SET balance = balance + 5 WHERE id = 0");
                        }));

        // Then through Sluice the first attempt failed with 40001 and the second committed once;
        // plain sqlite-jdbc's SQLITE_BUSY has no SQLState, so JDBI gives up after one attempt
        if (access.sluice()) {
          assertThat(outcome).isNull();
          assertThat(attempts).hasValue(2);
        } else {
          assertThat(outcome).isInstanceOf(UnableToExecuteStatementException.class);
          assertThat(((SQLException) outcome.getCause()).getErrorCode()).isEqualTo(5);
          assertThat(((SQLException) outcome.getCause()).getSQLState()).isNull();
          assertThat(attempts).hasValue(1);
          lock.execute("COMMIT");
        }
      }
      Integer balance =
          jdbi.withHandle(
              h -> h.createQuery("SELECT balance FROM account").mapTo(Integer.class).one());
      assertThat(balance).isEqualTo(access.sluice() ? 15 : 10);
    } finally {
      if (ds instanceof SluiceDataSource sluice) {
        sluice.close();
      }
    }
  }

  private static DataSource quickToGiveUp(Access access, Path file) throws SQLException {
    if (access.sluice()) {
      return SluiceDataSource.builder()
          .url("jdbc:sqlite:" + file)
          .option("sluice.retry.attempts", "2")
          .meterRegistry(new SimpleMeterRegistry())
          .build();
    }
    SQLiteConfig config = new SQLiteConfig();
    config.setBusyTimeout(200);
    SQLiteDataSource plain = new SQLiteDataSource(config);
    plain.setUrl("jdbc:sqlite:" + file);
    return plain;
  }

  @Test
  void aReadOnlyTransactionReadsOneSnapshotAndRefusesWritesWith25006() throws Exception {
    try (Target target = Target.open(Access.SLUICE_DATA_SOURCE, dir.resolve("app.db"))) {
      // Given a table with one row
      KeyedInserts.createTable(target.dataSource());
      Jdbi jdbi = Jdbi.create(target.dataSource());
      jdbi.useHandle(h -> h.execute("INSERT INTO item (thread, seq) VALUES (1, 1)"));

      // When a read-only JDBI transaction reads, another connection writes, and it reads again
      List<Integer> counts =
          jdbi.withHandle(
              h -> {
                h.setReadOnly(true);
                return h.inTransaction(
                    tx -> {
                      int before =
                          tx.createQuery("SELECT count(*) FROM item").mapTo(Integer.class).one();
                      // (JDBI gives a nested withHandle on this thread the same handle)
                      try (Connection w = target.dataSource().getConnection();
                          Statement ws = w.createStatement()) {
                        ws.executeUpdate("INSERT INTO item (thread, seq) VALUES (2, 2)");
                      }
                      int after =
                          tx.createQuery("SELECT count(*) FROM item").mapTo(Integer.class).one();
                      return List.of(before, after);
                    });
              });

      // Then both reads see the same snapshot, and the write after it is there
      assertThat(counts).containsExactly(1, 1);
      assertThat(target.count("SELECT count(*) FROM item")).isEqualTo(2);

      // And a write inside a read-only transaction fails with 25006
      assertThatThrownBy(
              () ->
                  jdbi.useHandle(
                      h -> {
                        h.setReadOnly(true);
                        h.useTransaction(tx -> tx.execute("DELETE FROM item"));
                      }))
          .isInstanceOf(UnableToExecuteStatementException.class)
          .satisfies(
              e -> assertThat(((SQLException) e.getCause()).getSQLState()).isEqualTo("25006"));
      assertThat(target.count("SELECT count(*) FROM item")).isEqualTo(2);
    }
  }
}
