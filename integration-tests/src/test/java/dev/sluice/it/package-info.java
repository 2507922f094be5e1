/**
 * Frameworks through Sluice: Flyway, Liquibase, jOOQ and JDBI, each scenario run on plain
 * sqlite-jdbc and on Sluice, by {@code DataSource} and by URL. Tests only.
 */
package dev.sluice.it;
