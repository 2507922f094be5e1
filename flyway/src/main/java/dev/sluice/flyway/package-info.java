/**
 * Flyway plugin: a database type that recognises {@code jdbc:sluice:sqlite:} URLs and names
 * Sluice's driver. The only public type is the plugin Flyway's {@link java.util.ServiceLoader}
 * instantiates.
 */
package dev.sluice.flyway;
