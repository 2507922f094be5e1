package dev.sluice.metrics;

import io.micrometer.core.instrument.Meter;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Names and tags of every Sluice meter, as in the metrics table of {@code docs/design.md}, plus the
 * rows that table and the README's are generated from ({@link #markdownTable()}). Every meter also
 * carries the tag {@link #DATASOURCE}, which the rows leave out. Constants only, thread-safe.
 */
public final class MeterNames {
  public static final String STATEMENTS = "sluice.statements";
  public static final String RETRIES = "sluice.retries";
  public static final String RETRIES_EXHAUSTED = "sluice.retries.exhausted";
  public static final String WRITER_WAIT = "sluice.writer.wait";
  public static final String WRITER_HOLD = "sluice.writer.hold";
  public static final String WRITER_QUEUE = "sluice.writer.queue";
  public static final String TRANSACTIONS = "sluice.transactions";
  public static final String MISROUTES = "sluice.misroutes";
  public static final String WAL_SIZE = "sluice.wal.size";
  public static final String WRITER_GROUP_SIZE = "sluice.writer.group.size";
  public static final String BREAKER_STATE = "sluice.breaker.state";
  public static final String CHECKPOINT_PAUSE = "sluice.checkpoint.pause";

  public static final String DATASOURCE = "datasource";
  public static final String ROUTE = "route";
  public static final String OUTCOME = "outcome";
  public static final String REASON = "reason";
  public static final String MODE = "mode";

  public static final String READ = "read";
  public static final String WRITE = "write";
  public static final String SUCCESS = "success";
  public static final String ERROR = "error";
  public static final String BUSY = "busy";
  public static final String LOCKED = "locked";
  public static final String COMMIT = "commit";
  public static final String ROLLBACK = "rollback";

  public static final String BYTES = "bytes";
  public static final String STATEMENTS_UNIT = "statements";

  /** {@link #BREAKER_STATE} value while the breaker lets work through. */
  public static final int BREAKER_CLOSED = 0;

  /** {@link #BREAKER_STATE} value while the breaker rejects work. */
  public static final int BREAKER_OPEN = 1;

  /** {@link #BREAKER_STATE} value while the breaker lets trial work through. */
  public static final int BREAKER_HALF_OPEN = 2;

  /**
   * One tag key of a meter and every value it takes.
   *
   * @param key the tag key
   * @param values all values, in table order
   */
  public record TagValues(String key, List<String> values) {
    public TagValues {
      Objects.requireNonNull(key, "key");
      values = List.copyOf(values);
    }
  }

  /**
   * One meter as documented.
   *
   * @param name meter name
   * @param type Micrometer meter type
   * @param baseUnit base unit, or null when the type implies it (timers) or there is none
   * @param tags tag keys besides {@link #DATASOURCE}; a meter exists for every combination
   * @param meaning one sentence for users; also the Micrometer description
   */
  public record Row(
      String name, Meter.Type type, String baseUnit, List<TagValues> tags, String meaning) {
    public Row {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(type, "type");
      tags = List.copyOf(tags);
      Objects.requireNonNull(meaning, "meaning");
    }

    /**
     * The type as the table shows it, e.g. {@code distribution summary} or {@code gauge (bytes)}.
     */
    public String typeLabel() {
      String label = type.name().toLowerCase(Locale.ROOT).replace('_', ' ');
      return baseUnit == null ? label : label + " (" + baseUnit + ")";
    }

    /**
     * The tags as the table shows them, e.g. {@code `route` read/write, `outcome` success/error}.
     */
    public String tagsLabel() {
      StringBuilder out = new StringBuilder();
      for (TagValues tag : tags) {
        if (out.length() > 0) {
          out.append(", ");
        }
        out.append('`').append(tag.key()).append("` ").append(String.join("/", tag.values()));
      }
      return out.toString();
    }
  }

  private static final TagValues ROUTES = new TagValues(ROUTE, List.of(READ, WRITE));

  /** Every Sluice meter, in the order of the table. */
  public static final List<Row> ROWS =
      List.of(
          new Row(
              STATEMENTS,
              Meter.Type.TIMER,
              null,
              List.of(ROUTES, new TagValues(OUTCOME, List.of(SUCCESS, ERROR))),
              "Statements executed and their duration, by route and outcome."),
          new Row(
              RETRIES,
              Meter.Type.COUNTER,
              null,
              List.of(ROUTES, new TagValues(REASON, List.of(BUSY, LOCKED))),
              "Attempts retried after SQLITE_BUSY or SQLITE_LOCKED."),
          new Row(
              RETRIES_EXHAUSTED,
              Meter.Type.COUNTER,
              null,
              List.of(ROUTES),
              "Statements that still failed after their last allowed retry."),
          new Row(
              WRITER_WAIT,
              Meter.Type.TIMER,
              null,
              List.of(),
              "Time spent waiting in the queue for the single writer connection."),
          new Row(
              WRITER_HOLD,
              Meter.Type.TIMER,
              null,
              List.of(),
              "Time the writer connection was held, from acquisition to release."),
          new Row(
              WRITER_QUEUE,
              Meter.Type.GAUGE,
              null,
              List.of(),
              "Threads currently waiting for the writer."),
          new Row(
              TRANSACTIONS,
              Meter.Type.TIMER,
              null,
              List.of(
                  new TagValues(MODE, List.of(READ, WRITE)),
                  new TagValues(OUTCOME, List.of(COMMIT, ROLLBACK))),
              "Transactions and their duration, by mode and outcome."),
          new Row(
              MISROUTES,
              Meter.Type.COUNTER,
              null,
              List.of(),
              "Writes that reached a reader, made no change there, and were re-run on the writer."),
          new Row(
              WAL_SIZE,
              Meter.Type.GAUGE,
              BYTES,
              List.of(),
              "Current size of the write-ahead log file."),
          new Row(
              WRITER_GROUP_SIZE,
              Meter.Type.DISTRIBUTION_SUMMARY,
              STATEMENTS_UNIT,
              List.of(),
              "Statements acknowledged per group commit."),
          new Row(
              BREAKER_STATE,
              Meter.Type.GAUGE,
              null,
              List.of(),
              "Circuit breaker state: 0 closed, 1 open, 2 half-open."),
          new Row(
              CHECKPOINT_PAUSE,
              Meter.Type.LONG_TASK_TIMER,
              null,
              List.of(),
              "Writes held back past sluice.checkpoint.walLimit so that a checkpoint can reset the"
                  + " WAL (at most sluice.checkpoint.writerYield each); reads go on meanwhile."));

  private MeterNames() {}

  /** The row for a meter name. */
  static Row row(String name) {
    for (Row row : ROWS) {
      if (row.name().equals(name)) {
        return row;
      }
    }
    throw new IllegalArgumentException("No Sluice meter named " + name);
  }

  /**
   * The metrics table for the README: {@code | meter | type | tags | meaning |}, one line per row
   * of {@link #ROWS}, each line ending in a newline.
   */
  public static String markdownTable() {
    StringBuilder out =
        new StringBuilder("| meter | type | tags | meaning |\n| --- | --- | --- | --- |\n");
    for (Row row : ROWS) {
      out.append("| `")
          .append(row.name())
          .append("` | ")
          .append(row.typeLabel())
          .append(" | ")
          .append(row.tagsLabel())
          .append(" | ")
          .append(row.meaning())
          .append(" |\n");
    }
    return out.toString();
  }
}
