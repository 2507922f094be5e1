package dev.sluice.spring;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.convert.DurationUnit;

/**
 * Sluice's settings in a Spring Boot application. Each property is the Sluice option of the same
 * name (see the options table of the README), in Spring's relaxed form: {@code
 * sluice.writer.acquire-timeout=5s} is the option {@code sluice.writer.acquireTimeout=5000}, and
 * Sluice's own error messages name the same keys. An unset property keeps Sluice's default. An
 * unknown {@code sluice.*} property fails the startup, as an unknown option fails the open.
 *
 * <p>Written once by Spring's binder at startup, read afterwards; not thread-safe while binding.
 *
 * @since 0.1
 */
@ConfigurationProperties(prefix = "sluice", ignoreUnknownFields = false)
public final class SluiceProperties {

  /**
   * Name of the data source: the datasource tag of every meter and the prefix of thread and pool
   * names; empty means the database file name.
   */
  private String name;

  /** Size of the reader pool (HikariCP), at least 1; Sluice's default is 8. */
  private Integer readers;

  /** Whether Sluice records its meters; Sluice's default is true. */
  private Boolean metrics;

  /**
   * Class name of a dev.sluice.SluiceConnectionInitializer run on every physical connection
   * (functions, collations, extensions); a SluiceConnectionInitializer bean does the same.
   */
  private String connectionInitializer;

  private final Reader reader = new Reader();

  private final Writer writer = new Writer();

  private final Close close = new Close();

  private final Retry retry = new Retry();

  private final Checkpoint checkpoint = new Checkpoint();

  private final Breaker breaker = new Breaker();

  private final Log log = new Log();

  /**
   * Pragmas set and verified on every connection, by pragma name (value "default" leaves one
   * unset); the key "relax" takes comma-separated pragma names whose read-back mismatch only warns.
   */
  private final Map<String, String> pragma = new LinkedHashMap<>();

  /**
   * Extra sqlite-jdbc connection properties, passed to the driver unchanged (write names that
   * contain dots in brackets, e.g. sluice.sqlite[jdbc.get_generated_keys]=false).
   */
  private final Map<String, String> sqlite = new LinkedHashMap<>();

  private final Spring spring = new Spring();

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public Integer getReaders() {
    return readers;
  }

  public void setReaders(Integer readers) {
    this.readers = readers;
  }

  public Boolean getMetrics() {
    return metrics;
  }

  public String getConnectionInitializer() {
    return connectionInitializer;
  }

  public void setConnectionInitializer(String connectionInitializer) {
    this.connectionInitializer = connectionInitializer;
  }

  public void setMetrics(Boolean metrics) {
    this.metrics = metrics;
  }

  public Reader getReader() {
    return reader;
  }

  public Writer getWriter() {
    return writer;
  }

  public Close getClose() {
    return close;
  }

  public Retry getRetry() {
    return retry;
  }

  public Checkpoint getCheckpoint() {
    return checkpoint;
  }

  public Breaker getBreaker() {
    return breaker;
  }

  public Log getLog() {
    return log;
  }

  public Map<String, String> getPragma() {
    return pragma;
  }

  public Map<String, String> getSqlite() {
    return sqlite;
  }

  public Spring getSpring() {
    return spring;
  }

