/**
 * Liquibase extension: a database that names Sluice's driver for {@code jdbc:sluice:sqlite:} URLs.
 * The only public type is the extension Liquibase's service locator instantiates.
 */
package dev.sluice.liquibase;
