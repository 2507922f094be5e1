package dev.sluice.examples.jpa;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * The concurrent work both comparison tests run, 16 threads started together by a latch, each doing
 * a fixed number of service calls; failures are counted by exception type, never thrown, so the
 * same code can assert (Sluice) or only record (HikariCP over plain sqlite-jdbc). Each call of a
 * method uses its own thread pool; not meant to be shared between threads.
 */
final class BankLoad {
  static final int THREADS = 16;
  static final int ACCOUNTS = 4;
  static final long OPENING_BALANCE = 1_000_000;
  private static final long TIMEOUT_SECONDS = 60;

  private BankLoad() {}

  /**
   * What a run did.
   *
   * @param attempted service calls made
   * @param failed calls that threw
   * @param failures failed calls by exception class (the outermost one, as the caller sees it)
   * @param millis wall-clock time of the run
   */
  record Outcome(int attempted, int failed, Map<String, Integer> failures, long millis) {
    String describe() {
      return attempted + " calls, " + failed + " failed " + failures + ", " + millis + " ms";
    }
  }

  /**
   * Thread {@code t} moves {@code t + 1} from account {@code t % 4} to account {@code (t + 1) % 4},
   * {@code perThread} times, each a read-modify-write transaction. {@code succeeded[t]} counts the
   * thread's transfers that committed.
   */
  static Outcome transfers(
      BankService bank, List<Long> accounts, int perThread, AtomicIntegerArray succeeded)
      throws Exception {
    return run(
        perThread,
        t -> {
          long from = accounts.get(t % ACCOUNTS);
          long to = accounts.get((t + 1) % ACCOUNTS);
          bank.transfer(from, to, t + 1);
          succeeded.incrementAndGet(t);
        });
  }

  /** The balance each account should have after the transfers {@code succeeded} counts. */
  static long[] expectedBalances(AtomicIntegerArray succeeded) {
    long[] balances = new long[ACCOUNTS];
    Arrays.fill(balances, OPENING_BALANCE);
    for (int t = 0; t < succeeded.length(); t++) {
      balances[t % ACCOUNTS] -= (long) (t + 1) * succeeded.get(t);
      balances[(t + 1) % ACCOUNTS] += (long) (t + 1) * succeeded.get(t);
    }
    return balances;
  }

  /**
   * Each thread opens {@code perThread} accounts named {@code prefix-thread-i}; {@code ids} maps
   * every returned id to the owner it was returned for, and the result of a second owner for one id
   * is counted in {@code duplicateIds}.
   */
  static Outcome inserts(
      BankService bank,
      String prefix,
      int perThread,
      Map<Long, String> ids,
      AtomicInteger duplicateIds)
      throws Exception {
    AtomicInteger sequence = new AtomicInteger();
    return run(
        perThread,
        t -> {
          String owner = prefix + "-" + t + "-" + sequence.incrementAndGet();
          Long id = bank.open(owner, 0).getId();
          if (ids.putIfAbsent(id, owner) != null) {
            duplicateIds.incrementAndGet();
          }
        });
  }

  /** One call of a thread's work; {@code thread} is 0 to 15. */
  @FunctionalInterface
  interface Call {
    void run(int thread) throws Exception;
  }

  private static Outcome run(int perThread, Call call) throws Exception {
    Map<String, Integer> failures = new ConcurrentHashMap<>();
    AtomicInteger failed = new AtomicInteger();
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    long began = System.nanoTime();
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int thread = t;
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < perThread; i++) {
                    try {
                      call.run(thread);
                    } catch (Exception e) {
                      failed.incrementAndGet();
                      failures.merge(e.getClass().getSimpleName(), 1, Integer::sum);
                    }
                  }
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> f : futures) {
        f.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
    return new Outcome(THREADS * perThread, failed.get(), new TreeMap<>(failures), millis);
  }
}
