package dev.sluice.jdbc;

import dev.sluice.error.Errors;
import java.sql.JDBCType;
import java.sql.ParameterMetaData;
import java.sql.SQLException;

/**
 * Parameter metadata as plain sqlite-jdbc gives it. SQLite parameters have no declared type:
 * sqlite-jdbc answers the type of the value bound now (BIGINT for a long, VARCHAR for a string,
 * NULL for one not bound), fails when nothing is bound yet, and reports every parameter as a
 * nullable, signed input of class {@code java.lang.String}. The count is fixed; the types are asked
 * of {@link Types} at each call, so they follow later binds as on plain. Immutable and thread-safe;
 * the types it reports are those of the statement, which is not.
 */
public final class ParameterInfo implements ParameterMetaData {
  /** The JDBC type sqlite-jdbc reports for a parameter with the statement's current binds. */
  @FunctionalInterface
  public interface Types {
    int of(int param) throws SQLException;
  }

  private final int count;
  private final Types types;

  public ParameterInfo(int count, Types types) {
    this.count = count;
    this.types = types;
  }

  @Override
  public int getParameterCount() {
    return count;
  }

  @Override
  public int isNullable(int param) {
    return parameterNullable;
  }

  @Override
  public boolean isSigned(int param) {
    return true;
  }

  @Override
  public int getPrecision(int param) {
    return 0;
  }

  @Override
  public int getScale(int param) {
    return 0;
  }

  @Override
  public int getParameterType(int param) throws SQLException {
    return types.of(param);
  }

  @Override
  public String getParameterTypeName(int param) throws SQLException {
    return JDBCType.valueOf(types.of(param)).getName();
  }

  @Override
  public String getParameterClassName(int param) {
    return String.class.getName();
  }

  @Override
  public int getParameterMode(int param) {
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
