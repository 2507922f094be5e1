package dev.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.SluiceDataSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jooq.BatchBindStep;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.SQLDialect;
import org.jooq.Table;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * jOOQ 3.19 through Sluice (issue 22, item 3), with {@code SQLDialect.SQLITE} on the application's
 * {@code DataSource}: inserts returning keys on 16 threads, batches, transactions (jOOQ's own, and
 * Sluice's retried unit), read-only transactions. The keyed inserts and the batch run on plain
 * sqlite-jdbc too, so the outcomes can be compared.
 */
class JooqIT {
  private static final Logger LOG = LoggerFactory.getLogger(JooqIT.class);
  private static final Table<Record> ITEM = DSL.table(DSL.name("item"));
  private static final Field<Long> ID = DSL.field(DSL.name("id"), Long.class);
  private static final Field<Integer> THREAD = DSL.field(DSL.name("thread"), Integer.class);
  private static final Field<Integer> SEQ = DSL.field(DSL.name("seq"), Integer.class);
  private static final Table<Record> ACCOUNT = DSL.table(DSL.name("account"));
  private static final Field<Integer> ACCOUNT_ID = DSL.field(DSL.name("id"), Integer.class);
  private static final Field<Long> BALANCE = DSL.field(DSL.name("balance"), Long.class);

  @TempDir Path dir;

  private static long insertItem(DSLContext dsl, int thread, int seq) {
    return dsl.insertInto(ITEM)
        .set(THREAD, thread)
        .set(SEQ, seq)
        .returningResult(ID)
        .fetchOne()
        .value1();
  }

  @ParameterizedTest
  @EnumSource(Access.class)
  void insertsReturningKeysOnSixteenThreadsEachGetTheirOwnRow(Access access) throws Exception {
    try (Target target = Target.open(access, dir.resolve("app.db"))) {
      // Given jOOQ on the application's data source, or on connections from the URL
      // (DriverManager, one per insert, as an application without a pool opens them)
      if (access.byUrl()) {
        try (Connection c = DriverManager.getConnection(target.url());
            Statement s = c.createStatement()) {
          s.executeUpdate(
              "CREATE TABLE IF NOT EXISTS item"
                  + " (id INTEGER PRIMARY KEY, thread INTEGER NOT NULL, seq INTEGER NOT NULL)");
        }
      } else {
        KeyedInserts.createTable(target.dataSource());
      }
      DSLContext pooled = access.byUrl() ? null : DSL.using(target.dataSource(), SQLDialect.SQLITE);

      // When 16 threads insert and read back their keys with INSERT ... RETURNING
      KeyedInserts.Result result =
          KeyedInserts.run(
              (thread, seq) -> {
                if (pooled != null) {
                  return insertItem(pooled, thread, seq);
                }
                try (Connection c = DriverManager.getConnection(target.url())) {
                  return insertItem(DSL.using(c, SQLDialect.SQLITE), thread, seq);
                }
              });
      LOG.info(
          "jOOQ keyed inserts on 16 threads, {}: acknowledged {}, failed {}{}",
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
  void aBatchInsertsEveryRowAndCountsEach(Access access) throws Exception {
    try (Target target = Target.open(access, dir.resolve("app.db"))) {
      // Given jOOQ on the application's data source and a batch of 100 bound inserts
      KeyedInserts.createTable(target.dataSource());
      DSLContext dsl = DSL.using(target.dataSource(), SQLDialect.SQLITE);
      BatchBindStep batch =
          dsl.batch(dsl.insertInto(ITEM, THREAD, SEQ).values((Integer) null, null));
      for (int i = 0; i < 100; i++) {
        batch = batch.bind(7, i);
      }

      // When it executes
      int[] counts = batch.execute();

      // Then, on both drivers, each statement counts one row and all 100 are stored
      assertThat(counts).hasSize(100).containsOnly(1);
      assertThat(target.count("SELECT count(*) FROM item WHERE thread = 7")).isEqualTo(100);
      assertThat(target.count("SELECT sum(seq) FROM item")).isEqualTo(99L * 100 / 2);
    }
  }

  @Test
  void transfersInJooqTransactionsOnSixteenThreadsConserveMoney() throws Exception {
    try (Target target = Target.open(Access.SLUICE_DATA_SOURCE, dir.resolve("app.db"))) {
      // Given four accounts of 1000 each
      DSLContext dsl = DSL.using(target.dataSource(), SQLDialect.SQLITE);
      dsl.execute("CREATE TABLE account (id INTEGER PRIMARY KEY, balance INTEGER NOT NULL)");
      dsl.execute("INSERT INTO account VALUES (0, 1000), (1, 1000), (2, 1000), (3, 1000)");

      // When 16 threads each move money 50 times, read then write, in jOOQ transactions
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
                    dsl.transaction(
                        tx -> {
                          long balance =
                              tx.dsl()
                                  .select(BALANCE)
                                  .from(ACCOUNT)
                                  .where(ACCOUNT_ID.eq(from))
                                  .fetchOne(BALANCE);
                          tx.dsl()
                              .update(ACCOUNT)
                              .set(BALANCE, balance - 1)
                              .where(ACCOUNT_ID.eq(from))
                              .execute();
                          tx.dsl()
                              .update(ACCOUNT)
                              .set(BALANCE, BALANCE.plus(1))
                              .where(ACCOUNT_ID.eq(to))
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
      assertThat(target.count("SELECT sum(balance) FROM account")).isEqualTo(4000);
      assertThat(target.query("SELECT balance FROM account ORDER BY id"))
          .containsExactly(1000, 1000, 1000, 1000);
    }
  }

  /**
   * Sluice's {@code inTransaction} repeats a unit that throws a {@code SQLException} with SQLState
   * 40001; jOOQ throws its unchecked {@code DataAccessException} around it, so the unit hands the
   * cause on ({@link #jdbc}).
   */
  @Test
  void aUnitThatMetAnotherProcessesLockIsRetriedWhole() throws Exception {
    assertUnitRetriedWhole(true);
  }

  /**
   * Issue 22 item 3, found here: {@code SluiceDataSource.inTransaction} repeats a unit whose 40001
   * arrives wrapped in an unchecked exception (jOOQ's {@code DataAccessException}; JDBI's and
   * Spring's likewise), looking through the cause chain.
   */
  @Test
  void aUnitWhoseJooqExceptionCarries40001IsRetriedWhole() throws Exception {
    assertUnitRetriedWhole(false);
  }

  private void assertUnitRetriedWhole(boolean unwrap) throws Exception {
    // Given a Sluice data source that gives up on a lock quickly, and another process (a plain
    // sqlite-jdbc connection) holding the write lock
    Path file = dir.resolve("app.db");
    try (SluiceDataSource ds =
        SluiceDataSource.builder()
            .url("jdbc:sqlite:" + file)
            .option("sluice.retry.attempts", "2")
            .meterRegistry(new SimpleMeterRegistry())
            .build()) {
      DSL.using(ds, SQLDialect.SQLITE)
          .execute("CREATE TABLE account (id INTEGER PRIMARY KEY, balance INTEGER NOT NULL)");
      DSL.using(ds, SQLDialect.SQLITE).execute("INSERT INTO account VALUES (0, 10)");
      AtomicInteger attempts = new AtomicInteger();
      try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + file);
          Statement lock = other.createStatement()) {
        lock.execute("BEGIN IMMEDIATE");

        // When a jOOQ unit runs in Sluice's retried transaction; its second attempt finds the
        // lock released (the other process committed meanwhile)
        long balance =
            ds.inTransaction(
                c -> {
                  if (attempts.incrementAndGet() == 2) {
                    lock.execute("COMMIT");
                  }
                  DSLContext tx = DSL.using(c, SQLDialect.SQLITE);
                  return jdbc(
                      unwrap,
                      () -> {
                        tx.update(ACCOUNT)
                            .set(BALANCE, BALANCE.plus(5))
                            .where(ACCOUNT_ID.eq(0))
                            .execute();
                        return tx.select(BALANCE)
                            .from(ACCOUNT)
                            .where(ACCOUNT_ID.eq(0))
                            .fetchOne(BALANCE);
                      });
                });

        // Then the first attempt failed on the lock, the second committed, once
        assertThat(attempts).hasValue(2);
        assertThat(balance).isEqualTo(15);
      }
      assertThat(DSL.using(ds, SQLDialect.SQLITE).fetchValue("SELECT balance FROM account"))
          .isEqualTo(15);
    }
  }

  /** Runs jOOQ code and, when asked, throws the SQLException inside jOOQ's exception instead. */
  private static <T> T jdbc(boolean unwrap, Callable<T> jooq) throws SQLException {
    try {
      return jooq.call();
    } catch (DataAccessException e) {
      if (unwrap && e.getCause() instanceof SQLException cause) {
        throw cause;
      }
      throw e;
    } catch (SQLException | RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void aReadOnlyTransactionReadsOneSnapshotAndRefusesWritesWith25006() throws Exception {
    try (Target target = Target.open(Access.SLUICE_DATA_SOURCE, dir.resolve("app.db"))) {
      // Given a table with one row
      SluiceDataSource ds = (SluiceDataSource) target.dataSource();
      DSLContext dsl = DSL.using(ds, SQLDialect.SQLITE);
      KeyedInserts.createTable(ds);
      dsl.insertInto(ITEM).set(THREAD, 1).set(SEQ, 1).execute();

      // When a read-only transaction reads, another connection writes, and it reads again
      List<Integer> counts =
          ds.inReadOnlyTransaction(
              c -> {
                DSLContext ro = DSL.using(c, SQLDialect.SQLITE);
                int before = ro.fetchCount(ITEM);
                dsl.insertInto(ITEM).set(THREAD, 2).set(SEQ, 2).execute();
                return List.of(before, ro.fetchCount(ITEM));
              });

      // Then both reads see the same snapshot, and the write after it is there
      assertThat(counts).containsExactly(1, 1);
      assertThat(dsl.fetchCount(ITEM)).isEqualTo(2);

      // And a write inside a read-only transaction fails with 25006, through jOOQ's exception
      assertThatThrownBy(
              () ->
                  ds.inReadOnlyTransaction(
                      c -> DSL.using(c, SQLDialect.SQLITE).deleteFrom(ITEM).execute()))
          .satisfies(
              e -> {
                Throwable cause = e instanceof DataAccessException d ? d.getCause() : e;
                assertThat(((SQLException) cause).getSQLState()).isEqualTo("25006");
              });
      assertThat(dsl.fetchCount(ITEM)).isEqualTo(2);
    }
  }
}
