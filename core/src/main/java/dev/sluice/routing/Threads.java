package dev.sluice.routing;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Whether a thread is virtual, on the Java 17 this library is compiled for: {@code
 * Thread.isVirtual()} exists from Java 21 on, so it is looked up once, when this class loads, and
 * called through a constant method handle (which the JIT compiles to a direct call); on Java 17,
 * which has no virtual threads, every thread is a platform thread.
 *
 * <p>Thread-safe (stateless).
 */
final class Threads {
  private static final MethodHandle IS_VIRTUAL = lookUp();

  private Threads() {}

  static boolean isVirtual(Thread t) {
    if (IS_VIRTUAL == null) {
      return false;
    }
    try {
      return (boolean) IS_VIRTUAL.invokeExact(t);
    } catch (Throwable e) {
      // Thread.isVirtual() declares no exception and throws none.
      throw new AssertionError(e);
    }
  }

  private static MethodHandle lookUp() {
    try {
      return MethodHandles.publicLookup()
          .findVirtual(Thread.class, "isVirtual", MethodType.methodType(boolean.class));
    } catch (NoSuchMethodException | IllegalAccessException e) {
      return null;
    }
  }
}
