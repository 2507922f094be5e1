package dev.sluice.examples.jpa;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;

/**
 * Money moved from one {@link Account} to another, recorded in the same transaction that changes
 * both balances. A JPA entity: not thread-safe, used inside one transaction.
 */
@Entity
public class Transfer {
  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  private Long id;

  @ManyToOne(fetch = FetchType.LAZY, optional = false)
  @JoinColumn(name = "from_account")
  private Account from;

  @ManyToOne(fetch = FetchType.LAZY, optional = false)
  @JoinColumn(name = "to_account")
  private Account to;

  @Column(nullable = false)
  private long amount;

  protected Transfer() {}

  Transfer(Account from, Account to, long amount) {
    this.from = from;
    this.to = to;
    this.amount = amount;
  }

  public Long getId() {
    return id;
  }

  public Account getFrom() {
    return from;
  }

  public Account getTo() {
    return to;
  }

  public long getAmount() {
    return amount;
  }
}
