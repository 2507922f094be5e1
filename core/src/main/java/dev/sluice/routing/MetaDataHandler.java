package dev.sluice.routing;

import dev.sluice.error.Errors;
import dev.sluice.jdbc.Physical;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * {@link DatabaseMetaData} of a logical connection: each call borrows a physical connection (the
 * one the logical connection holds, else a reader), asks sqlite-jdbc's metadata, and gives the
 * connection back — when a result set is returned, only once that result set is closed.
 *
 * <p>A {@link Proxy} is acceptable here: the interface is wide and cold (schema tools and ORMs at
 * start-up), never on a per-statement path. Thread-safety follows the logical connection's.
 */
final class MetaDataHandler implements InvocationHandler {
  private final LogicalConnection conn;

  private MetaDataHandler(LogicalConnection conn) {
    this.conn = conn;
  }

  static DatabaseMetaData create(LogicalConnection conn) {
    return (DatabaseMetaData)
        Proxy.newProxyInstance(
            MetaDataHandler.class.getClassLoader(),
            new Class<?>[] {DatabaseMetaData.class},
            new MetaDataHandler(conn));
  }

  @Override
  public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
    switch (method.getName()) {
      case "equals":
        return proxy == args[0];
      case "hashCode":
        return System.identityHashCode(proxy);
      case "toString":
        return "SluiceDatabaseMetaData[" + conn + "]";
      case "getConnection":
        return conn;
      case "isReadOnly":
        // As on plain, whose answer is its connection's: the reader asked is read-write.
        return conn.isReadOnly();
      case "getURL":
        // The URL as the application names the database: through Sluice (a documented difference).
        String url = (String) call(method, args);
        return url != null && url.startsWith("jdbc:sqlite:")
            ? "jdbc:sluice:" + url.substring(5)
            : url;
      case "unwrap":
        Class<?> iface = (Class<?>) args[0];
        if (iface.isInstance(proxy)) {
          return proxy;
        }
        throw Errors.unsupported("unwrap(" + iface.getName() + ") of Sluice's DatabaseMetaData");
      case "isWrapperFor":
        return ((Class<?>) args[0]).isInstance(proxy);
      default:
        return call(method, args);
    }
  }

  private Object call(Method method, Object[] args) throws SQLException {
    Lease lease = conn.metadataLease();
    boolean handedOver = false;
    try {
      if (lease.isReader()) {
        // sqlite-jdbc's metadata reads the schema through pragmas: see Physical.refreshSchema.
        Physical.refreshSchema(lease.connection);
      }
      Object result = method.invoke(lease.connection.getMetaData(), args);
      if (result instanceof ResultSet physical) {
        // Only the writer has Sluice's own TEMP table.
        ResultSet rows = lease.isReader() ? physical : WithoutSentinel.of(physical, args);
        // As on plain sqlite-jdbc, the rows have a statement (callers close it with them).
        Statement owner = conn.createStatement();
        handedOver = true;
        if (!lease.isReader()) {
          conn.keepsWriter();
        }
        LogicalResultSet[] self = new LogicalResultSet[1];
        self[0] =
            new LogicalResultSet(
                rows,
                owner,
                () -> {
                  conn.metadataClosed(self[0]);
                  conn.end(lease, null, false, false);
                  owner.close();
                });
        return conn.trackMetadata(self[0]);
      }
      return result;
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause();
      if (cause instanceof SQLException sql) {
        throw Errors.translate(sql);
      }
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw Errors.unsupported("DatabaseMetaData." + method.getName() + ": " + cause);
    } catch (IllegalAccessException e) {
      throw Errors.unsupported("DatabaseMetaData." + method.getName());
    } finally {
      if (!handedOver) {
        conn.end(lease, null, false, false);
      }
    }
  }
}
