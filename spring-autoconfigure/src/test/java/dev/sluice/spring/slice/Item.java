package dev.sluice.spring.slice;

import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;

/**
 * An entity with an IDENTITY key, which Hibernate's SQLite dialect reads back with
 * last_insert_rowid().
 */
@Entity
class Item {
  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  private Long id;

  private String name;

  protected Item() {}

  Item(String name) {
    this.name = name;
  }

  Long getId() {
    return id;
  }

  String getName() {
    return name;
  }
}
