package dev.sluice.retry;

import dev.failsafe.CircuitBreaker;
import dev.sluice.error.Errors;
import java.sql.SQLException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An optional circuit breaker on the write route (Failsafe's {@link CircuitBreaker}). A writer hold
 * fails when a unit in it exhausted its retries on SQLITE_BUSY/LOCKED, that is, when another
 * process kept the database locked; other errors (a constraint violation) are the caller's and
 * count as success. After {@code failures} failed holds in a row it opens: writes fail at once with
 * 08001 instead of each waiting out its own retries; after {@code delay} one probe goes through,
 * and its success closes it.
 *
 * <p>Thread-safe. Outcomes are recorded once per writer hold, by the single holder.
 */
public final class Breaker {
  private static final Logger LOG = LoggerFactory.getLogger(Breaker.class);

  /** The breaker that never opens: what an engine without {@code sluice.breaker.*} gets. */
  public static final Breaker DISABLED = new Breaker();

  private final CircuitBreaker<Object> breaker;
  private final int failures;
  private final String name;
  private volatile long openedAtNanos;
  private volatile boolean holdFailed;

  private Breaker() {
    this.breaker = null;
    this.failures = 0;
    this.name = "";
  }

  public Breaker(String name, int failures, Duration delay) {
    this.name = name;
    this.failures = failures;
    this.breaker =
        CircuitBreaker.builder()
            .withFailureThreshold(failures)
            .withSuccessThreshold(1)
            .withDelay(delay)
            .onOpen(
                e -> {
                  openedAtNanos = System.nanoTime();
                  LOG.warn(
                      "Write breaker of \"{}\" opened: {} writes in a row found the database locked"
                          + " by another process; writes fail fast for {} ms.",
                      name,
                      failures,
                      delay.toMillis());
                })
            .onHalfOpen(e -> LOG.info("Write breaker of \"{}\" half-open: one probe write.", name))
            .onClose(e -> LOG.info("Write breaker of \"{}\" closed: writes flow again.", name))
            .build();
  }

  /** Throws at once while the breaker is open; lets writes (or the half-open probe) through. */
  public void checkPermit() throws SQLException {
    if (breaker == null || breaker.tryAcquirePermit()) {
      return;
    }
    throw Errors.breakerOpen(
        name,
        Duration.ofNanos(System.nanoTime() - openedAtNanos).toMillis(),
        breaker.getRemainingDelay().toMillis(),
        failures);
  }

  /** Whether the breaker is open now (queued writers check this after their wait). */
  public boolean isOpen() {
    return breaker != null && breaker.isOpen();
  }

  /** Marks the current writer hold as failed: a unit in it exhausted its BUSY/LOCKED retries. */
  public void holdFailed() {
    if (breaker != null) {
      holdFailed = true;
    }
  }

  /** Records the outcome of the writer hold that just ended. */
  public void holdEnded() {
    if (breaker == null) {
      return;
    }
    if (holdFailed) {
      holdFailed = false;
      breaker.recordFailure();
    } else {
      breaker.recordSuccess();
    }
  }

  /** 0 closed, 1 open, 2 half-open: the {@code sluice.breaker.state} gauge. */
  public int state() {
    if (breaker == null) {
      return 0;
    }
    switch (breaker.getState()) {
      case OPEN:
        return 1;
      case HALF_OPEN:
        return 2;
      default:
        return 0;
    }
  }
}
