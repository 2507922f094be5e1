/**
 * The single writer: one physical connection, a first-come first-served queue, the owner of the
 * current hold, the held-too-long warning and replacement of a broken connection. Internal, no
 * compatibility promise.
 */
package dev.sluice.writer;
