package dev.sluice.routing;

import dev.sluice.error.Errors;
import dev.sluice.error.SqliteCodes;
import dev.sluice.jdbc.Physical;
import dev.sluice.jdbc.StatementCache;
import dev.sluice.metrics.Meters;
import dev.sluice.pragma.PragmaScope;
import dev.sluice.pragma.Pragmas;
import dev.sluice.retry.Breaker;
import dev.sluice.retry.Retry;
import dev.sluice.writer.GroupCommit;
import dev.sluice.writer.Hold;
import dev.sluice.writer.Writer;
import dev.sluice.writer.WriterGate;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every logical connection of one engine shares: the writer, the reader pool, the pragmas to
 * guard and the meters. Hands out physical connections and records what they were used for.
 *
 * <p>Thread-safe: the writer and the reader pool are; everything else is final.
 */
public final class Router {
  private static final Logger LOG = LoggerFactory.getLogger(Router.class);

  final Writer writer;
  private final DataSource readers;
  final Pragmas pragmas;
  final Meters meters;
  final Retry retry;

  /** The way in to the writer: queue order, breaker, wait and hold meters. */
  final WriterGate gate;

  /** Group commit of auto-commit writes; idle for good when it is off. */
  final GroupCommit group;

  final String name;
  private final Semaphore readerPermits;

  /**
   * Where reads queue before they take a reader permit, as wide as the pool: see {@link
   * #admitRead}.
   */
  private final Semaphore turnstile;

  private final long readerTimeoutNanos;
  private volatile boolean closed;

  /** Idle prepared SELECTs per physical pooled reader; empty when the cache is off (size 0). */
  private final Map<Connection, StatementCache> readerStatements = new ConcurrentHashMap<>();

  private final int statementCacheSize;

  /**
   * Whether the application opened the database read-only through sqlite-jdbc's {@code open_mode}:
   * its connections answer {@code isReadOnly()} with true from the start, as plain's do.
   */
  final boolean openedReadOnly;

  /** Opens a reader outside the pool, for a thread that holds a connection already. */
  private final Writer.Opener overflow;

  private final Set<Connection> overflowReaders = ConcurrentHashMap.newKeySet();

  /** Leak detection of pooled readers ({@code sluice.reader.leakDetectionThreshold}). */
  private final ReaderHolds readerHolds;

  /**
   * SQL texts that SQLite compiled on a reader of this engine, or on its writer for a connection
   * without temp objects or attached databases: preparing them again skips the compile check
   * (design.md "Prepared statements"), each with its number of parameters, which sizes a new
   * statement's bound values. Cleared when it reaches {@link #COMPILED_MAX}, so it stays small
   * whatever SQL the application builds.
   */
  private final Map<String, Integer> compiled = new ConcurrentHashMap<>();

  private static final int COMPILED_MAX = 2048;

  /** Physical connections each thread holds through any logical connection of this engine. */
  private final ThreadLocal<AtomicInteger> holds = ThreadLocal.withInitial(AtomicInteger::new);

  /** The engine's values of the session pragmas, read from the writer when first needed. */
  private volatile Map<String, String> sessionDefaults;

  /** The session of a logical connection that changed no connection-scoped pragma. */
  final Session defaultSession = new Session(this, Map.of());

  /**
   * @param groupMax the most statements one group commit runs; 1 or less turns it off
   * @param readers the reader pool, or null when one connection serves everything ({@code
   *     :memory:}); then reads go to the writer
   * @param readerLeakMillis a pooled reader held longer than this is logged with where it was
   *     taken; 0 turns that off
   * @param openedReadOnly whether the database was opened read-only through {@code open_mode}
   */
  public Router(
      String name,
      Writer writer,
      DataSource readers,
      Pragmas pragmas,
      Meters meters,
      Retry retry,
      Breaker breaker,
      int groupMax,
      int readerCount,
      long readerTimeoutMillis,
      long readerLeakMillis,
      int statementCacheSize,
      boolean openedReadOnly,
      Writer.Opener overflow) {
    this.name = name;
    this.openedReadOnly = openedReadOnly;
    this.readerHolds = ReaderHolds.of(name, readerLeakMillis);
    this.overflow = overflow;
    this.readerPermits = new Semaphore(readerCount, true);
    this.turnstile = new Semaphore(readerCount, true);
    this.readerTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(readerTimeoutMillis);
    this.statementCacheSize = statementCacheSize;
    this.gate = new WriterGate(writer, breaker, meters);
    this.group = new GroupCommit(name, gate, retry, meters, groupMax);
    this.retry = retry;
    this.writer = writer;
    this.readers = readers;
    this.pragmas = pragmas;
    this.meters = meters;
  }

