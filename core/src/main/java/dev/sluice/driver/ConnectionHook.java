package dev.sluice.driver;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * What runs on every physical connection an engine opens, after its pragmas: the application's
 * initializer (functions, collations, extensions). Internal, no compatibility promise; the public
 * form is {@code dev.sluice.SluiceConnectionInitializer}.
 */
@FunctionalInterface
public interface ConnectionHook {
  /** The hook that does nothing. */
  ConnectionHook NONE = c -> {};

  void onOpen(Connection physical) throws SQLException;
}
