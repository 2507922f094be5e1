package dev.sluice.pragma;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PragmasTest {
  @TempDir Path dir;

  private Connection open() throws SQLException {
    return DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("test.db"));
  }

  private static Connection openMemory() throws SQLException {
    return DriverManager.getConnection("jdbc:sqlite::memory:");
  }

  private static String read(Connection c, String pragma) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("PRAGMA " + pragma)) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  private static void execute(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  @Test
  void defaultsAreAppliedAndReadBackOnTheWriter() throws SQLException {
    Pragmas pragmas = Pragmas.builder().build();

    try (Connection c = open()) {
      pragmas.applyToWriter(c);

      assertThat(read(c, "journal_mode")).isEqualTo("wal");
      assertThat(read(c, "synchronous")).isEqualTo("1");
      assertThat(read(c, "busy_timeout")).isEqualTo("100");
      assertThat(read(c, "journal_size_limit")).isEqualTo("67108864");
      assertThat(read(c, "temp_store")).isEqualTo("2");
      assertThat(read(c, "cache_size")).isEqualTo("-16000");
      assertThat(read(c, "mmap_size")).isEqualTo("134217728");
      assertThat(read(c, "query_only")).isEqualTo("0");
      execute(c, "CREATE TABLE t(x)");
    }
  }

  @Test
  void readerGetsTheDefaultsAndQueryOnlySoThatAWriteFailsWithSqliteReadonly() throws SQLException {
    Pragmas pragmas = Pragmas.builder().build();

    try (Connection writer = open();
        Connection reader = open()) {
      pragmas.applyToWriter(writer);
      execute(writer, "CREATE TABLE t(x)");
      pragmas.applyToReader(reader);

      assertThat(read(reader, "query_only")).isEqualTo("1");
      assertThat(read(reader, "journal_mode")).isEqualTo("wal");
      assertThat(read(reader, "synchronous")).isEqualTo("1");
      assertThat(read(reader, "busy_timeout")).isEqualTo("100");
      assertThat(read(reader, "mmap_size")).isEqualTo("134217728");
      assertThatThrownBy(() -> execute(reader, "INSERT INTO t VALUES (1)"))
          .isInstanceOf(SQLException.class)
          .extracting(e -> ((SQLException) e).getErrorCode())
          .isEqualTo(8);
      execute(writer, "INSERT INTO t VALUES (1)");
      assertThat(read(reader, "query_only")).isEqualTo("1");
    }
  }

  @Test
  void readerOpensWhileTheWriterHoldsAWriteTransaction() throws SQLException {
    Pragmas pragmas = Pragmas.builder().build();

    try (Connection writer = open();
        Connection reader = open()) {
      pragmas.applyToWriter(writer);
      execute(writer, "CREATE TABLE t(x)");
      execute(writer, "BEGIN IMMEDIATE");
      execute(writer, "INSERT INTO t VALUES (1)");

      pragmas.applyToReader(reader);

      assertThat(read(reader, "journal_mode")).isEqualTo("wal");
      assertThat(read(reader, "query_only")).isEqualTo("1");
      execute(writer, "COMMIT");
    }
  }

  @Test
  void readerSettingsAreTheWriterSettingsThenQueryOnlyLast() throws SQLException {
    Pragmas pragmas = Pragmas.builder().set("foreign_keys", "on").build();

    assertThat(pragmas.writerSettings())
        .extracting(PragmaSetting::name)
        .containsExactly(
            "journal_mode",
            "synchronous",
            "busy_timeout",
            "journal_size_limit",
            "temp_store",
            "cache_size",
            "mmap_size",
            "foreign_keys");
    assertThat(pragmas.readerSettings())
        .hasSize(pragmas.writerSettings().size() + 1)
        .startsWith(pragmas.writerSettings().toArray(new PragmaSetting[0]))
        .last()
        .isEqualTo(new PragmaSetting("query_only", "1", true));
    assertThat(pragmas.writerSettings()).contains(new PragmaSetting("foreign_keys", "ON", true));
  }

  @Test
  void overridesReplaceTheDefaults() throws SQLException {
    Pragmas pragmas =
        Pragmas.builder()
            .set("synchronous", "full")
            .set("BUSY_TIMEOUT", "250")
            .set("temp_store", "FILE")
            .set("cache_size", "-2000")
            .set("foreign_keys", "ON")
            .set("journal_mode", "truncate")
            .build();

    try (Connection c = open()) {
      pragmas.applyToWriter(c);

      assertThat(read(c, "synchronous")).isEqualTo("2");
      assertThat(read(c, "busy_timeout")).isEqualTo("250");
      assertThat(read(c, "temp_store")).isEqualTo("1");
      assertThat(read(c, "cache_size")).isEqualTo("-2000");
      assertThat(read(c, "foreign_keys")).isEqualTo("1");
      assertThat(read(c, "journal_mode")).isEqualTo("truncate");
    }
    assertThat(pragmas.wanted("synchronous")).isEqualTo("FULL");
    assertThat(pragmas.wanted("busy_timeout")).isEqualTo("250");
  }

  @Test
  void foreignKeysAreNotAppliedUnlessSet() throws SQLException {
    Pragmas pragmas = Pragmas.builder().build();

    try (Connection c = open()) {
      execute(c, "PRAGMA foreign_keys=ON");
      pragmas.applyToWriter(c);

      assertThat(read(c, "foreign_keys")).isEqualTo("1");
    }
    assertThat(pragmas.wanted("foreign_keys")).isNull();
    assertThat(pragmas.isEnforced("foreign_keys")).isFalse();
  }

  @Test
  void walOnAMemoryDatabaseFailsWith08001NamingPragmaWantedAndActual() throws SQLException {
    Pragmas pragmas = Pragmas.builder().build();

    try (Connection c = openMemory()) {
      assertThatThrownBy(() -> pragmas.applyToWriter(c))
          .isInstanceOf(SQLNonTransientConnectionException.class)
          .hasFieldOrPropertyWithValue("SQLState", "08001")
          .hasMessageContaining("journal_mode")
          .hasMessageContaining("memory")
          .hasMessageContaining("WAL");
      assertThat(read(c, "journal_mode")).isEqualTo("memory");
    }
  }

  @Test
  void aValueSqliteClampsFailsTheOpen() throws SQLException {
    Pragmas pragmas = Pragmas.builder().set("max_page_count", "1").build();

    try (Connection c = open()) {
      execute(c, "CREATE TABLE t(x)");

      Throwable thrown = catchThrowable(() -> pragmas.applyToWriter(c));

      String clamped = read(c, "max_page_count");
      assertThat(clamped).isNotEqualTo("1");
      assertThat(thrown)
          .isInstanceOf(SQLNonTransientConnectionException.class)
          .hasFieldOrPropertyWithValue("SQLState", "08001")
          .hasMessageContaining("max_page_count is " + clamped)
          .hasMessageContaining("wanted 1");
    }
  }

  @Test
  void describeShowsTheKeywordOfAKeywordPragma() {
    assertThat(KnownPragma.SYNCHRONOUS.describe("2")).isEqualTo("FULL (2)");
    assertThat(KnownPragma.TEMP_STORE.describe("0")).isEqualTo("DEFAULT (0)");
    assertThat(KnownPragma.FOREIGN_KEYS.describe("1")).isEqualTo("ON (1)");
    assertThat(KnownPragma.JOURNAL_MODE.describe("memory")).isEqualTo("memory");
    assertThat(KnownPragma.BUSY_TIMEOUT.describe("3000")).isEqualTo("3000");
  }

  @Test
  void aRelaxedPragmaThatReadsBackDifferentlyDoesNotFail() throws SQLException {
    Pragmas pragmas = Pragmas.builder().relax("journal_mode").build();

    try (Connection c = openMemory()) {
      assertThatCode(() -> pragmas.applyToWriter(c)).doesNotThrowAnyException();

      assertThat(read(c, "journal_mode")).isEqualTo("memory");
      assertThat(read(c, "synchronous")).isEqualTo("1");
      assertThat(read(c, "busy_timeout")).isEqualTo("100");
    }
    assertThat(pragmas.writerSettings())
        .contains(new PragmaSetting("journal_mode", "WAL", false))
        .contains(new PragmaSetting("synchronous", "NORMAL", true));
  }

  @Test
  void aClearedPragmaIsNotApplied() throws SQLException {
    Pragmas pragmas = Pragmas.builder().clear("journal_mode").build();

    try (Connection c = openMemory()) {
      pragmas.applyToWriter(c);

      assertThat(read(c, "journal_mode")).isEqualTo("memory");
      assertThat(read(c, "temp_store")).isEqualTo("2");
    }
    try (Connection c = open()) {
      pragmas.applyToWriter(c);

      assertThat(read(c, "journal_mode")).isEqualTo("delete");
    }
    assertThat(pragmas.writerSettings())
        .extracting(PragmaSetting::name)
        .doesNotContain("journal_mode");
    assertThat(pragmas.isEnforced("journal_mode")).isFalse();
    assertThatCode(() -> pragmas.checkRuntimeChange("journal_mode", "DELETE"))
        .doesNotThrowAnyException();
  }

  @Test
  void mmapSizeAboveTheBuildLimitIsAcceptedAsCapped() throws SQLException {
    Pragmas pragmas = Pragmas.builder().set("mmap_size", Long.toString(Long.MAX_VALUE)).build();

    try (Connection c = open()) {
      pragmas.applyToWriter(c);

      assertThat(Long.parseLong(read(c, "mmap_size"))).isPositive().isLessThan(Long.MAX_VALUE);
    }
  }

  @Test
  void runtimeChangeOfAnEnforcedPragmaIsRefusedWith0A000() throws SQLException {
    Pragmas pragmas = Pragmas.builder().build();

    assertThatThrownBy(() -> pragmas.checkRuntimeChange("journal_mode", "DELETE"))
        .isInstanceOf(SQLFeatureNotSupportedException.class)
        .hasFieldOrPropertyWithValue("SQLState", "0A000")
        .hasMessageContaining("journal_mode")
        .hasMessageContaining("WAL")
        .hasMessageContaining("DELETE");
    assertThatThrownBy(() -> pragmas.checkRuntimeChange("main.JOURNAL_MODE", "'delete'"))
        .hasFieldOrPropertyWithValue("SQLState", "0A000");
    assertThatThrownBy(() -> pragmas.checkRuntimeChange("synchronous", "FULL"))
        .hasFieldOrPropertyWithValue("SQLState", "0A000");
    assertThatThrownBy(() -> pragmas.checkRuntimeChange("busy_timeout", "5000"))
        .hasFieldOrPropertyWithValue("SQLState", "0A000");
    assertThatThrownBy(() -> pragmas.checkRuntimeChange("temp_store", "nonsense"))
        .hasFieldOrPropertyWithValue("SQLState", "0A000");
  }

  @Test
  void runtimeChangeToTheEnforcedValueIsAllowed() throws SQLException {
    Pragmas pragmas = Pragmas.builder().build();

    assertThatCode(
            () -> {
              pragmas.checkRuntimeChange("journal_mode", "wal");
              pragmas.checkRuntimeChange("\"journal_mode\"", "'WAL'");
              pragmas.checkRuntimeChange("synchronous", "1");
              pragmas.checkRuntimeChange("synchronous", "normal");
              pragmas.checkRuntimeChange("temp_store", "2");
              pragmas.checkRuntimeChange("cache_size", "-16000");
              pragmas.checkRuntimeChange("busy_timeout", "+100");
              pragmas.checkRuntimeChange("journal_mode", null);
              pragmas.checkRuntimeChange("foreign_keys", "ON");
              pragmas.checkRuntimeChange("user_version", "7");
            })
        .doesNotThrowAnyException();
  }

  @Test
  void queryOnlyIsEnforcedAndEveryRuntimeChangeIsRefused() throws SQLException {
    Pragmas pragmas = Pragmas.builder().build();

    assertThat(pragmas.isEnforced("query_only")).isTrue();
    assertThat(pragmas.wanted("query_only")).isNull();
    assertThatThrownBy(() -> pragmas.checkRuntimeChange("query_only", "0"))
        .hasFieldOrPropertyWithValue("SQLState", "0A000");
    assertThatThrownBy(() -> pragmas.checkRuntimeChange("QUERY_ONLY", "1"))
        .hasFieldOrPropertyWithValue("SQLState", "0A000");
  }

  @Test
  void builderRejectsUnknownPragmaNames() {
    assertThatThrownBy(() -> Pragmas.builder().set("jurnal_mode", "WAL").build())
        .isInstanceOf(SQLNonTransientConnectionException.class)
        .hasFieldOrPropertyWithValue("SQLState", "08001")
        .hasMessageContaining("sluice.pragma.jurnal_mode")
        .hasMessageContaining("journal_mode");
    assertThatThrownBy(() -> Pragmas.builder().set("table_info", "t").build())
        .hasMessageContaining("sluice.pragma.table_info");
    assertThatThrownBy(() -> Pragmas.builder().set("page_size", "8192").build())
        .hasMessageContaining("sluice.pragma.page_size");
    assertThatThrownBy(() -> Pragmas.builder().relax("jurnal_mode").build())
        .hasFieldOrPropertyWithValue("SQLState", "08001")
        .hasMessageContaining("sluice.pragma.relax")
        .hasMessageContaining("jurnal_mode");
  }

  @Test
  void builderRejectsInjectionAttempts() {
    assertThatThrownBy(() -> Pragmas.builder().set("journal_mode", "wal; DROP TABLE t").build())
        .isInstanceOf(SQLNonTransientConnectionException.class)
        .hasFieldOrPropertyWithValue("SQLState", "08001")
        .hasMessageContaining("sluice.pragma.journal_mode");
    assertThatThrownBy(() -> Pragmas.builder().set("journal_mode; DROP TABLE t", "WAL").build())
        .hasFieldOrPropertyWithValue("SQLState", "08001");
    assertThatThrownBy(() -> Pragmas.builder().set("busy_timeout", "1 OR 1=1").build())
        .hasFieldOrPropertyWithValue("SQLState", "08001");
    assertThatThrownBy(() -> Pragmas.builder().set("journal_mode", "'WAL'").build())
        .hasFieldOrPropertyWithValue("SQLState", "08001");
  }

  @Test
  void builderRejectsInvalidValues() {
    assertThatThrownBy(() -> Pragmas.builder().set("synchronous", "bogus").build())
        .hasMessageContaining("sluice.pragma.synchronous")
        .hasMessageContaining("NORMAL")
        .hasMessageContaining("(was bogus)");
    assertThatThrownBy(() -> Pragmas.builder().set("synchronous", "9").build())
        .hasMessageContaining("sluice.pragma.synchronous");
    assertThatThrownBy(() -> Pragmas.builder().set("temp_store", "ON").build())
        .hasMessageContaining("sluice.pragma.temp_store");
    assertThatThrownBy(() -> Pragmas.builder().set("busy_timeout", "-1").build())
        .hasMessageContaining("sluice.pragma.busy_timeout must be an integer from 0");
    assertThatThrownBy(() -> Pragmas.builder().set("cache_size", "9999999999").build())
        .hasMessageContaining("sluice.pragma.cache_size");
    assertThatThrownBy(() -> Pragmas.builder().set("foreign_keys", "maybe").build())
        .hasMessageContaining("sluice.pragma.foreign_keys");
    assertThatThrownBy(() -> Pragmas.builder().set("foreign_keys", null).build())
        .hasMessageContaining("sluice.pragma.foreign_keys");
    assertThatThrownBy(() -> Pragmas.builder().set("query_only", "1").build())
        .hasMessageContaining("sluice.pragma.query_only");
    assertThatThrownBy(() -> Pragmas.builder().relax("query_only").build())
        .hasMessageContaining("sluice.pragma.relax");
  }

  @Test
  void aBuiltPragmasDoesNotChangeWhenTheBuilderIsReused() throws SQLException {
    Pragmas.Builder builder = Pragmas.builder();
    Pragmas first = builder.build();

    builder.set("synchronous", "FULL").clear("mmap_size").relax("journal_mode");

    assertThat(first.wanted("synchronous")).isEqualTo("NORMAL");
    assertThat(first.wanted("mmap_size")).isEqualTo("134217728");
    assertThat(first.writerSettings()).contains(new PragmaSetting("journal_mode", "WAL", true));
    assertThat(builder.build().wanted("synchronous")).isEqualTo("FULL");
  }

  @Test
  void normalizeGivesTheFormSqliteReadsBack() {
    assertThat(Pragmas.normalize("journal_mode", "WAL")).isEqualTo("wal");
    assertThat(Pragmas.normalize("journal_mode", " 'Wal' ")).isEqualTo("wal");
    assertThat(Pragmas.normalize("journal_mode", "bogus")).isNull();
    assertThat(Pragmas.normalize("synchronous", "OFF")).isEqualTo("0");
    assertThat(Pragmas.normalize("synchronous", "NORMAL")).isEqualTo("1");
    assertThat(Pragmas.normalize("synchronous", "full")).isEqualTo("2");
    assertThat(Pragmas.normalize("synchronous", "EXTRA")).isEqualTo("3");
    assertThat(Pragmas.normalize("temp_store", "DEFAULT")).isEqualTo("0");
    assertThat(Pragmas.normalize("temp_store", "MEMORY")).isEqualTo("2");
    assertThat(Pragmas.normalize("secure_delete", "fast")).isEqualTo("2");
    assertThat(Pragmas.normalize("foreign_keys", "yes")).isEqualTo("1");
    assertThat(Pragmas.normalize("foreign_keys", "TRUE")).isEqualTo("1");
    assertThat(Pragmas.normalize("foreign_keys", "off")).isEqualTo("0");
    assertThat(Pragmas.normalize("foreign_keys", "no")).isEqualTo("0");
    assertThat(Pragmas.normalize("foreign_keys", "2")).isNull();
    assertThat(Pragmas.normalize("cache_size", "+100")).isEqualTo("100");
    assertThat(Pragmas.normalize("Main.Cache_Size", "-016000")).isEqualTo("-16000");
    assertThat(Pragmas.normalize("user_version", "'07'")).isEqualTo("7");
    assertThat(Pragmas.normalize("application_id", "Abc")).isEqualTo("abc");
    assertThat(Pragmas.normalize("journal_mode", null)).isNull();
  }
}
