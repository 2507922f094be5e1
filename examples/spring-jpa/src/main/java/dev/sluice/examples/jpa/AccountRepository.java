package dev.sluice.examples.jpa;

import java.util.Optional;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Query;

/** Accounts. A Spring Data repository: the proxy Spring makes is thread-safe. */
public interface AccountRepository extends JpaRepository<Account, Long> {

  Optional<Account> findByOwner(String owner);

  @Query("select coalesce(sum(a.balance), 0) from Account a")
  long totalBalance();

  /**
   * 1 when the transaction's connection refuses writes, 0 when it may write: under Sluice a
   * read-only transaction runs on a reader ({@code query_only=1}) and a read-write one on the
   * writer.
   */
  @Query(value = "PRAGMA query_only", nativeQuery = true)
  long queryOnly();
}
