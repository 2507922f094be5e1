/**
 * Routing of each SQL statement to a reader or the single writer: the SQL classifier, the logical
 * JDBC objects and pinning. Internal, no compatibility promise.
 */
package dev.sluice.routing;
