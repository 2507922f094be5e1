package dev.sluice.examples.jpa;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;

/**
 * A bank account: a unique owner and a balance in cents. Its IDENTITY id is SQLite's rowid, read by
 * Hibernate with {@code select last_insert_rowid()} right after the insert. A JPA entity: not
 * thread-safe, used inside one transaction.
 */
@Entity
public class Account {
  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  private Long id;

  @Column(nullable = false, unique = true)
  private String owner;

  @Column(nullable = false)
  private long balance;

  protected Account() {}

  public Account(String owner, long balance) {
    this.owner = owner;
    this.balance = balance;
  }

  public Long getId() {
    return id;
  }

  public String getOwner() {
    return owner;
  }

  public long getBalance() {
    return balance;
  }

  void add(long amount) {
    this.balance += amount;
  }
}
