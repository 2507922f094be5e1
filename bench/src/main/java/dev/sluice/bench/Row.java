package dev.sluice.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * One line of the result table: a target under a workload. Latencies are of every attempt, failed
 * ones included, from getting the connection to closing it.
 *
 * @param planned attempts the workload would make without the time cap (0 when time-bound)
 * @param hung threads or processes that did not finish within their join timeout
 * @param errors failure signature to count
 * @param stacks failure signature to the stack trace of its first occurrence (this JVM only)
 */
record Row(
    String targetLabel,
    String workload,
    int threads,
    long planned,
    long attempts,
    long ok,
    long failures,
    double seconds,
    double p50,
    double p95,
    double p99,
    double max,
    Check.Verdict verdict,
    boolean capped,
    int hung,
    Map<String, Long> errors,
    Map<String, String> stacks) {

  static final String CSV_HEADER =
      "target,workload,threads,planned,attempts,ok,failures,failure_pct,seconds,ok_per_s,"
          + "p50_ms,p95_ms,p99_ms,max_ms,invariant,capped,hung,errors";

  /**
   * Sums the tallies of one workload. The tally of a hung worker is read while its thread is still
   * stuck inside a JDBC call, after its last recorded attempt; its unanswered attempt is counted
   * here as one failure.
   */
  static Row of(
      String targetLabel,
      String workload,
      int threads,
      long planned,
      double seconds,
      int hung,
      List<Tally> tallies,
      Check.Verdict verdict) {
    Latencies latency = new Latencies();
    long attempts = hung;
    long ok = 0;
    long failures = hung;
    long max = 0;
    boolean capped = false;
    Map<String, Long> errors = new TreeMap<>();
    Map<String, String> stacks = new TreeMap<>();
    for (Tally t : tallies) {
      latency.addAll(t.latency);
      attempts += t.attempts;
      ok += t.ok;
      failures += t.failures;
      max = Math.max(max, t.maxNanos);
      capped |= t.capped;
      t.errors.forEach((k, v) -> errors.merge(k, v, Long::sum));
      t.firstStack.forEach(stacks::putIfAbsent);
    }
    if (hung > 0) {
      errors.merge("hung: no answer within the join timeout", (long) hung, Long::sum);
      max = Math.max(max, (long) (seconds * 1e9));
    }
    return new Row(
        targetLabel,
        workload,
        threads,
        planned,
        attempts,
        ok,
        failures,
        seconds,
        millis(latency.percentile(50)),
        millis(latency.percentile(95)),
        millis(latency.percentile(99)),
        millis(max),
        verdict,
        capped && planned > 0,
        hung,
        errors,
        stacks);
  }

  /** A workload that could not run at all (setup failed): reported, not thrown. */
  static Row broken(String targetLabel, String workload, int threads, Exception e) {
    return new Row(
        targetLabel,
        workload,
        threads,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        Check.Verdict.broken(e),
        false,
        0,
        Map.of(Tally.signature(e), 1L),
        Map.of());
  }

  private static double millis(long nanos) {
    return nanos / 1e6;
  }

  double failurePercent() {
    return attempts == 0 ? 0 : 100.0 * failures / attempts;
  }

  double okPerSecond() {
    return seconds <= 0 ? 0 : ok / seconds;
  }

  static String markdownHeader() {
    return "| target | workload | ops | failed | fail % | ok/s | p50 ms | p95 ms | p99 ms | max ms"
        + " | invariant |\n"
        + "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |";
  }

  String markdown() {
    String ops = Long.toString(attempts) + (capped ? "*" : "");
    return "| "
        + targetLabel
        + " | "
        + workload
        + " | "
        + ops
        + " | "
        + failures
        + " | "
        + String.format(Locale.ROOT, "%.1f", failurePercent())
        + " | "
        + String.format(Locale.ROOT, "%.0f", okPerSecond())
        + " | "
        + ms(p50)
        + " | "
        + ms(p95)
        + " | "
        + ms(p99)
        + " | "
        + ms(max)
        + " | "
        + (verdict.ok() ? "ok" : "FAIL")
        + " |";
  }

  String csv() {
    List<String> f = new ArrayList<>();
    f.add(targetLabel);
    f.add(workload);
    f.add(Integer.toString(threads));
    f.add(Long.toString(planned));
    f.add(Long.toString(attempts));
    f.add(Long.toString(ok));
    f.add(Long.toString(failures));
    f.add(String.format(Locale.ROOT, "%.3f", failurePercent()));
    f.add(String.format(Locale.ROOT, "%.3f", seconds));
    f.add(String.format(Locale.ROOT, "%.1f", okPerSecond()));
    f.add(String.format(Locale.ROOT, "%.3f", p50));
    f.add(String.format(Locale.ROOT, "%.3f", p95));
    f.add(String.format(Locale.ROOT, "%.3f", p99));
    f.add(String.format(Locale.ROOT, "%.3f", max));
    f.add(verdict.text());
    f.add(Boolean.toString(capped));
    f.add(Integer.toString(hung));
    StringBuilder e = new StringBuilder();
    errors.forEach(
        (k, v) -> e.append(e.length() == 0 ? "" : " | ").append(v).append("x ").append(k));
    f.add(e.toString());
    List<String> quoted = new ArrayList<>();
    for (String s : f) {
      quoted.add(
          s.indexOf(',') >= 0 || s.indexOf('"') >= 0 ? '"' + s.replace("\"", "\"\"") + '"' : s);
    }
    return String.join(",", quoted);
  }

  /** Milliseconds with about three significant digits. */
  static String ms(double millis) {
    if (millis < 10) {
      return String.format(Locale.ROOT, "%.2f", millis);
    }
    if (millis < 100) {
      return String.format(Locale.ROOT, "%.1f", millis);
    }
    return String.format(Locale.ROOT, "%.0f", millis);
  }
}
