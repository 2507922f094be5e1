package dev.sluice.jdbc;

import dev.sluice.error.Errors;
import java.sql.ParameterMetaData;
import java.sql.SQLException;
import java.sql.Types;

/**
 * Parameter metadata as SQLite knows it: only the count. SQLite parameters have no declared type,
 * so, like sqlite-jdbc, every parameter is reported as a nullable VARCHAR-compatible input.
 * Immutable, thread-safe.
 */
public final class ParameterInfo implements ParameterMetaData {
  private final int count;

  public ParameterInfo(int count) {
    this.count = count;
  }

  private void check(int param) throws SQLException {
    if (param < 1 || param > count) {
      throw Errors.invalidArgument(
          "Parameter index " + param + " is out of range (1.." + count + ")");
    }
  }

  @Override
  public int getParameterCount() {
    return count;
  }

  @Override
  public int isNullable(int param) throws SQLException {
    check(param);
    return parameterNullable;
  }

  @Override
  public boolean isSigned(int param) throws SQLException {
    check(param);
    return true;
  }

  @Override
  public int getPrecision(int param) throws SQLException {
    check(param);
    return 0;
  }

  @Override
  public int getScale(int param) throws SQLException {
    check(param);
    return 0;
  }

  @Override
  public int getParameterType(int param) throws SQLException {
    check(param);
    return Types.VARCHAR;
  }

  @Override
  public String getParameterTypeName(int param) throws SQLException {
    check(param);
    return "VARCHAR";
  }

  @Override
  public String getParameterClassName(int param) throws SQLException {
    check(param);
    return String.class.getName();
  }

  @Override
  public int getParameterMode(int param) throws SQLException {
    check(param);
    return parameterModeIn;
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    if (iface.isInstance(this)) {
      return iface.cast(this);
    }
    throw Errors.unsupported("unwrap(" + iface.getName() + ") of ParameterMetaData");
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) {
    return iface.isInstance(this);
  }
}