  /**
   * The set properties as Sluice options and sqlite-jdbc properties, for {@code
   * SluiceDataSource.Builder.option}: keys exactly as the URL takes them.
   */
  Map<String, String> options() {
    Map<String, String> options = new LinkedHashMap<>();
    if (name != null && !name.isBlank()) {
      options.put("sluice.name", name);
    }
    if (readers != null) {
      options.put("sluice.readers", readers.toString());
    }
    if (metrics != null) {
      options.put("sluice.metrics", metrics.toString());
    }
    if (connectionInitializer != null && !connectionInitializer.isBlank()) {
      options.put("sluice.connectionInitializer", connectionInitializer);
    }
    putMillis(options, "sluice.reader.acquireTimeout", reader.acquireTimeout);
    putMillis(options, "sluice.reader.leakDetectionThreshold", reader.leakDetectionThreshold);
    if (reader.statementCache != null) {
      options.put("sluice.reader.statementCache", reader.statementCache.toString());
    }
    putMillis(options, "sluice.writer.acquireTimeout", writer.acquireTimeout);
    putMillis(options, "sluice.writer.holdWarning", writer.holdWarning);
    if (writer.groupMax != null) {
      options.put("sluice.writer.groupMax", writer.groupMax.toString());
    }
    if (writer.groupCommit != null) {
      options.put("sluice.writer.groupCommit", writer.groupCommit.toString());
    }
    if (writer.processLock != null) {
      options.put("sluice.writer.processLock", writer.processLock.toString());
    }
    if (writer.statementCache != null) {
      options.put("sluice.writer.statementCache", writer.statementCache.toString());
    }
    putMillis(options, "sluice.close.timeout", close.timeout);
    if (retry.attempts != null) {
      options.put("sluice.retry.attempts", retry.attempts.toString());
    }
    putMillis(options, "sluice.retry.initialDelay", retry.initialDelay);
    putMillis(options, "sluice.retry.maxDelay", retry.maxDelay);
    putMillis(options, "sluice.retry.maxDuration", retry.maxDuration);
    if (retry.jitter != null) {
      options.put("sluice.retry.jitter", retry.jitter.toString());
    }
    if (breaker.failures != null) {
      options.put("sluice.breaker.failures", breaker.failures.toString());
    }
    putMillis(options, "sluice.breaker.delay", breaker.delay);
    if (checkpoint.mode != null) {
      options.put("sluice.checkpoint.mode", checkpoint.mode.name().toLowerCase(Locale.ROOT));
    }
    if (checkpoint.walLimit != null) {
      options.put("sluice.checkpoint.walLimit", checkpoint.walLimit.toString());
    }
    putMillis(options, "sluice.checkpoint.interval", checkpoint.interval);
    putMillis(options, "sluice.checkpoint.writerYield", checkpoint.writerYield);
    if (log.queries != null) {
      options.put("sluice.log.queries", log.queries.toString());
    }
    putMillis(options, "sluice.log.slowQueries", log.slowQueries);
    for (Map.Entry<String, String> e : pragma.entrySet()) {
      // Kebab-case is Spring's canonical form; pragma names use underscores.
      String key = e.getKey().toLowerCase(Locale.ROOT).replace('-', '_');
      options.put("sluice.pragma." + key, e.getValue());
    }
    options.putAll(sqlite);
    return options;
  }

  private static void putMillis(Map<String, String> options, String key, Duration value) {
    if (value != null) {
      options.put(key, Long.toString(value.toMillis()));
    }
  }

  /**
   * The reader pool's settings ({@code sluice.reader.*}).
   *
   * @since 0.1
   */
  public static final class Reader {
    /** How long a read waits for a free reader connection; Sluice's default is 30s. */
    @DurationUnit(ChronoUnit.MILLIS)
    private Duration acquireTimeout;

    public Duration getAcquireTimeout() {
      return acquireTimeout;
    }

    public void setAcquireTimeout(Duration acquireTimeout) {
      this.acquireTimeout = acquireTimeout;
    }

    /**
     * A reader held longer than this is logged with the stack of where it was taken; off by default
     * (0), as HikariCP's, since every borrow then captures a stack.
     */
    @DurationUnit(ChronoUnit.MILLIS)
    private Duration leakDetectionThreshold;

    public Duration getLeakDetectionThreshold() {
      return leakDetectionThreshold;
    }

    public void setLeakDetectionThreshold(Duration leakDetectionThreshold) {
      this.leakDetectionThreshold = leakDetectionThreshold;
    }

    /**
     * SELECTs kept compiled on each reader connection for the next execution of the same SQL,
     * prepared or run through a plain Statement; 0 turns the cache off. Sluice's default is 64.
     */
    private Integer statementCache;

    public Integer getStatementCache() {
      return statementCache;
    }

    public void setStatementCache(Integer statementCache) {
      this.statementCache = statementCache;
    }
  }

  /**
   * The single writer's settings ({@code sluice.writer.*}).
   *
   * @since 0.1
   */
  public static final class Writer {
    /**
     * Whether queued auto-commit writes share one transaction and one COMMIT (group commit);
     * Sluice's default is true.
     */
    private Boolean groupCommit;

