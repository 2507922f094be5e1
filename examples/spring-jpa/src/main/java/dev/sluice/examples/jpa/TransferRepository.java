package dev.sluice.examples.jpa;

import org.springframework.data.jpa.repository.JpaRepository;

/** Transfers. A Spring Data repository: the proxy Spring makes is thread-safe. */
public interface TransferRepository extends JpaRepository<Transfer, Long> {}
