package dev.sluice.spring.slice;

import java.util.List;
import org.springframework.data.jpa.repository.JpaRepository;

/** Spring Data JPA repository of {@link Item}. */
interface ItemRepository extends JpaRepository<Item, Long> {
  List<Item> findByName(String name);
}
