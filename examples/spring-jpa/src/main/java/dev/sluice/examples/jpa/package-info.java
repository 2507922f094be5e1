/**
 * A small Spring Boot + Spring Data JPA + Hibernate bank on Sluice: accounts, transfers between
 * them, read-only and read-write transactions, run once by a command-line runner.
 */
package dev.sluice.examples.jpa;
