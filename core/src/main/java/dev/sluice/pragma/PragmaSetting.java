package dev.sluice.pragma;

import java.util.Objects;

/**
 * One pragma to apply on a physical connection, as {@code PRAGMA name=value}. Immutable and
 * thread-safe.
 *
 * @param name the pragma name, lower case
 * @param value the value to apply: a keyword or an integer, already validated
 * @param verified whether a different read-back value fails the open; when false it is logged
 */
public record PragmaSetting(String name, String value, boolean verified) {
  public PragmaSetting {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(value, "value");
  }
}
