package dev.sluice.examples.jpa;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The baseline for the comparison the issue asks for: the same app and the same concurrent work as
 * {@link SluiceBankIT}, on Spring Boot's default HikariCP pool over plain sqlite-jdbc ({@code
 * jdbc:sqlite:}, sqlite-jdbc's defaults). Failures are logged, not asserted: this test records what
 * Sluice replaces. It asserts only that the baseline really is Boot's pool and that the work ran.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.NONE,
    // Hibernate logs every SQLITE_BUSY twice; the counts below say it once.
    properties = "logging.level.org.hibernate.orm.jdbc.error=off")
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class HikariBaselineIT {
  private static final Logger LOG = LoggerFactory.getLogger(HikariBaselineIT.class);

  @TempDir static Path dir;

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    registry.add(
        "spring.datasource.url",
        () -> "jdbc:sqlite:" + dir.resolve("hikari.db") + "?foreign_keys=on");
  }

  @Autowired BankService bank;
  @Autowired AccountRepository accounts;
  @Autowired DataSource dataSource;
  @Autowired PlatformTransactionManager transactions;

  @Test
  void concurrentTransfersOnBootsDefaultPool() throws Exception {
    assertThat(dataSource).isInstanceOf(HikariDataSource.class);
    List<Long> ids = new ArrayList<>();
    for (int i = 0; i < BankLoad.ACCOUNTS; i++) {
      ids.add(bank.open("transfer-" + i, BankLoad.OPENING_BALANCE).getId());
    }
    AtomicIntegerArray succeeded = new AtomicIntegerArray(BankLoad.THREADS);

    BankLoad.Outcome outcome =
        BankLoad.transfers(bank, ids, SluiceBankIT.TRANSFERS_PER_THREAD, succeeded);

    long[] expected = BankLoad.expectedBalances(succeeded);
    int wrongBalances = 0;
    long total = 0;
    for (int i = 0; i < BankLoad.ACCOUNTS; i++) {
      long balance = accounts.findById(ids.get(i)).orElseThrow().getBalance();
      total += balance;
      if (balance != expected[i]) {
        wrongBalances++;
      }
    }
    LOG.info(
        "HikariCP + plain sqlite-jdbc, concurrent transfers: {}; {} of {} balances differ from the"
            + " committed transfers; total {} (expected {})",
        outcome.describe(),
        wrongBalances,
        BankLoad.ACCOUNTS,
        total,
        BankLoad.ACCOUNTS * BankLoad.OPENING_BALANCE);
    assertThat(outcome.attempted()).isEqualTo(BankLoad.THREADS * SluiceBankIT.TRANSFERS_PER_THREAD);
  }

  @Test
  void concurrentInsertsOnBootsDefaultPool() throws Exception {
    Map<Long, String> ids = new ConcurrentHashMap<>();
    AtomicInteger duplicates = new AtomicInteger();

    BankLoad.Outcome outcome =
        BankLoad.inserts(bank, "insert", SluiceBankIT.INSERTS_PER_THREAD, ids, duplicates);

    int wrongRows = 0;
    for (Map.Entry<Long, String> e : ids.entrySet()) {
      if (!accounts.findById(e.getKey()).map(Account::getOwner).orElse("").equals(e.getValue())) {
        wrongRows++;
      }
    }
    LOG.info(
        "HikariCP + plain sqlite-jdbc, concurrent inserts: {}; {} duplicate ids, {} ids naming"
            + " another row",
        outcome.describe(),
        duplicates,
        wrongRows);
    assertThat(outcome.attempted()).isEqualTo(BankLoad.THREADS * SluiceBankIT.INSERTS_PER_THREAD);
  }

  @Test
  void duplicateKeyAndReadOnlyWriteOnBootsDefaultPool() {
    bank.open("duplicate", 1);
    String duplicate;
    try {
      bank.open("duplicate", 2);
      duplicate = "no exception";
    } catch (RuntimeException e) {
      duplicate = e.getClass().getSimpleName() + " (SQLState " + SluiceBankIT.sqlState(e) + ")";
    }
    TransactionTemplate readOnly = new TransactionTemplate(transactions);
    readOnly.setReadOnly(true);
    String readOnlyWrite;
    try {
      readOnly.executeWithoutResult(s -> accounts.saveAndFlush(new Account("ro", 1)));
      readOnlyWrite = accounts.findByOwner("ro").isPresent() ? "written" : "not written";
    } catch (RuntimeException e) {
      readOnlyWrite = e.getClass().getSimpleName();
    }
    LOG.info(
        "HikariCP + plain sqlite-jdbc: duplicate key gives {}; a write in a read-only"
            + " transaction: {}",
        duplicate,
        readOnlyWrite);
    assertThat(duplicate).isNotEqualTo("no exception");
  }
}
