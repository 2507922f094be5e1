package dev.sluice.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoMoreInteractions;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringReader;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URL;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Blob;
import java.sql.Clob;
import java.sql.Connection;
import java.sql.Date;
import java.sql.DriverManager;
import java.sql.JDBCType;
import java.sql.NClob;
import java.sql.Ref;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.RowId;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLType;
import java.sql.SQLWarning;
import java.sql.SQLXML;
import java.sql.Statement;
import java.sql.Time;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Calendar;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TimeZone;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ForwardingResultSet} forwards every {@link ResultSet} method unchanged (the one place that
 * uses reflection, to cover all of them), and {@link LogicalResultSet} changes only what it should.
 */
class ForwardingContractTest {

  private static List<Method> resultSetMethods() {
    List<Method> methods = new ArrayList<>();
    for (Method method : ResultSet.class.getMethods()) {
      if (!Modifier.isStatic(method.getModifiers())) {
        methods.add(method);
      }
    }
    methods.sort(Comparator.comparing(Method::toString));
    return methods;
  }

  @Test
  void theBaseDeclaresEveryResultSetMethodDefaultMethodsIncluded() {
    // Given the methods of java.sql.ResultSet, with its superinterfaces and default methods
    List<Method> methods = resultSetMethods();
    List<String> missing = new ArrayList<>();
    int defaults = 0;

    // When each is looked up among the methods ForwardingResultSet declares itself
    for (Method method : methods) {
      defaults += method.isDefault() ? 1 : 0;
      try {
        Method own =
            ForwardingResultSet.class.getDeclaredMethod(
                method.getName(), method.getParameterTypes());
        if (Modifier.isAbstract(own.getModifiers()) || !Modifier.isPublic(own.getModifiers())) {
          missing.add(method + " (not public and concrete)");
        }
      } catch (NoSuchMethodException e) {
        missing.add(method.toString());
      }
    }

    // Then none is missing, and the interface's default methods were among those checked
    assertThat(defaults).isGreaterThanOrEqualTo(4);
    assertThat(methods).hasSizeGreaterThanOrEqualTo(190);
    assertThat(missing).isEmpty();
  }

  @TestFactory
  Stream<DynamicTest> everyMethodCallsTheSameMethodOnTheTargetWithTheSameArguments() {
    Map<Class<?>, Object> samples = samples();
    return resultSetMethods().stream()
        .map(
            method ->
                DynamicTest.dynamicTest(
                    method.getName() + Arrays.toString(method.getParameterTypes()),
                    () -> {
                      // Given a forwarder whose target answers every call with a known value
                      ResultSet target =
                          mock(
                              ResultSet.class,
                              invocation ->
                                  sample(samples, invocation.getMethod().getReturnType()));
                      ForwardingResultSet forwarding =
                          new ForwardingResultSet() {
                            @Override
                            protected ResultSet target() {
                              return target;
                            }
                          };
                      Object[] arguments = arguments(samples, method);

                      // When the method is called on the forwarder
                      Object result = invoke(method, forwarding, arguments);

                      // Then the target got exactly that call, and its answer came back
                      invoke(method, verify(target), arguments);
                      verifyNoMoreInteractions(target);
                      if (method.getReturnType() != void.class) {
                        assertThat(result).isEqualTo(sample(samples, method.getReturnType()));
                      }
                    }));
  }

