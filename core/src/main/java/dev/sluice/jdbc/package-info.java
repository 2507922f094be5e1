/**
 * JDBC mechanics that know nothing of routing: the forwarding and detached result sets and the
 * recorded parameters of a prepared statement. A leaf: imports only {@code error}. Internal, no
 * compatibility promise.
 */
package dev.sluice.jdbc;
