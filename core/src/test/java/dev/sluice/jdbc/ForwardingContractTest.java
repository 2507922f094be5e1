package dev.sluice.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
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
import java.sql.Array;
import java.sql.Blob;
import java.sql.Clob;
import java.sql.Date;
import java.sql.JDBCType;
import java.sql.NClob;
import java.sql.Ref;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.RowId;
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
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * {@link ForwardingResultSet}, with the package-private classes it extends, forwards every {@link
 * ResultSet} method unchanged (the one place that uses reflection, to cover all of them), and
 * nothing else.
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

  /** ForwardingResultSet and its superclasses, up to the one that implements ResultSet. */
  private static List<Class<?>> forwardingClasses() {
    List<Class<?>> classes = new ArrayList<>();
    for (Class<?> type = ForwardingResultSet.class;
        ResultSet.class.isAssignableFrom(type);
        type = type.getSuperclass()) {
      classes.add(type);
    }
    return classes;
  }

  /** What the classes declare in source, leaving out the bridges javac adds to the public one. */
  private static List<Method> declared(List<Class<?>> classes, Method method) {
    List<Method> found = new ArrayList<>();
    for (Class<?> type : classes) {
      for (Method own : type.getDeclaredMethods()) {
        if (!own.isSynthetic()
            && own.getName().equals(method.getName())
            && Arrays.equals(own.getParameterTypes(), method.getParameterTypes())) {
          found.add(own);
        }
      }
    }
    return found;
  }

  @Test
  void theForwardingClassesDeclareEveryResultSetMethodOnceDefaultMethodsIncluded() {
    // Given the methods of java.sql.ResultSet, with its superinterfaces and default methods, and
    // the forwarding classes from ForwardingResultSet up to the one that implements ResultSet
    List<Method> methods = resultSetMethods();
    List<Class<?>> classes = forwardingClasses();
    List<String> missing = new ArrayList<>();
    int defaults = 0;

    // When each is looked up among the methods those classes declare themselves
    for (Method method : methods) {
      defaults += method.isDefault() ? 1 : 0;
      List<Method> own = declared(classes, method);
      if (own.isEmpty()) {
        missing.add(method.toString());
      } else if (own.size() > 1) {
        missing.add(method + " (declared " + own.size() + " times: " + own + ")");
      } else if (Modifier.isAbstract(own.get(0).getModifiers())
          || !Modifier.isPublic(own.get(0).getModifiers())) {
        missing.add(method + " (not public and concrete)");
      }
    }

    // Then the chain is all in this package and reaches ResultSet, none is missing or declared
    // twice, and the interface's default methods were among those checked
    assertThat(classes)
        .allSatisfy(type -> assertThat(type.getPackageName()).isEqualTo("dev.sluice.jdbc"));
    assertThat(classes.get(classes.size() - 1).getInterfaces()).contains(ResultSet.class);
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
}
