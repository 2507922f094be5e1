package dev.sluice.driver;

import dev.sluice.error.Errors;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * Where HikariCP gets new reader connections: opens a physical sqlite-jdbc connection, applies and
 * verifies the reader pragmas ({@code query_only=1} among them). Thread-safe.
 */
final class OpenerSource implements DataSource {
  private final Engine.PhysicalOpener opener;

  OpenerSource(Engine.PhysicalOpener opener) {
    this.opener = opener;
  }

  @Override
  public Connection getConnection() throws SQLException {
    return opener.open();
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    return getConnection();
  }

  @Override
  public PrintWriter getLogWriter() {
    return null;
  }

  @Override
  public void setLogWriter(PrintWriter out) {
    // Sluice logs through SLF4J.
  }

  // HikariCP sets this and waits as long for its connection-adding thread at shutdown.
  private volatile int loginTimeout;

  @Override
  public void setLoginTimeout(int seconds) {
    loginTimeout = seconds;
  }

  @Override
  public int getLoginTimeout() {
    return loginTimeout;
  }

  @Override
  public Logger getParentLogger() {
    return Logger.getLogger("dev.sluice");
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    if (iface.isInstance(this)) {
      return iface.cast(this);
    }
    throw Errors.unsupported("unwrap(" + iface.getName() + ") of an internal data source");
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) {
    return iface.isInstance(this);
  }
}
