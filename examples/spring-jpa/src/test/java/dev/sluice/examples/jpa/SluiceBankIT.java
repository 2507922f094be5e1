package dev.sluice.examples.jpa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.SluiceDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ApplicationContext;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The example app on Sluice ({@code jdbc:sluice:sqlite:} from application.properties, a fresh file
 * per run): concurrent read-modify-write transactions and IDENTITY inserts through Spring Data JPA
 * and Hibernate's community SQLiteDialect, error translation, and where read-only and read-write
 * transactions run.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class SluiceBankIT {
  private static final Logger LOG = LoggerFactory.getLogger(SluiceBankIT.class);
  static final int TRANSFERS_PER_THREAD = 25;
  static final int INSERTS_PER_THREAD = 25;

  @TempDir static Path dir;

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    registry.add(
        "spring.datasource.url",
        () -> "jdbc:sluice:sqlite:" + dir.resolve("bank.db") + "?foreign_keys=on");
  }

  @Autowired BankService bank;
  @Autowired AccountRepository accounts;
  @Autowired DataSource dataSource;
  @Autowired MeterRegistry registry;
  @Autowired PlatformTransactionManager transactions;
  @Autowired ApplicationContext context;

  @Test
  void theApplicationRunsOnASluiceDataSource() {
    assertThat(dataSource).isInstanceOf(SluiceDataSource.class);
    assertThat(accounts.findByOwner("alice")).as("opened by the command-line runner").isPresent();
  }

  @Test
  void flywayMigratedTheSchemaThroughSluiceAndForeignKeysStayOn() throws SQLException {
    // Given the started application (Flyway ran V1 and the table rebuild V2 at startup)
    Flyway flyway = context.getBean(Flyway.class);

    // When its history and the application's own connection are read
    String version = flyway.info().current().getVersion().getVersion();
    int foreignKeys;
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("PRAGMA foreign_keys")) {
      rs.next();
      foreignKeys = rs.getInt(1);
    }

    // Then both migrations are applied through the Sluice DataSource, the rebuilt table has its
    // CHECK, and the PRAGMA foreign_keys=OFF of V2 stayed on Flyway's connection
    assertThat(version).isEqualTo("2");
    assertThat(flyway.info().applied()).allMatch(m -> m.getState().isApplied());
    assertThat(foreignKeys).isEqualTo(1);
    long alice = accounts.findByOwner("alice").orElseThrow().getId();
    assertThatThrownBy(() -> bank.transfer(alice, alice, 0))
        .isInstanceOf(DataIntegrityViolationException.class);
  }

  @Test
  void actuatorSeesSluiceAndBootsPoolMetricsCountReadersAndWriter() {
    Health sluice = context.getBean("sluiceHealthIndicator", HealthIndicator.class).health();
    Health db = context.getBean("dbHealthContributor", HealthIndicator.class).health();

    assertThat(sluice.getStatus()).isEqualTo(Status.UP);
    assertThat(sluice.getDetails())
        .containsEntry("journalMode", "wal")
        .containsKeys("walBytes", "writerQueue");
    assertThat(db.getStatus()).isEqualTo(Status.UP);
    // Boot's own pool meters count the 4 readers and the writer (and never unwrap the pool).
    assertThat(registry.get("jdbc.connections.max").gauge().value()).isEqualTo(5.0);
    assertThat(registry.get("hikaricp.connections.max").tag("pool", "bank-readers").gauge())
        .isNotNull();
  }

  @Test
  void concurrentTransfersAllCommitAndConserveEveryBalance() throws Exception {
    List<Long> ids = new ArrayList<>();
    for (int i = 0; i < BankLoad.ACCOUNTS; i++) {
      ids.add(bank.open("transfer-" + i, BankLoad.OPENING_BALANCE).getId());
    }
    AtomicIntegerArray succeeded = new AtomicIntegerArray(BankLoad.THREADS);

    BankLoad.Outcome outcome = BankLoad.transfers(bank, ids, TRANSFERS_PER_THREAD, succeeded);
    LOG.info("Sluice, concurrent transfers: {}", outcome.describe());

    assertThat(outcome.failed()).as("failures %s", outcome.failures()).isZero();
    long[] expected = BankLoad.expectedBalances(succeeded);
    for (int i = 0; i < BankLoad.ACCOUNTS; i++) {
      assertThat(accounts.findById(ids.get(i)).orElseThrow().getBalance())
          .as("balance of account %d", i)
          .isEqualTo(expected[i]);
    }
    long total = 0;
    for (long id : ids) {
      total += accounts.findById(id).orElseThrow().getBalance();
    }
    assertThat(total).isEqualTo(BankLoad.ACCOUNTS * BankLoad.OPENING_BALANCE);
  }

  @Test
  void concurrentInsertsGetUniqueIdsThatNameTheirOwnRows() throws Exception {
    Map<Long, String> ids = new ConcurrentHashMap<>();
    AtomicInteger duplicates = new AtomicInteger();

    BankLoad.Outcome outcome =
        BankLoad.inserts(bank, "insert", INSERTS_PER_THREAD, ids, duplicates);
    LOG.info("Sluice, concurrent inserts: {}, {} duplicate ids", outcome.describe(), duplicates);

    assertThat(outcome.failed()).as("failures %s", outcome.failures()).isZero();
    assertThat(duplicates).hasValue(0);
    assertThat(ids).hasSize(BankLoad.THREADS * INSERTS_PER_THREAD);
    ids.forEach(
        (id, owner) ->
            assertThat(accounts.findById(id).orElseThrow().getOwner())
                .as("owner of id %d", id)
                .isEqualTo(owner));
  }

  @Test
  void duplicateOwnerIsADataIntegrityViolation() {
    bank.open("duplicate", 1);

    assertThatThrownBy(() -> bank.open("duplicate", 2))
        .isInstanceOf(DataIntegrityViolationException.class)
        .satisfies(e -> assertThat(sqlState(e)).isEqualTo("23505"));
    assertThat(accounts.findByOwner("duplicate").orElseThrow().getBalance()).isEqualTo(1);
  }

  @Test
  void readOnlyServiceMethodRunsOnAReader() {
    double readTransactions = readCommits();

    BankService.Summary summary = bank.summary();

    assertThat(summary.onReader()).as("PRAGMA query_only inside the transaction").isTrue();
    assertThat(readCommits()).isEqualTo(readTransactions + 1);
  }

  @Test
  void readWriteTransactionRunsOnTheWriter() {
    long queryOnly = new TransactionTemplate(transactions).execute(s -> accounts.queryOnly());

    assertThat(queryOnly).isZero();
  }

  @Test
  void writeInsideAReadOnlyTransactionFailsAndWritesNothing() {
    TransactionTemplate readOnly = new TransactionTemplate(transactions);
    readOnly.setReadOnly(true);

    assertThatThrownBy(
            () -> readOnly.executeWithoutResult(s -> accounts.saveAndFlush(new Account("ro", 1))))
        .satisfies(e -> assertThat(sqlState(e)).isEqualTo("25006"));
    assertThat(accounts.findByOwner("ro")).isEmpty();
    assertThat(bank.summary().onReader()).as("still usable").isTrue();
  }

  @Test
  void requiresNewInsideAWriteTransactionFailsFastInsteadOfDeadlocking() throws Exception {
    TransactionTemplate outer = new TransactionTemplate(transactions);
    TransactionTemplate inner = new TransactionTemplate(transactions);
    inner.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);

    CompletableFuture<Throwable> failure =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                outer.executeWithoutResult(
                    s -> {
                      accounts.save(new Account("outer", 1));
                      inner.executeWithoutResult(t -> accounts.save(new Account("inner", 1)));
                    });
                return null;
              } catch (RuntimeException e) {
                return e;
              }
            });

    Throwable e = failure.get(30, TimeUnit.SECONDS);
    assertThat(e).isNotNull();
    assertThat(sqlState(e)).isEqualTo("25001");
    assertThat(accounts.findByOwner("outer")).as("the outer transaction rolled back").isEmpty();
    assertThat(accounts.findByOwner("inner")).isEmpty();
  }

  /**
   * REQUIRES_NEW inside a transaction that has so far only read: plain SQLite's deferred
   * transaction holds no write lock yet, so the inner transaction commits; so does Sluice's (the
   * outer transaction steps aside to a reader, design.md "A transaction that has only read").
   */
  @Test
  void requiresNewInsideATransactionThatHasOnlyReadCommits() {
    TransactionTemplate outer = new TransactionTemplate(transactions);
    TransactionTemplate inner = new TransactionTemplate(transactions);
    inner.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
    accounts.saveAndFlush(new Account("looked-up", 1));

    boolean outerSawInner =
        outer.execute(
            s -> {
              assertThat(accounts.findByOwner("looked-up")).isPresent();
              inner.executeWithoutResult(t -> accounts.save(new Account("audit", 1)));
              // The outer transaction reads the snapshot it began with, as on plain.
              return accounts.findByOwner("audit").isPresent();
            });

    assertThat(outerSawInner).isFalse();
    assertThat(accounts.findByOwner("audit")).as("the inner transaction committed").isPresent();
  }

  /**
   * Spring's NESTED (a JDBC savepoint) inside a transaction that has only read, and a REQUIRES_NEW
   * inside that: the inner transaction commits, as on plain SQLite; the savepoint goes with the
   * outer transaction to its reader and is released there (issue 22: before, 25001).
   */
  @Test
  void requiresNewInsideANestedTransactionThatHasOnlyReadCommits() {
    JdbcTransactionManager jdbcTransactions = new JdbcTransactionManager(dataSource);
    JdbcTemplate jdbc = new JdbcTemplate(dataSource);
    TransactionTemplate outer = new TransactionTemplate(jdbcTransactions);
    TransactionTemplate nested = new TransactionTemplate(jdbcTransactions);
    nested.setPropagationBehavior(TransactionDefinition.PROPAGATION_NESTED);
    TransactionTemplate inner = new TransactionTemplate(jdbcTransactions);
    inner.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);

    outer.executeWithoutResult(
        s -> {
          jdbc.queryForObject("SELECT count(*) FROM account", Long.class);
          nested.executeWithoutResult(
              n ->
                  inner.executeWithoutResult(
                      t ->
                          jdbc.update(
                              "INSERT INTO account (owner, balance) VALUES (?, ?)",
                              "audit-nested",
                              1)));
        });

    assertThat(accounts.findByOwner("audit-nested"))
        .as("the inner transaction committed")
        .isPresent();
  }

  /** ... and the outer transaction's own write after it fails as plain's: a stale snapshot. */
  @Test
  void aWriteOfTheOuterTransactionAfterTheInnerCommitFailsAsAStaleSnapshot() {
    TransactionTemplate outer = new TransactionTemplate(transactions);
    TransactionTemplate inner = new TransactionTemplate(transactions);
    inner.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);

    assertThatThrownBy(
            () ->
                outer.executeWithoutResult(
                    s -> {
                      accounts.findByOwner("nobody");
                      inner.executeWithoutResult(t -> accounts.save(new Account("inner-stale", 1)));
                      accounts.saveAndFlush(new Account("outer-stale", 1));
                    }))
        .satisfies(e -> assertThat(sqlState(e)).isEqualTo("40001"))
        .hasStackTraceContaining("SQLITE_BUSY_SNAPSHOT");
    assertThat(accounts.findByOwner("inner-stale")).isPresent();
    assertThat(accounts.findByOwner("outer-stale")).isEmpty();
  }

  @Test
  void innerWorkAfterTheOuterCommitIsThePatternThatWorks() {
    TransactionTemplate outer = new TransactionTemplate(transactions);
    TransactionTemplate inner = new TransactionTemplate(transactions);
    inner.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);

    outer.executeWithoutResult(
        s -> {
          accounts.save(new Account("outer-first", 1));
          TransactionSynchronizationManager.registerSynchronization(
              new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                  inner.executeWithoutResult(t -> accounts.save(new Account("inner-after", 1)));
                }
              });
        });

    assertThat(accounts.findByOwner("outer-first")).isPresent();
    assertThat(accounts.findByOwner("inner-after")).isPresent();
  }

  private double readCommits() {
    return registry
        .get("sluice.transactions")
        .tags("datasource", "bank", "mode", "read", "outcome", "commit")
        .timer()
        .count();
  }

  /** The SQLState of the first SQLException in the cause chain, or null. */
  static String sqlState(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql && sql.getSQLState() != null) {
        return sql.getSQLState();
      }
    }
    return null;
  }
}
