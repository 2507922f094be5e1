/**
 * Retry of SQLITE_BUSY and SQLITE_LOCKED where it is safe, on Failsafe policies built once per
 * engine, and the mapping of Failsafe's outcome back to JDBC exceptions. Internal, no compatibility
 * promise.
 */
package dev.sluice.retry;