    /** The most auto-commit writes one group commit runs; Sluice's default is 256. */
    private Integer groupMax;

    public Integer getGroupMax() {
      return groupMax;
    }

    public void setGroupMax(Integer groupMax) {
      this.groupMax = groupMax;
    }

    public Boolean getGroupCommit() {
      return groupCommit;
    }

    /**
     * Whether Sluice engines in several processes on one database file queue for the write lock
     * through an OS lock on a file beside the database; Sluice's default is true.
     */
    private Boolean processLock;

    public Boolean getProcessLock() {
      return processLock;
    }

    public void setProcessLock(Boolean processLock) {
      this.processLock = processLock;
    }

    public void setGroupCommit(Boolean groupCommit) {
      this.groupCommit = groupCommit;
    }

    /**
     * Statements kept compiled on the writer connection (transaction control and the prepared
     * writes of group commits); 0 turns the cache off. Sluice's default is 64.
     */
    private Integer statementCache;

    public Integer getStatementCache() {
      return statementCache;
    }

    public void setStatementCache(Integer statementCache) {
      this.statementCache = statementCache;
    }

    /**
     * How long a write waits in the writer queue before it fails with SQLState 08001; Sluice's
     * default is 30s.
     */
    @DurationUnit(ChronoUnit.MILLIS)
    private Duration acquireTimeout;

    /**
     * A writer held longer than this is logged once, with the stack of where it was acquired (for a
     * statement still running, its thread's stack at that moment); 0 turns the warning off and
     * saves the stack a transaction captures when it begins, Sluice's default is 5s.
     */
    @DurationUnit(ChronoUnit.MILLIS)
    private Duration holdWarning;

    public Duration getAcquireTimeout() {
      return acquireTimeout;
    }

    public void setAcquireTimeout(Duration acquireTimeout) {
      this.acquireTimeout = acquireTimeout;
    }

    public Duration getHoldWarning() {
      return holdWarning;
    }

    public void setHoldWarning(Duration holdWarning) {
      this.holdWarning = holdWarning;
    }
  }

  /**
   * Shutdown settings ({@code sluice.close.*}).
   *
   * @since 0.1
   */
  public static final class Close {
    /**
     * How long closing the data source waits for in-flight work before it closes connections;
     * Sluice's default is 10s.
     */
    @DurationUnit(ChronoUnit.MILLIS)
    private Duration timeout;

    public Duration getTimeout() {
      return timeout;
    }

    public void setTimeout(Duration timeout) {
      this.timeout = timeout;
    }
  }

  /**
   * Settings of the Spring integration itself, not Sluice options ({@code sluice.spring.*}).
   *
   * @since 0.1
   */
  public static final class Spring {
    /**
     * Whether a plain jdbc:sqlite: spring.datasource.url also gets a SluiceDataSource instead of
     * Spring Boot's HikariCP pool.
     */
    private boolean plainSqlite;

    public boolean isPlainSqlite() {
      return plainSqlite;
    }

    public void setPlainSqlite(boolean plainSqlite) {
      this.plainSqlite = plainSqlite;
    }
  }

  /**
   * Retry of SQLITE_BUSY/LOCKED ({@code sluice.retry.*}).
   *
   * @since 0.1
   */
  public static final class Retry {
    /** Attempts, the first included; 1 turns retry off; Sluice's default is 10. */
    private Integer attempts;

    /** Delay before the first retry; it doubles up to max-delay; Sluice's default is 10ms. */
    @DurationUnit(ChronoUnit.MILLIS)
    private Duration initialDelay;

    /** Longest delay between two attempts; Sluice's default is 1s. */
    @DurationUnit(ChronoUnit.MILLIS)
    private Duration maxDelay;

    /** Bound of all attempts and delays together; Sluice's default is 5s. */
    @DurationUnit(ChronoUnit.MILLIS)
    private Duration maxDuration;

    /** Random share of each delay, 0 to 1; Sluice's default is 0.25. */
    private Double jitter;

    public Integer getAttempts() {
      return attempts;
    }

    public void setAttempts(Integer attempts) {
      this.attempts = attempts;
    }

    public Duration getInitialDelay() {
      return initialDelay;
    }

