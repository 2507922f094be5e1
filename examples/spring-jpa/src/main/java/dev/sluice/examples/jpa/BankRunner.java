package dev.sluice.examples.jpa;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.CommandLineRunner;
import org.springframework.stereotype.Component;

/**
 * One round of work at startup: opens two accounts the first time, moves money from the richer to
 * the poorer, logs the totals. Stateless.
 */
@Component
class BankRunner implements CommandLineRunner {
  private static final Logger LOG = LoggerFactory.getLogger(BankRunner.class);

  private final BankService bank;
  private final AccountRepository accounts;

  BankRunner(BankService bank, AccountRepository accounts) {
    this.bank = bank;
    this.accounts = accounts;
  }

  @Override
  public void run(String... args) {
    Account alice = accounts.findByOwner("alice").orElseGet(() -> bank.open("alice", 10_000));
    Account bob = accounts.findByOwner("bob").orElseGet(() -> bank.open("bob", 5_000));
    boolean aliceRicher = alice.getBalance() >= bob.getBalance();
    long transfer =
        aliceRicher
            ? bank.transfer(alice.getId(), bob.getId(), 1_000)
            : bank.transfer(bob.getId(), alice.getId(), 1_000);
    BankService.Summary summary = bank.summary();
    LOG.info(
        "Transfer {} recorded; {} accounts, {} transfers, total balance {}; the read-only summary"
            + " ran on {}",
        transfer,
        summary.accounts(),
        summary.transfers(),
        summary.totalBalance(),
        summary.onReader() ? "a reader (query_only=1)" : "a connection that may write");
  }
}
