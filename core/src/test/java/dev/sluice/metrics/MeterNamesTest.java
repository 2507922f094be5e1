package dev.sluice.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Meter;
import java.util.List;
import org.junit.jupiter.api.Test;

class MeterNamesTest {

  @Test
  void markdownTableHasAHeaderAndOneLinePerMeterInTableOrder() {
    // When
    List<String> lines = MeterNames.markdownTable().lines().toList();

    // Then
    assertThat(lines)
        .hasSize(14)
        .startsWith("| meter | type | tags | meaning |", "| --- | --- | --- | --- |");
    assertThat(lines.get(2))
        .isEqualTo(
            "| `sluice.statements` | timer | `route` read/write, `outcome` success/error |"
                + " Statements executed and their duration, by route and outcome. |");
    assertThat(lines.subList(2, lines.size()))
        .extracting(line -> line.substring(3, line.indexOf('`', 3)))
        .containsExactly(
            "sluice.statements",
            "sluice.retries",
            "sluice.retries.exhausted",
            "sluice.writer.wait",
            "sluice.writer.hold",
            "sluice.writer.queue",
            "sluice.transactions",
            "sluice.misroutes",
            "sluice.wal.size",
            "sluice.writer.group.size",
            "sluice.breaker.state",
            "sluice.checkpoint.pause");
    assertThat(lines).allSatisfy(line -> assertThat(line.split("\\|", -1)).hasSize(6));
  }

  @Test
  void typeAndTagColumnsMatchTheDesignTable() {
    assertThat(MeterNames.row(MeterNames.RETRIES).tagsLabel())
        .isEqualTo("`route` read/write, `reason` busy/locked");
    assertThat(MeterNames.row(MeterNames.RETRIES_EXHAUSTED).tagsLabel())
        .isEqualTo("`route` read/write");
    assertThat(MeterNames.row(MeterNames.TRANSACTIONS).tagsLabel())
        .isEqualTo("`mode` read/write, `outcome` commit/rollback");
    assertThat(MeterNames.row(MeterNames.WRITER_WAIT).tagsLabel()).isEmpty();
    assertThat(MeterNames.row(MeterNames.WAL_SIZE).typeLabel()).isEqualTo("gauge (bytes)");
    assertThat(MeterNames.row(MeterNames.WRITER_GROUP_SIZE).typeLabel())
        .isEqualTo("distribution summary (statements)");
    assertThat(MeterNames.row(MeterNames.MISROUTES).typeLabel()).isEqualTo("counter");
    assertThat(MeterNames.row(MeterNames.BREAKER_STATE).type()).isEqualTo(Meter.Type.GAUGE);
  }

  @Test
  void rowsHaveUniqueSluiceNamesAndNeverRepeatTheDatasourceTag() {
    assertThat(MeterNames.ROWS)
        .extracting(MeterNames.Row::name)
        .doesNotHaveDuplicates()
        .allSatisfy(name -> assertThat(name).startsWith("sluice."));
    assertThat(MeterNames.ROWS)
        .flatExtracting(MeterNames.Row::tags)
        .extracting(MeterNames.TagValues::key)
        .doesNotContain(MeterNames.DATASOURCE);
  }

  @Test
  void anUnknownNameHasNoRow() {
    assertThatThrownBy(() -> MeterNames.row("sluice.nope"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("sluice.nope");
  }
}