    public void setInitialDelay(Duration initialDelay) {
      this.initialDelay = initialDelay;
    }

    public Duration getMaxDelay() {
      return maxDelay;
    }

    public void setMaxDelay(Duration maxDelay) {
      this.maxDelay = maxDelay;
    }

    public Duration getMaxDuration() {
      return maxDuration;
    }

    public void setMaxDuration(Duration maxDuration) {
      this.maxDuration = maxDuration;
    }

    public Double getJitter() {
      return jitter;
    }

    public void setJitter(Double jitter) {
      this.jitter = jitter;
    }
  }

  /**
   * WAL checkpoints ({@code sluice.checkpoint.*}).
   *
   * @since 0.1
   */
  public static final class Checkpoint {
    /**
     * Who checkpoints the WAL: Sluice ("auto", whenever it grows past wal-limit, and at close) or a
     * replicator such as Litestream ("external"); Sluice's default is auto.
     */
    private CheckpointMode mode;

    /** WAL size in bytes above which the background checkpointer runs; default 16 MiB. */
    private Integer walLimit;

    /** How often the checkpointer looks at the WAL size; default 100ms. */
    @DurationUnit(ChronoUnit.MILLIS)
    private Duration interval;

    /**
     * Past the WAL limit, the longest writes pause so that a checkpoint (Sluice's in mode auto, the
     * replicator's in mode external) can reset the WAL while readers keep snapshots open; reads
     * never wait; 0 turns it off; default 2s.
     */
    @DurationUnit(ChronoUnit.MILLIS)
    private Duration writerYield;

    public CheckpointMode getMode() {
      return mode;
    }

    public void setMode(CheckpointMode mode) {
      this.mode = mode;
    }

    public Integer getWalLimit() {
      return walLimit;
    }

    public void setWalLimit(Integer walLimit) {
      this.walLimit = walLimit;
    }

    public Duration getInterval() {
      return interval;
    }

    public void setInterval(Duration interval) {
      this.interval = interval;
    }

    public Duration getWriterYield() {
      return writerYield;
    }

    public void setWriterYield(Duration writerYield) {
      this.writerYield = writerYield;
    }
  }

  /**
   * Who checkpoints the WAL ({@code sluice.checkpoint.mode}).
   *
   * @since 0.2
   */
  public enum CheckpointMode {
    /**
     * Sluice checkpoints the WAL (TRUNCATE) whenever it grows past the limit, even while readers
     * keep snapshots open, and at close.
     */
    AUTO,
    /**
     * Sluice never checkpoints and turns SQLite's auto-checkpoint off, leaving checkpoints to a
     * replicator such as Litestream.
     */
    EXTERNAL
  }

  /**
   * Statement logging through datasource-proxy and SLF4J ({@code sluice.log.*}).
   *
   * @since 0.1
   */
  public static final class Log {
    /** Whether every statement is logged at DEBUG. */
    private Boolean queries;

    /** Statements slower than this are logged at WARN; unset or 0 is off. */
    @DurationUnit(ChronoUnit.MILLIS)
    private Duration slowQueries;

    public Boolean getQueries() {
      return queries;
    }

    public void setQueries(Boolean queries) {
      this.queries = queries;
    }

    public Duration getSlowQueries() {
      return slowQueries;
    }

    public void setSlowQueries(Duration slowQueries) {
      this.slowQueries = slowQueries;
    }
  }

  /**
   * The write circuit breaker ({@code sluice.breaker.*}).
   *
   * @since 0.1
   */
  public static final class Breaker {
    /**
     * Consecutive writes that exhaust their retries on SQLITE_BUSY/LOCKED before writes fail fast;
     * unset or 0 turns the breaker off; 3 is a good start.
     */
    private Integer failures;

    /** How long the breaker stays open before one probe write; Sluice's default is 10s. */
    @DurationUnit(ChronoUnit.MILLIS)
    private Duration delay;

    public Integer getFailures() {
      return failures;
    }

    public void setFailures(Integer failures) {
      this.failures = failures;
    }

    public Duration getDelay() {
      return delay;
    }

    public void setDelay(Duration delay) {
      this.delay = delay;
    }
  }
}
