package dev.sluice.sql;

/**
 * A parsed {@code PRAGMA [schema.]name [= value | (value)]} statement.
 *
 * @param schema the schema as written without quotes, or null if the pragma is not qualified
 * @param name the pragma name in lower case
 * @param value null for the read form; otherwise the argument as written, without quotes (a sign is
 *     kept: {@code -2000})
 */
public record PragmaCall(String schema, String name, String value) {}
