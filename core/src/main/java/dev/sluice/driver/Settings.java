package dev.sluice.driver;

import dev.sluice.error.Errors;
import dev.sluice.retry.Retry;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;

/**
 * The immutable settings of one engine, parsed and validated from a URL and properties.
 *
 * <p>{@code sluice.*} keys are Sluice's options; every other key passes to sqlite-jdbc unchanged.
 * sqlite-jdbc pragma names that Sluice manages (for example {@code foreign_keys=on} or {@code
 * journal_mode}) also become wanted pragmas, so Sluice applies and verifies them on every
 * connection instead of overwriting them with its defaults.
 *
 * @param name the name asked for: {@code sluice.name}, or else the file name without its extension
 *     ({@code memory} for in-memory and temporary databases); {@link Engine#name()} is the one in
 *     use
 * @param nameGiven whether {@code sluice.name} was set; a derived name is made unique among live
 *     engines, a given one is kept or refused
 * @param sqliteUrl the {@code jdbc:sqlite:} URL handed to sqlite-jdbc
 * @param sqliteProperties properties handed to sqlite-jdbc
 * @param file the database file, or null for memory and temporary databases
 * @param singleConnection whether everything runs on one connection ({@code :memory:})
 * @param readOnly whether the application opens the database read-only (sqlite-jdbc's {@code
 *     open_mode} without read-write, a {@code file:} URI's {@code mode=ro} or {@code immutable=1}):
 *     every connection opens so, and Sluice writes nothing (no journal mode, checkpoint, sidecar)
 * @param reportsReadOnly whether {@code Connection.isReadOnly()} answers true from the start, as
 *     plain sqlite-jdbc answers for an {@code open_mode} without read-write
 * @param sharedMemory whether this in-memory database is a shared-cache URI ({@code cache=shared}),
 *     which every connection to it shares while one is open; other in-memory and temporary
 *     databases are private to one connection
 * @param groupCommit whether queued auto-commit writes share one transaction
 * @param groupMax the most statements one group commit runs
 * @param writerStatementCache how many statements the writer keeps compiled; 0 none
 * @param processLock whether the writer queues with other processes' writers through the sidecar
 *     lock file
 * @param retry how SQLITE_BUSY/LOCKED are retried
 * @param breakerFailures failed writes in a row that open the write breaker; 0 is off
 * @param breakerDelayMillis how long the breaker stays open before a probe
 * @param externalCheckpoints whether checkpoints are left to an external replicator
 * @param walLimitBytes WAL size above which the background checkpointer runs
 * @param checkpointIntervalMillis how often the checkpointer looks at the WAL
 * @param checkpointWriterYieldMillis past the WAL limit, the longest writes pause so that a
 *     checkpoint (Sluice's in auto mode, the replicator's in external mode) can reset it; 0 is off
 * @param metrics whether Sluice's meters are recorded
 * @param logQueries whether every statement is logged (datasource-proxy, SLF4J DEBUG)
 * @param slowQueryMillis statements slower than this are logged at WARN; 0 is off
 * @param pragmas wanted pragma values by lower-case name ("default" means leave unset)
 * @param relaxed pragma names whose read-back mismatch only warns
 * @param engineKey identifies engines that may be shared: same file, same options
 */
