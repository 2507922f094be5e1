/**
 * SQL text: the allocation-free lexer and classifier that decides where a statement may run, pragma
 * parsing, and the rewrite of per-connection functions. A leaf: imports nothing of Sluice.
 * Internal, no compatibility promise.
 */
package dev.sluice.sql;