  /** Calls reflectively, rethrowing what the method threw so a failure reads plainly. */
  private static Object invoke(Method method, Object receiver, Object[] arguments)
      throws Throwable {
    try {
      return method.invoke(receiver, arguments);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  /** Distinct values per position, so swapped arguments would not match. */
  private static Object[] arguments(Map<Class<?>, Object> samples, Method method) {
    Class<?>[] types = method.getParameterTypes();
    Object[] arguments = new Object[types.length];
    for (int i = 0; i < types.length; i++) {
      Class<?> type = types[i];
      if (type == int.class) {
        arguments[i] = 10 + i;
      } else if (type == long.class) {
        arguments[i] = 20L + i;
      } else if (type == String.class) {
        arguments[i] = "argument" + i;
      } else {
        arguments[i] = sample(samples, type);
      }
    }
    return arguments;
  }

  private static Object sample(Map<Class<?>, Object> samples, Class<?> type) {
    if (type == void.class) {
      return null;
    }
    assertThat(samples).as("a sample value of %s", type).containsKey(type);
    return samples.get(type);
  }

  private static Map<Class<?>, Object> samples() {
    Map<Class<?>, Object> samples = new HashMap<>();
    samples.put(boolean.class, true);
    samples.put(byte.class, (byte) 3);
    samples.put(short.class, (short) 4);
    samples.put(int.class, 5);
    samples.put(long.class, 6L);
    samples.put(float.class, 7.5f);
    samples.put(double.class, 8.5);
    samples.put(String.class, "text");
    samples.put(Object.class, new Object());
    samples.put(byte[].class, new byte[] {1, 2});
    samples.put(BigDecimal.class, new BigDecimal("12.34"));
    samples.put(Date.class, new Date(86_400_000L));
    samples.put(Time.class, new Time(3_600_000L));
    samples.put(Timestamp.class, new Timestamp(1_000L));
    samples.put(InputStream.class, new ByteArrayInputStream(new byte[] {9}));
    samples.put(Reader.class, new StringReader("reader"));
    samples.put(Calendar.class, Calendar.getInstance(TimeZone.getTimeZone("UTC")));
    samples.put(Map.class, Map.of("type", String.class));
    samples.put(Class.class, Long.class);
    samples.put(SQLType.class, JDBCType.BIGINT);
    samples.put(SQLWarning.class, new SQLWarning("warning"));
    try {
      samples.put(URL.class, URI.create("https://example.org/").toURL());
    } catch (java.net.MalformedURLException e) {
      throw new AssertionError(e);
    }
    for (Class<?> type :
        List.of(
            Array.class,
            Blob.class,
            Clob.class,
            NClob.class,
            Ref.class,
            RowId.class,
            SQLXML.class,
            ResultSetMetaData.class,
            Statement.class)) {
      samples.put(type, mock(type));
    }
    return samples;
  }

  @Nested
  class LogicalResultSetOverSqlite {
    @TempDir Path dir;
    private Connection connection;
    private Statement physicalStatement;
    private Statement logicalStatement;
    private final AtomicInteger releases = new AtomicInteger();

    @BeforeEach
    void openDatabase() throws SQLException {
      connection = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("test.db"));
      try (Statement setup = connection.createStatement()) {
        setup.executeUpdate("CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT)");
        setup.executeUpdate("INSERT INTO t VALUES (1, 'one'), (2, NULL), (3, 'three')");
      }
      physicalStatement = connection.createStatement();
      // A second real statement stands in for the logical one: only its identity matters here.
      logicalStatement = connection.createStatement();
    }

    @AfterEach
    void closeDatabase() throws SQLException {
      connection.close();
    }

    private LogicalResultSet query() throws SQLException {
      ResultSet physical = physicalStatement.executeQuery("SELECT id, name FROM t ORDER BY id");
      return new LogicalResultSet(physical, logicalStatement, releases::incrementAndGet);
    }

    @Test
    void readsTheRowsOfARealSqliteResultSet() throws SQLException {
      // Given a logical result set over a real query
      try (ResultSet rs = query()) {
        // When all rows are read through it
        long idSum = 0;
        List<String> names = new ArrayList<>();
        int nulls = 0;
        while (rs.next()) {
          idSum += rs.getLong("id");
          names.add(rs.getString(2));
          nulls += rs.wasNull() ? 1 : 0;
        }

        // Then they are the table's rows
        assertThat(idSum).isEqualTo(6);
        assertThat(names).containsExactly("one", null, "three");
        assertThat(nulls).isEqualTo(1);
        assertThat(rs.getMetaData().getColumnCount()).isEqualTo(2);
        assertThat(rs.findColumn("name")).isEqualTo(2);
      }
    }

    @Test
    void closeClosesThePhysicalResultSetFirstAndReleasesExactlyOnce() throws SQLException {
      // Given a logical result set whose release sees whether the physical one is closed
      ResultSet physical = physicalStatement.executeQuery("SELECT id FROM t");
      List<Boolean> physicalClosedAtRelease = new ArrayList<>();
      LogicalResultSet rs =
          new LogicalResultSet(
              physical,
              logicalStatement,
              () -> {
                releases.incrementAndGet();
                physicalClosedAtRelease.add(physical.isClosed());
              });

      // When it is closed twice
      rs.close();
      rs.close();

      // Then the release ran once, after the physical close
      assertThat(releases).hasValue(1);
      assertThat(physicalClosedAtRelease).containsExactly(true);
      assertThat(physical.isClosed()).isTrue();
    }

    @Test
    void afterCloseIsClosedIsTrueAndOtherCallsFailWith08003() throws SQLException {
      // Given a closed logical result set
      LogicalResultSet rs = query();
      rs.close();

      // Then it says so, and every other use fails as closed
      assertThat(rs.isClosed()).isTrue();
      for (ThrowingCall call :
          List.<ThrowingCall>of(
              rs::next,
              () -> rs.getInt(1),
              () -> rs.getString("name"),
              rs::getMetaData,
              rs::getStatement,
              rs::getWarnings)) {
        assertThatThrownBy(call::run)
            .isInstanceOf(SQLNonTransientConnectionException.class)
            .hasMessageContaining("ResultSet is closed")
            .extracting(e -> ((SQLException) e).getSQLState())
            .isEqualTo("08003");
      }
      assertThat(releases).hasValue(1);
    }

    @Test
    void getStatementIsTheLogicalStatement() throws SQLException {
      try (ResultSet rs = query()) {
        assertThat(rs.getStatement()).isSameAs(logicalStatement).isNotSameAs(physicalStatement);
      }
    }

    @Test
    void unwrapGivesItselfButNeverThePhysicalResultSet() throws SQLException {
      // Given a logical result set over a sqlite-jdbc one
      try (ResultSet physical = physicalStatement.executeQuery("SELECT 1");
          LogicalResultSet rs = new LogicalResultSet(physical, logicalStatement, () -> {})) {
        Class<? extends ResultSet> physicalType = physical.getClass();

        // Then it unwraps to its own types only
        assertThat(rs.isWrapperFor(ResultSet.class)).isTrue();
        assertThat(rs.isWrapperFor(LogicalResultSet.class)).isTrue();
        assertThat(rs.unwrap(ResultSet.class)).isSameAs(rs);
        assertThat(rs.unwrap(LogicalResultSet.class)).isSameAs(rs);
        assertThat(rs.isWrapperFor(physicalType)).isFalse();
        assertThat(rs.isWrapperFor(null)).isFalse();
        assertThatThrownBy(() -> rs.unwrap(physicalType))
            .isInstanceOf(SQLFeatureNotSupportedException.class)
            .hasMessageContaining(physicalType.getName())
            .extracting(e -> ((SQLException) e).getSQLState())
            .isEqualTo("0A000");
      }
    }

    @Test
    void releaseRunsWhenThePhysicalCloseFailsAndTheFirstFailureIsThrown() throws SQLException {
      // Given a physical result set whose close fails (a mock: a real one cannot be made to fail)
      ResultSet physical = mock(ResultSet.class);
      SQLException closeFailure = new SQLException("close failed");
      doThrow(closeFailure).when(physical).close();
      SQLException releaseFailure = new SQLException("release failed");
      LogicalResultSet rs =
          new LogicalResultSet(
              physical,
              logicalStatement,
              () -> {
                releases.incrementAndGet();
                throw releaseFailure;
              });

      // When it is closed, then the close failure is thrown with the release failure suppressed
      assertThatThrownBy(rs::close).isSameAs(closeFailure);
      assertThat(closeFailure.getSuppressed()).containsExactly(releaseFailure);
      assertThat(releases).hasValue(1);
      assertThat(rs.isClosed()).isTrue();

      // And a second close does nothing
      rs.close();
      assertThat(releases).hasValue(1);
    }

    @Test
    void aFailingReleaseAloneIsThrown() throws SQLException {
      // Given a release that fails
      SQLException releaseFailure = new SQLException("release failed");
      LogicalResultSet rs =
          new LogicalResultSet(
              physicalStatement.executeQuery("SELECT 1"),
              logicalStatement,
              () -> {
                throw releaseFailure;
              });

      // Then closing throws its failure
      assertThatThrownBy(rs::close).isSameAs(releaseFailure);
      assertThat(rs.isClosed()).isTrue();
    }
  }

  @FunctionalInterface
  interface ThrowingCall {
    Object run() throws SQLException;
  }
}
