package dev.sluice;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Several JVMs on one file: each JVM has its own single writer, so the processes meet SQLite's
 * lock; Sluice's retry must make every insert land, once. 4 processes x 4 threads x 150 rows,
 * bounded at 3 minutes per process.
 */
class MultiProcessIT {
  private static final int PROCESSES = 4;
  private static final int THREADS = 4;
  private static final int COUNT = 150;
  private static final Pattern LINE = Pattern.compile("ok=(\\d+) failed=(\\d+) .*");

  @RegisterExtension final TestDatabase db = new TestDatabase();

  @Test
  void processesInsertingIntoOneFileLoseNothingAndDuplicateNothing() throws Exception {
    db.rawExec(
        "PRAGMA journal_mode=WAL",
        "CREATE TABLE item (id INTEGER PRIMARY KEY, process INT, thread INT, seq INT,"
            + " UNIQUE (process, thread, seq))");
    String url = "jdbc:sluice:sqlite:" + db.file() + "?sluice.readers=1";
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<Process> children = new ArrayList<>();
    for (int p = 0; p < PROCESSES; p++) {
      children.add(
          new ProcessBuilder(
                  java,
                  "-cp",
                  System.getProperty("java.class.path"),
                  "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                  InsertChild.class.getName(),
                  url,
                  Integer.toString(p),
                  Integer.toString(THREADS),
                  Integer.toString(COUNT))
              .redirectError(ProcessBuilder.Redirect.INHERIT)
              .start());
    }
    long acknowledged = 0;
    long failed = 0;
    for (Process child : children) {
      assertThat(child.waitFor(3, TimeUnit.MINUTES)).as("child finished in time").isTrue();
      assertThat(child.exitValue()).isZero();
      String last = null;
      try (BufferedReader out =
          new BufferedReader(
              new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = out.readLine(); line != null; line = out.readLine()) {
          last = line;
        }
      }
      Matcher m = LINE.matcher(String.valueOf(last));
      assertThat(m.matches()).as("child summary line: %s", last).isTrue();
      acknowledged += Long.parseLong(m.group(1));
      failed += Long.parseLong(m.group(2));
    }
    assertThat(failed).isZero();
    assertThat(acknowledged).isEqualTo((long) PROCESSES * THREADS * COUNT);
    assertThat(db.rawLong("SELECT count(*) FROM item")).isEqualTo(acknowledged);
    assertThat(
            db.rawLong("SELECT count(DISTINCT process || '-' || thread || '-' || seq) FROM item"))
        .isEqualTo(acknowledged);
  }
}