  /** A new logical connection. */
  public Connection connect() throws SQLException {
    checkOpen();
    for (int n = open.get(); ; n = open.get()) {
      if (n < 0) {
        throw Errors.closed("The Sluice data source (closed after it was idle)");
      }
      if (open.compareAndSet(n, n + 1)) {
        break;
      }
    }
    try {
      return new LogicalConnection(this);
    } catch (RuntimeException e) {
      connectionClosed();
      throw e;
    }
  }

  /**
   * Logical connections open now; -1 once {@link #retireIfIdle} let the engine go (no connection
   * may join it then).
   */
  private final AtomicInteger open = new AtomicInteger();

  /** When {@link #open} last fell to 0, in {@link System#nanoTime}. */
  private volatile long idleSince = System.nanoTime();

  /** A logical connection of this router closed (once per connection). */
  void connectionClosed() {
    if (open.decrementAndGet() == 0) {
      idleSince = System.nanoTime();
    }
  }

  /** When the last logical connection closed, in {@link System#nanoTime} (while idle). */
  public long idleSince() {
    return idleSince;
  }

  /** Whether no logical connection has been open for at least {@code nanos}. */
  public boolean idleFor(long nanos) {
    return open.get() == 0 && System.nanoTime() - idleSince >= nanos;
  }

  /**
   * If no logical connection has been open for at least {@code nanos}, refuses every new one from
   * now on and answers true: the caller then closes the engine. Atomic against {@link #connect}: a
   * connection either joined before (and this answers false) or is refused.
   */
  public boolean retireIfIdle(long nanos) {
    return idleFor(nanos) && open.compareAndSet(0, -1);
  }

  /** Whether {@link #retireIfIdle} let the engine go. */
  public boolean retired() {
    return open.get() < 0;
  }

  /** Refuses new logical connections and statements from now on; wakes waiting reads. */
  public void close() {
    closed = true;
    readerPermits.release(Short.MAX_VALUE);
    turnstile.release(Short.MAX_VALUE);
    group.close();
    // Overflow readers still in use belong to no pool that would close them.
    for (Connection c : overflowReaders) {
      try {
        c.close();
      } catch (SQLException e) {
        LOG.debug("Closing an overflow reader at close failed", e);
      }
    }
    overflowReaders.clear();
    for (StatementCache cache : readerStatements.values()) {
      cache.clear();
    }
    readerStatements.clear();
  }

  /**
   * The statement cache of a pooled reader this thread holds, or null when the cache is off or
   * {@code reader} is an overflow reader (closed when given back).
   */
  StatementCache statementCache(Connection reader) throws SQLException {
    if (statementCacheSize == 0
        || (!overflowReaders.isEmpty() && overflowReaders.contains(reader))) {
      return null;
    }
    Connection physical = reader.unwrap(Connection.class);
    StatementCache cache = readerStatements.get(physical);
    return cache != null ? cache : newStatementCache(physical);
  }

  /**
   * A reader seen for the first time, newly opened by the pool, which opens one when it has retired
   * another: the caches of closed readers go first (their statements were finalized with them).
   */
  private StatementCache newStatementCache(Connection physical) {
    readerStatements.keySet().removeIf(Physical::isClosed);
    return readerStatements.computeIfAbsent(
        physical, p -> new StatementCache(p, statementCacheSize));
  }

  /**
   * Logs each pooled reader held past {@code sluice.reader.leakDetectionThreshold}, once per
   * borrow, with the stack of where it was taken. Called by the engine's housekeeping thread every
   * {@link #readerCheckPeriodMillis} ms.
   */
  public void warnIfReadersHeldTooLong() {
    readerHolds.warnIfHeldTooLong();
  }

  /** How often {@link #warnIfReadersHeldTooLong} should run, in ms; 0 when never. */
  public long readerCheckPeriodMillis() {
    return readerHolds.checkPeriodMillis();
  }

  /** The leak detection of pooled readers (tests). */
  ReaderHolds readerHolds() {
    return readerHolds;
  }

  /** Lets go of Sluice's own statements on the writer, before close's checkpoint and optimize. */
  public void beforeWriterClose(Connection writerConnection) {
    gate.forget(writerConnection);
  }

  /** Waits at most {@code nanos} for the group commit's thread to end, after {@link #close}. */
  public void awaitClosed(long nanos) throws InterruptedException {
    group.awaitStopped(nanos);
  }

