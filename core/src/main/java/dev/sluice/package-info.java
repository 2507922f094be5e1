/**
 * Sluice: a drop-in JDBC driver and {@link javax.sql.DataSource} for SQLite that sends reads to a
 * pool of reader connections and every write through one single writer.
 */
package dev.sluice;
