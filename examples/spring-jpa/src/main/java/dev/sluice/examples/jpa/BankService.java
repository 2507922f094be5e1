package dev.sluice.examples.jpa;

import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The bank's units of work. Read-write methods run on Sluice's single writer from their first
 * statement ({@code BEGIN IMMEDIATE}), so a read-modify-write such as {@link #transfer} never fails
 * with SQLITE_BUSY and never loses an update; read-only methods run on a reader, in parallel with
 * the writer. Thread-safe (stateless apart from the repositories).
 */
@Service
public class BankService {
  private final AccountRepository accounts;
  private final TransferRepository transfers;

  BankService(AccountRepository accounts, TransferRepository transfers) {
    this.accounts = accounts;
    this.transfers = transfers;
  }

  /** Opens an account; a second account for the same owner fails with a duplicate key. */
  @Transactional
  public Account open(String owner, long balance) {
    return accounts.save(new Account(owner, balance));
  }

  /**
   * Moves {@code amount} from one account to another and records the transfer: read both, check,
   * change both, insert; all in one transaction.
   *
   * @return the id of the recorded transfer
   * @throws IllegalStateException when the source account has less than {@code amount}
   */
  @Transactional
  public long transfer(long fromId, long toId, long amount) {
    Account from = accounts.findById(fromId).orElseThrow();
    Account to = accounts.findById(toId).orElseThrow();
    if (from.getBalance() < amount) {
      throw new IllegalStateException(
          from.getOwner() + " has " + from.getBalance() + ", cannot transfer " + amount);
    }
    from.add(-amount);
    to.add(amount);
    return transfers.save(new Transfer(from, to, amount)).getId();
  }

  /** The bank's totals, read from one snapshot on a reader. */
  @Transactional(readOnly = true)
  public Summary summary() {
    return new Summary(
        accounts.count(), transfers.count(), accounts.totalBalance(), accounts.queryOnly() == 1);
  }

  /**
   * The bank's totals.
   *
   * @param accounts number of accounts
   * @param transfers number of transfers
   * @param totalBalance sum of all balances
   * @param onReader whether the transaction's connection refused writes (a Sluice reader)
   */
  public record Summary(long accounts, long transfers, long totalBalance, boolean onReader) {}
}