  boolean isClosed() {
    return closed;
  }

  void checkOpen() throws SQLException {
    if (closed) {
      throw Errors.closed("Sluice data source \"" + name + "\"");
    }
  }

  boolean hasReaders() {
    return readers != null;
  }

  /**
   * Borrows a reader connection from the pool. Admission is a fair semaphore as wide as the pool,
   * so HikariCP itself never has waiters: at close the semaphore wakes every waiting read at once
   * (HikariCP would leave them waiting out their timeout). A thread whose interrupt flag is set
   * still gets a free reader: only an actual wait is interrupted. A platform thread takes a free
   * reader at once even while others wait ({@link #takeFreeReader}); reads that wait the reader
   * acquire timeout queue in a turnstile first ({@link #admitRead}).
   *
   * @param timeoutNanos the longest wait; 0 takes a free reader or none
   * @return the reader, or null when {@code timeoutNanos} is 0 and none is free
   */
  Connection borrowReader(long timeoutNanos) throws SQLException {
    checkOpen();
    boolean admitted;
    try {
      if (timeoutNanos == 0 || Thread.interrupted()) {
        boolean interrupted = timeoutNanos != 0 || Thread.currentThread().isInterrupted();
        try {
          // Timed, so that it keeps queue order; the flag is cleared, so it cannot throw.
          admitted = readerPermits.tryAcquire(0, TimeUnit.NANOSECONDS);
        } finally {
          if (interrupted) {
            Thread.currentThread().interrupt();
          }
        }
        if (!admitted && timeoutNanos != 0) {
          throw Errors.interrupted("a reader connection", new InterruptedException());
        }
        if (!admitted) {
          return null;
        }
      } else if (takeFreeReader()) {
        admitted = true;
      } else if (timeoutNanos == readerTimeoutNanos) {
        admitted = admitRead(timeoutNanos);
      } else {
        admitted = readerPermits.tryAcquire(timeoutNanos, TimeUnit.NANOSECONDS);
      }
    } catch (InterruptedException e) {
      throw Errors.interrupted("a reader connection", e);
    }
    if (!admitted) {
      checkOpen();
      throw Errors.readerTimeout(TimeUnit.NANOSECONDS.toMillis(timeoutNanos));
    }
    try {
      checkOpen();
      Connection c = readers.getConnection();
      readerHolds.taken(c);
      return c;
    } catch (SQLException e) {
      readerPermits.release();
      checkOpen();
      if (e.getSQLState() == null && !(e instanceof org.sqlite.SQLiteException)) {
        throw Errors.readerTimeout(e);
      }
      throw Errors.translate(e);
    } catch (RuntimeException e) {
      readerPermits.release();
      // HikariCP racing its own shutdown.
      checkOpen();
      throw e;
    }
  }

  /**
   * Takes a free reader permit without queueing, if there is one and this thread may pass those
   * that wait: a platform thread may, a virtual thread only when nobody waits.
   *
   * <p>Why platform threads pass: with fair semaphores alone, once one read waits, every read
   * arriving while the woken waiter has not yet run queues behind it, and then each is woken in
   * turn; with more threads than cores a woken thread waits for a core, so the queue never drains
   * and every read pays a park and a wake-up (10 platform threads on 8 readers, 2 cores: 38,000
   * reads/s through the queue against 157,000 taking free readers). HikariCP's own bag lets a
   * borrower take a free connection the same way. A virtual thread does not pass: virtual threads
   * are not preempted, so one that gave a reader back and took it again at once would keep its
   * carrier and the reader while thousands queue; they are served in turn ({@link #admitRead}).
   */
  private boolean takeFreeReader() {
    return (!Threads.isVirtual(Thread.currentThread())
            || !(turnstile.hasQueuedThreads() || readerPermits.hasQueuedThreads()))
        && readerPermits.tryAcquire();
  }

