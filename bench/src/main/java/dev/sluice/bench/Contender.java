package dev.sluice.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;

/**
 * The ways an application reaches SQLite that the stress program compares, each opened on its own
 * database file. Only JDBC, {@link DriverManager} and (for {@link #HIKARI}) HikariCP are used:
 * nothing of Sluice is named but its URL.
 *
 * <p>Thread-safe: the sources it opens hand out one connection per call.
 */
enum Contender {
  /** (a) What a program without a pool does: a new connection per operation, every default. */
  PLAIN("a", "sqlite-jdbc", "plain sqlite-jdbc, new connection per operation, DELETE journal"),
  /** (b) Today's careful setup. */
  HIKARI("b", "HikariCP+WAL", "HikariCP pool 10, WAL, synchronous=NORMAL, busy_timeout=5000"),
  /** (c) The URL swap. */
  SLUICE("c", "Sluice", "jdbc:sluice:sqlite: through DriverManager, defaults"),
  /** (d) The URL swap without the processes' queue: only for the several-processes workloads. */
  SLUICE_NO_QUEUE(
      "d",
      "Sluice no queue",
      "jdbc:sluice:sqlite: through DriverManager, sluice.writer.processLock=false"),
  /**
   * (e) The URL swap in an application that already pools with HikariCP: (b)'s pool, its URL
   * changed. HikariCP then pools Sluice's logical connections, and DriverManager's own cost per
   * connection (a lock around its log, a class lookup) is paid only when the pool grows.
   */
  SLUICE_IN_HIKARI(
      "e", "Sluice in HikariCP", "HikariCP pool 10 over jdbc:sluice:sqlite:, Sluice's defaults");

  /** The targets of the workloads inside one process. */
  static final List<Contender> IN_PROCESS = List.of(PLAIN, HIKARI, SLUICE, SLUICE_IN_HIKARI);

  /** The targets of the several-processes workloads. */
  static final List<Contender> PROCESSES = List.of(PLAIN, HIKARI, SLUICE, SLUICE_NO_QUEUE);

  private final String letter;
  private final String label;
  private final String description;

  Contender(String letter, String label, String description) {
    this.letter = letter;
    this.label = label;
    this.description = description;
  }

  String letter() {
    return letter;
  }

  /** Short name for the table, e.g. {@code a sqlite-jdbc}. */
  String label() {
    return letter + " " + label;
  }

  String description() {
    return description;
  }

  /** Whether the target's connections put the file in WAL mode. */
  boolean wal() {
    return this != PLAIN;
  }

  /** Opens the target on a database file; the caller closes the source. */
  Source open(Path file, String name) {
    return open(file, name, "");
  }

  /**
   * Opens the target on a database file, with {@code sluiceOptions} ({@code a=b&c=d}, or empty)
   * added to Sluice's URL; the caller closes the source.
   */
  Source open(Path file, String name, String sluiceOptions) {
    String extra = sluiceOptions.isEmpty() ? "" : "?" + sluiceOptions;
    switch (this) {
      case PLAIN:
        String plainUrl = "jdbc:sqlite:" + file;
        return () -> DriverManager.getConnection(plainUrl);
      case HIKARI:
      case SLUICE_IN_HIKARI:
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(
            this == HIKARI
                ? "jdbc:sqlite:" + file + "?journal_mode=WAL&synchronous=NORMAL&busy_timeout=5000"
                : "jdbc:sluice:sqlite:" + file + extra);
        config.setMaximumPoolSize(10);
        config.setPoolName(name);
        HikariDataSource pool = new HikariDataSource(config);
        return new Source() {
          @Override
          public Connection connection() throws SQLException {
            return pool.getConnection();
          }

          @Override
          public void close() {
            pool.close();
          }
        };
      case SLUICE:
        String sluiceUrl = "jdbc:sluice:sqlite:" + file + extra;
        return () -> DriverManager.getConnection(sluiceUrl);
      case SLUICE_NO_QUEUE:
        String noQueueUrl =
            "jdbc:sluice:sqlite:"
                + file
                + "?sluice.writer.processLock=false"
                + (sluiceOptions.isEmpty() ? "" : "&" + sluiceOptions);
        return () -> DriverManager.getConnection(noQueueUrl);
      default:
        throw new IllegalStateException("unknown target " + this);
    }
  }

  /** Where a workload gets its connections; closing it ends the pool, if there is one. */
  interface Source extends AutoCloseable {
    Connection connection() throws SQLException;

    @Override
    default void close() {}
  }
}
