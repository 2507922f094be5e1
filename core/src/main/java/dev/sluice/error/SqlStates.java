package dev.sluice.error;

/**
 * The standard SQLStates Sluice reports. Every state here is listed in {@code docs/design.md}; we
 * never invent states. Constants only, thread-safe.
 */
public final class SqlStates {
  public static final String INTEGRITY_CONSTRAINT = "23000";
  public static final String NOT_NULL_VIOLATION = "23502";
  public static final String FOREIGN_KEY_VIOLATION = "23503";
  public static final String UNIQUE_VIOLATION = "23505";
  public static final String CHECK_VIOLATION = "23514";
  public static final String SERIALIZATION_FAILURE = "40001";
  public static final String COMPLETION_UNKNOWN = "40003";
  public static final String INVALID_TRANSACTION_STATE = "25000";
  public static final String ACTIVE_TRANSACTION = "25001";
  public static final String READ_ONLY_TRANSACTION = "25006";
  public static final String DISK_FULL = "53100";
  public static final String CANNOT_CONNECT = "08001";
  public static final String CONNECTION_DOES_NOT_EXIST = "08003";
  public static final String CONNECTION_FAILURE = "08006";
  public static final String SYNTAX_OR_ACCESS = "42000";
  public static final String DATA_EXCEPTION = "22000";
  public static final String STRING_TOO_LONG = "22001";
  public static final String INVALID_PARAMETER_VALUE = "22023";
  public static final String DATATYPE_MISMATCH = "22005";
  public static final String QUERY_CANCELED = "57014";
  public static final String FEATURE_NOT_SUPPORTED = "0A000";
  public static final String FUNCTION_SEQUENCE = "HY010";

  private SqlStates() {}
}
