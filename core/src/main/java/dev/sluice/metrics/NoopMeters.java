package dev.sluice.metrics;

/**
 * The null sink used when metrics are disabled, so the engine calls {@link Meters} unconditionally
 * instead of testing a flag. Stateless singleton, thread-safe.
 */
final class NoopMeters implements Meters {
  static final NoopMeters INSTANCE = new NoopMeters();

  private NoopMeters() {}

  @Override
  public void statement(boolean write, boolean success, long nanos) {}

  @Override
  public void retry(boolean write, boolean locked) {}

  @Override
  public void retriesExhausted(boolean write) {}

  @Override
  public void writerWait(long nanos) {}

  @Override
  public void writerHold(long nanos) {}

  @Override
  public void transaction(boolean write, boolean committed, long nanos) {}

  @Override
  public void misroute() {}

  @Override
  public void groupSize(int statements) {}

  @Override
  public Runnable checkpointPause() {
    return NoopMeters::nothing;
  }

  private static void nothing() {}

  @Override
  public long now() {
    return System.nanoTime();
  }

  @Override
  public void close() {}

  @Override
  public String toString() {
    return "Meters.noop()";
  }
}
