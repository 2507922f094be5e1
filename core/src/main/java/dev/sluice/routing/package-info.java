/**
 * The logical JDBC objects an application holds (connection, statements, result sets) and the
 * decision of which physical connection each statement runs on. Internal, no compatibility promise.
 */
package dev.sluice.routing;