  /**
   * Takes a reader permit for a read that waits the reader acquire timeout, queueing first in the
   * {@link #turnstile} without a timeout. Thousands of virtual threads reading through a few
   * readers queue on every read (the semaphores are fair: each is served in turn, none starves),
   * and a timed park of a virtual thread schedules and cancels a timer in the JDK's scheduler,
   * which costs more than the read itself; an untimed park costs a fraction of it. So the queue is
   * waited in untimed, and only the few reads at its head, which hold a turnstile permit, wait for
   * a reader permit with their timeout. The whole wait stays bounded by the timeout: every read
   * here waits the same timeout and the turnstile is first-come first-served, so those ahead of a
   * read leave it no later than that read's own deadline, after which it gives up at once. The
   * turnstile is held only while the reader permit is taken.
   */
  private boolean admitRead(long timeoutNanos) throws InterruptedException {
    long deadline = System.nanoTime() + timeoutNanos;
    turnstile.acquire();
    try {
      return readerPermits.tryAcquire(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
    } finally {
      turnstile.release();
    }
  }

  /** Borrows a reader, waiting at most the reader acquire timeout. */
  Connection borrowReader() throws SQLException {
    return borrowReader(readerTimeoutNanos);
  }

  long readerTimeoutNanos() {
    return readerTimeoutNanos;
  }

  /**
   * A reader for a thread that already holds a physical connection: a free one from the pool, or
   * else an overflow reader opened for this use alone. Such a thread never waits for the pool, so
   * that no wait can close a cycle (design.md, No waits in a cycle).
   *
   * @return a pooled reader, or an overflow reader (closed when returned)
   */
  Connection borrowReaderWithoutWaiting() throws SQLException {
    Connection c = borrowReader(0);
    if (c != null) {
      return c;
    }
    LOG.debug("All readers of \"{}\" are in use: opening an overflow reader", name);
    Connection o = overflow.open();
    overflowReaders.add(o);
    return o;
  }

  /** Returns a borrowed reader connection to the pool, or closes an overflow reader. */
  void returnReader(Connection c) throws SQLException {
    if (overflowReaders.remove(c)) {
      c.close();
      return;
    }
    readerHolds.returned(c);
    try {
      c.close();
    } catch (RuntimeException e) {
      // HikariCP racing its own shutdown (close() of the data source): the pool is gone anyway.
      LOG.debug("Returning a reader to a closing pool failed", e);
    } finally {
      readerPermits.release();
    }
  }

  /** Waits for the writer and records the wait. */
  Connection acquireWriter(Object holder, Hold hold) throws SQLException {
    checkOpen();
    return gate.acquire(holder, hold);
  }

  /** Gives the writer back and records the hold. */
  void releaseWriter(Object holder, boolean broken) {
    gate.release(holder, broken);
  }

  /** This thread's count of held physical connections (for {@link #borrowReaderWithoutWaiting}). */
  AtomicInteger holdsOfThisThread() {
    return holds.get();
  }

  /**
   * The engine's value of each session pragma, read once from a physical connection (the writer and
   * the readers share them, but for query_only, which is 0 for a read-write connection).
   */
  Map<String, String> sessionDefaults(Connection physical) throws SQLException {
    Map<String, String> d = sessionDefaults;
    if (d == null) {
      Map<String, String> read = new LinkedHashMap<>();
      for (String p : PragmaScope.sessionNames()) {
        read.put(p, p.equals("query_only") ? "0" : Session.readPragma(physical, p));
      }
      d = Map.copyOf(read);
      sessionDefaults = d;
    }
    return d;
  }

  /** Threads waiting for the writer: in its queue, and parked in the group commit. */
  public int writerQueueLength() {
    return group.queueLength();
  }

  /** Logs and counts a read that turned out to write and is re-run on the writer. */
  void misrouted(String sql) {
    meters.misroute();
    LOG.warn(
        "Statement classified as a read tried to write on a reader of \"{}\"; re-running it on the"
            + " writer: {}",
        name,
        Errors.abbreviate(sql));
  }

  /**
   * Where a statement of a logical connection last ran: {@code "read"}, {@code "write"}, or null
   * for anything that is not a Sluice statement. For listeners (datasource-proxy).
   */
  public static String lastRoute(Object statement) {
    if (statement instanceof LogicalStatement logical) {
      return logical.lastOnWriter ? "write" : "read";
    }
    return null;
  }

  /** Whether a statement's last execution needed a retry after SQLITE_BUSY/LOCKED. */
  public static boolean lastRetried(Object statement) {
    return statement instanceof LogicalStatement logical && logical.lastRetried;
  }

  static boolean isBroken(SQLException e) {
    return SqliteCodes.isConnectionBroken(e);
  }

  /**
   * The number of parameters of this text when SQLite already compiled it on one of this engine's
   * connections, otherwise -1.
   */
  int compiledParameters(String sql) {
    Integer parameters = compiled.get(sql);
    return parameters == null ? -1 : parameters;
  }

  /** Records that SQLite compiled this text, with its parameters, where any connection could. */
  void compiledOnce(String sql, int parameters) {
    if (compiled.size() >= COMPILED_MAX) {
      compiled.clear();
    }
    compiled.put(sql, parameters);
  }
}
