package dev.sluice.retry;

import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeException;
import dev.failsafe.FailsafeExecutor;
import dev.failsafe.RetryPolicy;
import dev.sluice.error.Errors;
import dev.sluice.error.SqlStates;
import dev.sluice.error.SqliteCodes;
import java.sql.SQLException;
import java.time.Duration;

/**
 * Retries a unit of JDBC work that failed with SQLITE_BUSY or SQLITE_LOCKED (primary or extended
 * codes, never by message), or with 40001 from a unit Sluice may repeat, with exponential backoff
 * and jitter, bounded by attempts and total time.
 *
 * <p>The first attempt runs directly, without Failsafe, so uncontended work pays nothing; only
 * after a retryable failure does the Failsafe executor take over, with the failed attempt counted
 * as its first. The policies and executors are built once, in the constructor, and never
 * reconfigured. Callers decide where retry is safe (design.md, Retry): never inside a user's open
 * transaction.
 *
 * <p>Thread-safe.
 */
public final class Retry {
  /** One attempt of the work. */
  @FunctionalInterface
  public interface Attempt<T> {
    T run() throws SQLException;
  }

  /** Told about each retry and each exhaustion; the engine counts them as meters. */
  public interface Listener {
    void retried(boolean write, boolean locked);

    void exhausted(boolean write);

    Listener NONE =
        new Listener() {
          @Override
          public void retried(boolean write, boolean locked) {}

          @Override
          public void exhausted(boolean write) {}
        };
  }

  /**
   * The retry settings.
   *
   * @param attempts total attempts, the first included (1 turns retry off)
   * @param initialDelay delay before the second attempt
   * @param maxDelay cap of the exponentially growing delay
   * @param maxDuration bound of the whole run, attempts and delays together
   * @param jitter random share of each delay, 0 to 1
   */
  public record Config(
      int attempts,
      Duration initialDelay,
      Duration maxDelay,
      Duration maxDuration,
      double jitter) {}

  private final Config config;
  private final FailsafeExecutor<Object> writes;
  private final FailsafeExecutor<Object> reads;

  private final Listener listener;

  public Retry(Config config, Listener listener) {
    this.config = config;
    this.listener = listener;
    this.writes = Failsafe.with(policy(config, listener, true));
    this.reads = Failsafe.with(policy(config, listener, false));
  }

  private static RetryPolicy<Object> policy(Config c, Listener listener, boolean write) {
    var b =
        RetryPolicy.builder()
            .handleIf(e -> retryableCause(e) != null)
            .withMaxAttempts(Math.max(1, c.attempts()))
            .withMaxDuration(c.maxDuration())
            .onRetry(
                e ->
                    listener.retried(
                        write,
                        e.getLastException() instanceof SQLException
                            && SqliteCodes.isLocked((SQLException) e.getLastException())))
            .onRetriesExceeded(e -> listener.exhausted(write));
    if (c.initialDelay().compareTo(c.maxDelay()) < 0) {
      b.withBackoff(c.initialDelay(), c.maxDelay());
    } else {
      b.withDelay(c.initialDelay());
    }
    if (c.jitter() > 0) {
      b.withJitter(c.jitter());
    }
    return b.build();
  }

  /** SQLITE_BUSY*, SQLITE_LOCKED*, or a 40001 Sluice produced from them. */
  public static boolean retryable(SQLException e) {
    return SqliteCodes.isBusyOrLocked(e) || SqlStates.SERIALIZATION_FAILURE.equals(e.getSQLState());
  }

  /**
   * The retryable SQLException a failure is or wraps, else null. Units of work written with jOOQ,
   * JDBI or Spring see their lock failures wrapped in those frameworks' unchecked exceptions; the
   * unit is still worth repeating whole.
   */
  static SQLException retryableCause(Throwable t) {
    Throwable current = t;
    for (int depth = 0; current != null && depth < 8; depth++) {
      if (current instanceof SQLException sql) {
        return retryable(sql) ? sql : null;
      }
      if (!(current instanceof RuntimeException)) {
        return null;
      }
      current = current.getCause();
    }
    return null;
  }

  public Config config() {
    return config;
  }

  /** Runs write work, retrying it while it fails with BUSY/LOCKED. */
  public <T> T write(Attempt<T> work) throws SQLException {
    return run(writes, work);
  }

  /** Runs read work, retrying it while it fails with BUSY/LOCKED. */
  public <T> T read(Attempt<T> work) throws SQLException {
    return run(reads, work);
  }

  /**
   * Continues work whose first attempt, started at {@code startNanos}, failed with {@code first}:
   * rethrows {@code first} when it is not retryable, else retries. For hot paths that try once
   * inline and only build the retry closure after a failure.
   */
  public <T> T afterFailure(boolean write, SQLException first, long startNanos, Attempt<T> work)
      throws SQLException {
    if (!retryable(first)) {
      throw first;
    }
    if (config.attempts() <= 1) {
      // Retry is off: this one attempt was all there was to exhaust.
      listener.exhausted(write);
      throw first;
    }
    return retry(write ? writes : reads, work, first, startNanos);
  }

  private <T> T run(FailsafeExecutor<Object> executor, Attempt<T> work) throws SQLException {
    long start = System.nanoTime();
    try {
      return work.run();
    } catch (SQLException | RuntimeException first) {
      if (retryableCause(first) == null) {
        throw first;
      }
      if (config.attempts() <= 1) {
        listener.exhausted(executor == writes);
        throw first;
      }
      return retry(executor, work, first, start);
    }
  }

  /**
   * Retries after {@code first} (a retryable SQLException, or an unchecked exception wrapping one).
   * A last failure that is unchecked is thrown as it is: it is the unit's own.
   */
  private <T> T retry(
      FailsafeExecutor<Object> executor, Attempt<T> work, Exception first, long start)
      throws SQLException {
    int[] attempts = {1};
    try {
      Object result =
          executor.get(
              ctx -> {
                if (ctx.isFirstAttempt()) {
                  // The attempt that already failed: Failsafe applies the backoff after it.
                  throw first;
                }
                attempts[0]++;
                return work.run();
              });
      @SuppressWarnings("unchecked")
      T t = (T) result;
      return t;
    } catch (FailsafeException e) {
      Throwable cause = e.getCause();
      if (cause instanceof InterruptedException interrupted) {
        throw Errors.interrupted("a retry of SQLITE_BUSY", interrupted);
      }
      if (cause instanceof SQLException last) {
        if (retryable(last)) {
          throw Errors.retriesExhausted(
              last, attempts[0], Duration.ofNanos(System.nanoTime() - start).toMillis());
        }
        throw last;
      }
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw e;
    }
  }
}