public record Settings(
    String name,
    boolean nameGiven,
    String sqliteUrl,
    Map<String, String> sqliteProperties,
    Path file,
    boolean singleConnection,
    boolean readOnly,
    boolean reportsReadOnly,
    boolean sharedMemory,
    int readers,
    long readerAcquireTimeoutMillis,
    long readerLeakDetectionMillis,
    int readerStatementCache,
    String connectionInitializer,
    long writerAcquireTimeoutMillis,
    long writerHoldWarningMillis,
    long closeTimeoutMillis,
    boolean groupCommit,
    int groupMax,
    int writerStatementCache,
    boolean processLock,
    Retry.Config retry,
    int breakerFailures,
    long breakerDelayMillis,
    boolean externalCheckpoints,
    long walLimitBytes,
    long checkpointIntervalMillis,
    long checkpointWriterYieldMillis,
    boolean metrics,
    boolean logQueries,
    long slowQueryMillis,
    Map<String, String> pragmas,
    Set<String> relaxed,
    String engineKey) {

  public static final String SLUICE_PREFIX = "jdbc:sluice:sqlite:";
  public static final String SQLITE_PREFIX = "jdbc:sqlite:";

  /** sqlite-jdbc's prefix for a database on the class path or at a URL. */
  private static final String RESOURCE_PREFIX = ":resource:";

  /** sqlite-jdbc configuration keys that are pragmas Sluice applies and verifies itself. */
  static final Set<String> MANAGED_PRAGMAS =
      Set.of(
          "journal_mode",
          "synchronous",
          "busy_timeout",
          "foreign_keys",
          "journal_size_limit",
          "temp_store",
          "cache_size",
          "mmap_size");

  /** Whether Sluice accepts this URL. */
  public static boolean accepts(String url) {
    return url != null && url.regionMatches(true, 0, SLUICE_PREFIX, 0, SLUICE_PREFIX.length());
  }

  /**
   * Parses a {@code jdbc:sluice:sqlite:} or {@code jdbc:sqlite:} URL with optional properties
   * (properties win over URL parameters, as in sqlite-jdbc).
   */
  public static Settings parse(String url, Properties info) throws SQLException {
    if (url == null) {
      throw Errors.cannotOpen("The JDBC URL is null; use jdbc:sluice:sqlite:<file>.", null);
    }
    String rest;
    if (accepts(url)) {
      rest = url.substring(SLUICE_PREFIX.length());
    } else if (url.regionMatches(true, 0, SQLITE_PREFIX, 0, SQLITE_PREFIX.length())) {
      rest = url.substring(SQLITE_PREFIX.length());
    } else {
      throw Errors.cannotOpen(
          "Not a Sluice URL: \""
              + Errors.abbreviate(url)
              + "\". Use jdbc:sluice:sqlite:<file> (or jdbc:sqlite:<file> with the builder).",
          null);
    }
    int q = rest.indexOf('?');
    String path = q < 0 ? rest : rest.substring(0, q);
    String query = q < 0 ? "" : rest.substring(q + 1);

    Map<String, String> options = new TreeMap<>();
    Map<String, String> passThrough = new LinkedHashMap<>();
    StringBuilder keptQuery = new StringBuilder();
    for (String part : query.split("&", -1)) {
      if (part.isEmpty()) {
        continue;
      }
      int eq = part.indexOf('=');
      String key = decode(eq < 0 ? part : part.substring(0, eq), part);
      String value = eq < 0 ? "" : decode(part.substring(eq + 1), part);
      if (key.startsWith("sluice.")) {
        options.put(key, value);
      } else {
        passThrough.put(key, value);
        keptQuery.append(keptQuery.length() == 0 ? "?" : "&").append(part);
      }
    }
    // Only the URI's own parameter makes SQLite share a cache; a property of that name does not.
    String uriCache = passThrough.get("cache");
    Map<String, String> sqliteProps = new TreeMap<>();
    if (info != null) {
      for (String key : info.stringPropertyNames()) {
        String value = info.getProperty(key);
        if (key.startsWith("sluice.")) {
          options.put(key, value);
        } else {
          sqliteProps.put(key, value);
          passThrough.put(key, value);
        }
      }
    }

    // Validate every sluice.* key before doing anything with the file.
    Map<String, String> pragmas = new TreeMap<>();
    for (Map.Entry<String, String> e : passThrough.entrySet()) {
      String k = e.getKey().toLowerCase(Locale.ROOT);
      if (MANAGED_PRAGMAS.contains(k)) {
        pragmas.put(k, e.getValue());
      }
    }
    for (Map.Entry<String, String> e : options.entrySet()) {
      Option o = Option.forKey(e.getKey());
      if (o == null) {
        List<String> known = new java.util.ArrayList<>();
        for (Option each : Option.values()) {
          known.add(each.type() == Option.Type.PREFIX ? each.key() + "<name>" : each.key());
        }
        throw Errors.unknownOption(e.getKey(), known);
      }
      if (o == Option.PRAGMA) {
        String pragma = e.getKey().substring(Option.PRAGMA.key().length()).toLowerCase(Locale.ROOT);
        if (!pragma.matches("[a-z_]+")) {
          throw Errors.invalidOption(e.getKey(), e.getValue(), "must name a pragma ([a-z_]+)");
        }
        pragmas.put(pragma, e.getValue());
      }
    }

    if (path.startsWith(RESOURCE_PREFIX)) {
      path = resourceFile(path.substring(RESOURCE_PREFIX.length())).toString();
    }
    String lowerPath = path.toLowerCase(Locale.ROOT);
    boolean memory =
        path.isEmpty()
            || lowerPath.equals(":memory:")
            || lowerPath.startsWith("file::memory:")
            || (passThrough.containsKey("mode")
                && "memory".equalsIgnoreCase(passThrough.get("mode")));
    Path file = null;
    if (!memory) {
      String filePath = lowerPath.startsWith("file:") ? fileUriPath(path) : path;
      file = Path.of(filePath).toAbsolutePath().normalize();
      Path parent = file.getParent();
      if (parent != null && !Files.isDirectory(parent)) {
        throw Errors.cannotOpenFile(
            "Cannot open SQLite database "
                + file
                + ": the directory "
                + parent
                + " does not exist. Create it, or fix the path in the URL.");
      }
      if (Files.isDirectory(file)) {
        throw Errors.cannotOpenFile(
            "Cannot open SQLite database " + file + ": it is a directory, not a file.");
      }
    }

    String name = options.getOrDefault(Option.NAME.key(), "");
    boolean nameGiven = !name.isBlank();
    if (!nameGiven) {
      name = file == null ? "memory" : stripExtension(file.getFileName().toString());
    }
    int readers = Option.READERS.parseInt(value(options, Option.READERS), 1);
    long readerTimeout =
        Option.READER_ACQUIRE_TIMEOUT.parseMillis(value(options, Option.READER_ACQUIRE_TIMEOUT), 1);
    long writerTimeout =
        Option.WRITER_ACQUIRE_TIMEOUT.parseMillis(value(options, Option.WRITER_ACQUIRE_TIMEOUT), 1);
    long holdWarning =
        Option.WRITER_HOLD_WARNING.parseMillis(value(options, Option.WRITER_HOLD_WARNING), 0);
    long closeTimeout = Option.CLOSE_TIMEOUT.parseMillis(value(options, Option.CLOSE_TIMEOUT), 0);
    long initialDelay =
        Option.RETRY_INITIAL_DELAY.parseMillis(value(options, Option.RETRY_INITIAL_DELAY), 0);
    long maxDelay = Option.RETRY_MAX_DELAY.parseMillis(value(options, Option.RETRY_MAX_DELAY), 0);
    if (maxDelay < initialDelay) {
      throw Errors.invalidOption(
          Option.RETRY_MAX_DELAY.key(),
          Long.toString(maxDelay),
          "must be >= sluice.retry.initialDelay (" + initialDelay + " ms)");
    }
    Retry.Config retry =
        new Retry.Config(
            Option.RETRY_ATTEMPTS.parseInt(value(options, Option.RETRY_ATTEMPTS), 1),
            Duration.ofMillis(initialDelay),
            Duration.ofMillis(maxDelay),
            Duration.ofMillis(
                Option.RETRY_MAX_DURATION.parseMillis(
                    value(options, Option.RETRY_MAX_DURATION), 1)),
            Option.RETRY_JITTER.parseFraction(value(options, Option.RETRY_JITTER)));
    Set<String> relaxed = new LinkedHashSet<>();
    for (String r : value(options, Option.PRAGMA_RELAX).split(",", -1)) {
      if (!r.isBlank()) {
        relaxed.add(r.trim().toLowerCase(Locale.ROOT));
      }
    }

    String checkpoint = value(options, Option.CHECKPOINT).trim().toLowerCase(Locale.ROOT);
    if (!checkpoint.equals("auto") && !checkpoint.equals("external")) {
      throw Errors.invalidOption(Option.CHECKPOINT.key(), checkpoint, "must be auto or external");
    }
    boolean external = checkpoint.equals("external");
    if (external && !pragmas.containsKey("wal_autocheckpoint")) {
      pragmas.put("wal_autocheckpoint", "0");
    }
    long walLimit =
        Option.CHECKPOINT_WAL_LIMIT.parseInt(value(options, Option.CHECKPOINT_WAL_LIMIT), 0);
    long checkpointInterval =
        Option.CHECKPOINT_INTERVAL.parseMillis(value(options, Option.CHECKPOINT_INTERVAL), 1);

    String sqliteUrl = SQLITE_PREFIX + path + keptQuery;
    String key =
        (file == null ? sqliteUrl : file.toString())
            + '|'
            + new TreeMap<>(passThrough)
            + '|'
            + options;
    boolean openModeReadOnly = openModeReadOnly(passThrough.get("open_mode"));
    boolean uri = lowerPath.startsWith("file:");
    boolean readOnly =
        !memory
            && (openModeReadOnly
                || (uri && "ro".equalsIgnoreCase(passThrough.get("mode")))
                || (uri && isTrue(passThrough.get("immutable"))));
    // SQLite shares an in-memory database between connections only for a URI with cache=shared;
    // sqlite-jdbc's shared_cache property does not change that.
    boolean sharedMemory =
        memory && lowerPath.startsWith("file:") && "shared".equalsIgnoreCase(uriCache);
    return new Settings(
        name,
        nameGiven,
        sqliteUrl,
        Collections.unmodifiableMap(sqliteProps),
        file,
        memory,
        readOnly,
        openModeReadOnly && !memory,
        sharedMemory,
        readers,
        readerTimeout,
        Option.READER_LEAK_DETECTION.parseMillis(value(options, Option.READER_LEAK_DETECTION), 0),
        Option.READER_STATEMENT_CACHE.parseInt(value(options, Option.READER_STATEMENT_CACHE), 0),
        value(options, Option.CONNECTION_INITIALIZER).trim(),
        writerTimeout,
        holdWarning,
        closeTimeout,
        Option.WRITER_GROUP_COMMIT.parseBoolean(value(options, Option.WRITER_GROUP_COMMIT)),
        Option.WRITER_GROUP_MAX.parseInt(value(options, Option.WRITER_GROUP_MAX), 1),
        Option.WRITER_STATEMENT_CACHE.parseInt(value(options, Option.WRITER_STATEMENT_CACHE), 0),
        Option.WRITER_PROCESS_LOCK.parseBoolean(value(options, Option.WRITER_PROCESS_LOCK)),
        retry,
        Option.BREAKER_FAILURES.parseInt(value(options, Option.BREAKER_FAILURES), 0),
        Option.BREAKER_DELAY.parseMillis(value(options, Option.BREAKER_DELAY), 1),
        external,
        walLimit,
        checkpointInterval,
        Option.CHECKPOINT_WRITER_YIELD.parseMillis(
            value(options, Option.CHECKPOINT_WRITER_YIELD), 0),
        Option.METRICS.parseBoolean(value(options, Option.METRICS)),
        Option.LOG_QUERIES.parseBoolean(value(options, Option.LOG_QUERIES)),
        Option.LOG_SLOW_QUERIES.parseMillis(value(options, Option.LOG_SLOW_QUERIES), 0),
        Collections.unmodifiableMap(pragmas),
        Collections.unmodifiableSet(relaxed),
        key);
  }

  /**
   * The file of a {@code :resource:} database, found as sqlite-jdbc finds it: on the context class
   * path, else as a URL. A {@code file:} resource is opened in place; any other (inside a jar, on a
   * server) is copied to a new temporary file, deleted at exit, which this engine then owns.
   */
  private static Path resourceFile(String name) throws SQLException {
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    URL url = loader == null ? null : loader.getResource(name);
    try {
      if (url == null) {
        url = URI.create(name).toURL();
      }
      if ("file".equals(url.getProtocol())) {
        return Path.of(url.toURI());
      }
      Path copy = Files.createTempFile("sluice-resource-", ".db");
      copy.toFile().deleteOnExit();
      try (InputStream in = url.openStream()) {
        Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
      }
      return copy;
    } catch (IOException | URISyntaxException | IllegalArgumentException e) {
      throw Errors.cannotOpenFile(
          "Cannot open SQLite database :resource:"
              + name
              + ": no such resource on the class path, and not a URL that can be read ("
              + e.getMessage()
              + ").");
    }
  }

  /** The sqlite-jdbc properties as a fresh {@link Properties} object. */
  public Properties sqliteProperties(Map<String, String> extra) {
    Properties p = new Properties();
    p.putAll(sqliteProperties);
    p.putAll(extra);
    return p;
  }

  private static String value(Map<String, String> options, Option o) {
    return options.getOrDefault(o.key(), o.defaultValue());
  }

  private static String decode(String s, String context) throws SQLException {
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw Errors.cannotOpen(
          "Malformed URL part \""
              + Errors.abbreviate(context)
              + "\": "
              + e.getMessage()
              + ". Write % as %25 in URLs.",
          e);
    }
  }

  private static String fileUriPath(String uri) throws SQLException {
    String p = uri.substring("file:".length());
    if (p.startsWith("//")) {
      // file://host/path or file:///path: the path starts at the third slash
      int slash = p.indexOf('/', 2);
      p = slash < 0 ? "" : p.substring(slash);
    }
    return decode(p, uri);
  }

  /**
   * Whether sqlite-jdbc's {@code open_mode} flags open read-only: SQLITE_OPEN_READONLY (1) without
   * SQLITE_OPEN_READWRITE (2), as {@code SQLiteConfig.setReadOnly(true)} sets them. A value that is
   * not a number is left to sqlite-jdbc, which refuses it at open.
   */
  private static boolean openModeReadOnly(String flags) {
    if (flags == null) {
      return false;
    }
    try {
      int mode = Integer.parseInt(flags.trim());
      return (mode & 1) != 0 && (mode & 2) == 0;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /** A URI boolean as SQLite reads it: 1, true, yes or on. */
  private static boolean isTrue(String value) {
    return value != null
        && switch (value.trim().toLowerCase(Locale.ROOT)) {
          case "1", "true", "yes", "on" -> true;
          default -> false;
        };
  }

  private static String stripExtension(String fileName) {
    int dot = fileName.lastIndexOf('.');
    return dot > 0 ? fileName.substring(0, dot) : fileName;
  }
}
