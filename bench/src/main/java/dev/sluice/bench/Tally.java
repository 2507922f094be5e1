package dev.sluice.bench;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.Base64;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one worker (a thread, or a child process) saw: attempts, successes, failures by kind, the
 * latency of every attempt, and which sequence numbers were acknowledged, so the invariant check
 * can compare the database with what the application was told.
 *
 * <p>Not thread-safe: each worker owns one and hands it over after it is joined.
 */
final class Tally {
  private static final int MAX_SIGNATURE = 160;

  final int worker;
  final Latencies latency = new Latencies();
  final BitSet acked = new BitSet();
  final Map<String, Long> errors = new TreeMap<>();
  final Map<String, String> firstStack = new LinkedHashMap<>();
  long attempts;
  long ok;
  long failures;
  long wrong;
  long maxNanos;
  long elapsedNanos;
  boolean capped;

  Tally(int worker) {
    this.worker = worker;
  }

  void success(int seq, long nanos) {
    attempts++;
    ok++;
    acked.set(seq);
    record(nanos);
  }

  void failure(Throwable e, long nanos) {
    attempts++;
    failures++;
    record(nanos);
    String signature = signature(e);
    errors.merge(signature, 1L, Long::sum);
    firstStack.computeIfAbsent(signature, s -> stack(e));
  }

  /** A read that answered without an error but with the wrong row. */
  void wrongResult(Throwable e, long nanos) {
    wrong++;
    failure(e, nanos);
  }

  private void record(long nanos) {
    latency.add(Math.max(0, nanos));
    maxNanos = Math.max(maxNanos, nanos);
  }

  /**
   * Groups failures of the same kind: type, SQLState, vendor code and message with its numbers
   * blanked (Sluice's messages carry waiting times and queue lengths).
   */
  static String signature(Throwable e) {
    StringBuilder b = new StringBuilder(e.getClass().getSimpleName());
    if (e instanceof SQLException s) {
      b.append(" [state ").append(s.getSQLState()).append(", code ").append(s.getErrorCode());
      b.append(']');
    }
    String message = e.getMessage();
    if (message != null) {
      int newline = message.indexOf('\n');
      String first = newline < 0 ? message : message.substring(0, newline);
      b.append(": ").append(first.replaceAll("\\d+", "#"));
    }
    String s = b.toString().replace('|', '/').replace(',', ';');
    return s.length() > MAX_SIGNATURE ? s.substring(0, MAX_SIGNATURE) + "..." : s;
  }

  private static String stack(Throwable e) {
    StringWriter w = new StringWriter();
    e.printStackTrace(new PrintWriter(w));
    return w.toString();
  }

  /** One line a child process prints for the parent: see {@link #decode}. */
  String encode() {
    StringBuilder errorText = new StringBuilder();
    for (Map.Entry<String, Long> e : errors.entrySet()) {
      errorText.append(e.getValue()).append('\t').append(e.getKey()).append('\n');
    }
    return String.join(
        " ",
        "RESULT",
        Integer.toString(worker),
        Long.toString(attempts),
        Long.toString(ok),
        Long.toString(failures),
        Long.toString(maxNanos),
        Long.toString(elapsedNanos),
        capped ? "1" : "0",
        field(latency.toBytes()),
        field(acked.toByteArray()),
        field(errorText.toString().getBytes(StandardCharsets.UTF_8)));
  }

  /** Base64, or {@code -} for nothing, so that no field of the line is empty. */
  private static String field(byte[] bytes) {
    return bytes.length == 0 ? "-" : Base64.getEncoder().encodeToString(bytes);
  }

  private static byte[] bytes(String field) {
    return field.equals("-") ? new byte[0] : Base64.getDecoder().decode(field);
  }

  /** Reads a line written by {@link #encode}. */
  static Tally decode(String line) {
    String[] f = line.trim().split(" ", -1);
    if (f.length != 11 || !f[0].equals("RESULT")) {
      throw new IllegalArgumentException("not a result line: " + line);
    }
    Tally t = new Tally(Integer.parseInt(f[1]));
    t.attempts = Long.parseLong(f[2]);
    t.ok = Long.parseLong(f[3]);
    t.failures = Long.parseLong(f[4]);
    t.maxNanos = Long.parseLong(f[5]);
    t.elapsedNanos = Long.parseLong(f[6]);
    t.capped = f[7].equals("1");
    t.latency.addAll(Latencies.fromBytes(bytes(f[8])));
    t.acked.or(BitSet.valueOf(bytes(f[9])));
    String errorText = new String(bytes(f[10]), StandardCharsets.UTF_8);
    for (String e : errorText.split("\n", -1)) {
      int tab = e.indexOf('\t');
      if (tab > 0) {
        t.errors.merge(e.substring(tab + 1), Long.parseLong(e.substring(0, tab)), Long::sum);
      }
    }
    return t;
  }
}
