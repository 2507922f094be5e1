package dev.sluice.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoMoreInteractions;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.ShardingKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * {@link MemoryConnection} forwards every {@link Connection} method (reflection, as in the result
 * set's contract test, to cover all of them) and lets go of its engine exactly once when closed.
 */
class MemoryConnectionTest {
  private static final Set<String> OWN = Set.of("close", "abort", "unwrap", "isWrapperFor");

  private final Connection target = mock(Connection.class);
  private final AtomicInteger releases = new AtomicInteger();
  private final MemoryConnection connection =
      new MemoryConnection(target, releases::incrementAndGet);

  private static List<Method> forwarded() {
    List<Method> methods = new ArrayList<>();
    for (Method method : Connection.class.getMethods()) {
      if (!Modifier.isStatic(method.getModifiers()) && !OWN.contains(method.getName())) {
        methods.add(method);
      }
    }
    methods.sort(Comparator.comparing(Method::toString));
    return methods;
  }

  @Test
  void everyConnectionMethodIsDeclaredDefaultMethodsIncluded() {
    List<String> missing = new ArrayList<>();
    for (Method method : Connection.class.getMethods()) {
      try {
        Method own =
            MemoryConnection.class.getDeclaredMethod(method.getName(), method.getParameterTypes());
        if (!Modifier.isPublic(own.getModifiers())) {
          missing.add(method + " (not public)");
        }
      } catch (NoSuchMethodException e) {
        missing.add(method.toString());
      }
    }
    assertThat(missing).isEmpty();
  }

  @TestFactory
  Stream<DynamicTest> everyOtherMethodCallsTheSameMethodOnTheTarget() {
    return forwarded().stream()
        .map(
            method ->
                DynamicTest.dynamicTest(
                    method.getName() + Arrays.toString(method.getParameterTypes()),
                    () -> {
                      Object[] arguments = arguments(method);
                      invoke(method, connection, arguments);
                      invoke(method, verify(target), arguments);
                      verifyNoMoreInteractions(target);
                      assertThat(releases).hasValue(0);
                    }));
  }

  private static Object invoke(Method method, Object receiver, Object[] arguments)
      throws Throwable {
    try {
      return method.invoke(receiver, arguments);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  private static Object[] arguments(Method method) {
    Class<?>[] types = method.getParameterTypes();
    Object[] arguments = new Object[types.length];
    for (int i = 0; i < types.length; i++) {
      Class<?> type = types[i];
      if (type == int.class) {
        arguments[i] = 10 + i;
      } else if (type == boolean.class) {
        arguments[i] = true;
      } else if (type == String.class) {
        arguments[i] = "argument" + i;
      } else if (type == int[].class) {
        arguments[i] = new int[] {1, 2};
      } else if (type == String[].class) {
        arguments[i] = new String[] {"id"};
      } else if (type == Object[].class) {
        arguments[i] = new Object[] {"element"};
      } else if (type == Map.class) {
        arguments[i] = Map.of("type", String.class);
      } else if (type == Properties.class) {
        arguments[i] = new Properties();
      } else if (type == Executor.class) {
        arguments[i] = (Executor) Runnable::run;
      } else if (type == Savepoint.class || type == ShardingKey.class) {
        arguments[i] = mock(type);
      } else {
        throw new AssertionError("no sample argument of " + type);
      }
    }
    return arguments;
  }

  @Test
  void closeClosesTheTargetAndReleasesOnce() throws SQLException {
    // When
    connection.close();
    connection.close();

    // Then
    verify(target, org.mockito.Mockito.times(2)).close();
    assertThat(releases).hasValue(1);
  }

  @Test
  void abortClosesThroughTheExecutorAndReleasesOnce() throws SQLException {
    // When
    connection.abort(Runnable::run);
    connection.close();

    // Then
    assertThat(releases).hasValue(1);
  }

  @Test
  void aFailingTargetCloseStillReleasesAndIsThrownWithTheReleaseFailureSuppressed()
      throws SQLException {
    // Given
    SQLException closeFailure = new SQLException("close failed");
    doThrow(closeFailure).when(target).close();
    SQLException releaseFailure = new SQLException("release failed");
    MemoryConnection failing =
        new MemoryConnection(
            target,
            () -> {
              releases.incrementAndGet();
              throw releaseFailure;
            });

    // When, Then
    assertThatThrownBy(failing::close).isSameAs(closeFailure);
    assertThat(closeFailure.getSuppressed()).containsExactly(releaseFailure);
    assertThat(releases).hasValue(1);
  }

  @Test
  void unwrapGivesItselfOrAsksTheTarget() throws SQLException {
    assertThat(connection.unwrap(Connection.class)).isSameAs(connection);
    assertThat(connection.isWrapperFor(MemoryConnection.class)).isTrue();
    connection.isWrapperFor(String.class);
    verify(target).isWrapperFor(String.class);
  }
}
