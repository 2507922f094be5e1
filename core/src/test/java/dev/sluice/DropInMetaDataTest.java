package dev.sluice;

import static dev.sluice.DropIn.exec;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Metadata on both drivers, as plain sqlite-jdbc users read it: result set and statement metadata,
 * {@code DatabaseMetaData}, parameter metadata and the generated keys' columns. Found by a sweep of
 * metadata methods on both drivers; each test ran on both through {@link DropIn}.
 */
class DropInMetaDataTest {

  /** The generated keys are read as a character or a byte stream, as on plain. */
  @Test
  void generatedKeysAreReadAsStreams() throws Exception {
    DropIn.Outcome outcome =
        DropIn.same(
            db -> {
              // Given a row inserted with its generated key asked for
              Connection c = db.connect();
              exec(c, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
              List<Object> seen = new ArrayList<>();
              try (Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO t(v) VALUES ('a')", Statement.RETURN_GENERATED_KEYS);
                // When the key is read as a character stream and as a byte stream
                try (ResultSet keys = s.getGeneratedKeys()) {
                  keys.next();
                  try (Reader r = keys.getCharacterStream(1)) {
                    char[] text = new char[16];
                    seen.add(new String(text, 0, r.read(text)));
                  }
                  try (InputStream in = keys.getBinaryStream("last_insert_rowid()")) {
                    seen.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
                  }
                }
              }
              return seen;
            });
    // Then both streams hold the key's text
    assertThat(outcome.result()).containsExactly("1", "1");
  }

  /**
   * A cleared parameter's type is NULL, as on plain: plain fails only while no value was ever set
   * (Sluice then answers HY010, as design.md decides).
   */
  @Test
  void aClearedParameterHasTheTypeNull() throws Exception {
    DropIn.Outcome outcome =
        DropIn.same(
            db -> {
              // Given a statement whose parameter was set, then cleared
              Connection c = db.connect();
              exec(c, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
              List<Object> seen = new ArrayList<>();
              try (PreparedStatement ps = c.prepareStatement("SELECT v FROM t WHERE id = ?")) {
                ps.setLong(1, 1);
                seen.add(ps.getParameterMetaData().getParameterType(1));
                ps.clearParameters();
                // When its type is asked
                seen.add(ps.getParameterMetaData().getParameterType(1));
                // And after a batch ran and cleared it
                ps.setString(1, "x");
                ps.addBatch();
                ps.clearBatch();
                seen.add(ps.getParameterMetaData().getParameterType(1));
              }
              return seen;
            });
    // Then it is BIGINT while bound, NULL once cleared
    assertThat(outcome.result())
        .containsExactly(
            String.valueOf(Types.BIGINT), String.valueOf(Types.NULL), String.valueOf(Types.NULL));
  }

  /**
   * A prepared statement's metadata before it ran answers what plain's does: precision and scale of
   * the declared type, signedness, writability, for every column.
   */
  @Test
  void metadataBeforeExecutionAnswersEveryQuestionAsPlain() throws Exception {
    DropIn.same(
        db -> {
          // Given columns of declared sizes, text and numbers
          Connection c = db.connect();
          exec(
              c,
              "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, price DECIMAL(10,2) NOT NULL,"
                  + " name VARCHAR(20), n INTEGER, r REAL, b BLOB, x)");
          List<Object> seen = new ArrayList<>();
          try (PreparedStatement ps =
              c.prepareStatement("SELECT id, price, name, n, r, b, x, 1 + n AS e FROM t")) {
            // When its metadata is read before it ran
            ResultSetMetaData m = ps.getMetaData();
            seen.add(m.getColumnCount());
            for (int i = 1; i <= m.getColumnCount(); i++) {
              seen.add(answers(m, i));
            }
            // And what plain answers for any index
            seen.add(m.isCaseSensitive(0));
            seen.add(m.isDefinitelyWritable(99));
          }
          return seen;
        });
  }

  /**
   * An INSERT ... RETURNING has the metadata of its RETURNING columns before it ran, as on plain.
   */
  @Test
  void insertReturningHasItsColumnsMetadataBeforeItRan() throws Exception {
    DropIn.Outcome outcome =
        DropIn.same(
            db -> {
              // Given an INSERT ... RETURNING prepared, not run
              Connection c = db.connect();
              exec(c, "CREATE TABLE t (id INTEGER PRIMARY KEY, v VARCHAR(10))");
              List<Object> seen = new ArrayList<>();
              try (PreparedStatement ps =
                  c.prepareStatement("INSERT INTO t(v) VALUES (?) RETURNING id, v AS w")) {
                // When its metadata is read, before and after it ran
                ResultSetMetaData before = ps.getMetaData();
                seen.add(before.getColumnCount());
                seen.add(answers(before, 1));
                seen.add(answers(before, 2));
                ps.setString(1, "a");
                try (ResultSet r = ps.executeQuery()) {
                  r.next();
                  seen.add(ps.getMetaData().getColumnLabel(2));
                }
              }
              return seen;
            });
    // Then it has the RETURNING columns
    assertThat(outcome.result().get(0)).isEqualTo("2");
    assertThat(outcome.result().get(3)).isEqualTo("w");
  }

  /**
   * Deliberately different (design.md): a statement without columns has null metadata before it
   * ran; plain answers metadata whose column count fails.
   */
  @Test
  void aStatementWithoutColumnsHasNullMetadataWherePlainsFailsAtEveryCall() throws Exception {
    DropIn.Body body =
        db -> {
          // Given an INSERT without RETURNING, prepared, not run
          Connection c = db.connect();
          exec(c, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
          try (PreparedStatement ps = c.prepareStatement("INSERT INTO t(v) VALUES (?)")) {
            // When its metadata is read
            ResultSetMetaData m = ps.getMetaData();
            return m == null ? List.of("null") : List.of(m.getColumnCount());
          }
        };
    // Then plain's metadata fails at its column count, Sluice has none
    assertThat(DropIn.run(DropIn.Target.PLAIN, body).failure().message()).contains("out of bounds");
    assertThat(DropIn.run(DropIn.Target.SLUICE, body).result()).containsExactly("null");
  }

  /**
   * No DatabaseMetaData answer shows Sluice's own TEMP table on the writer: not inside a
   * transaction, not beside the connection's own temp table.
   */
  @Test
  void databaseMetaDataOnTheWriterListsOnlyTheApplicationsTables() throws Exception {
    DropIn.Outcome outcome =
        DropIn.same(
            db -> {
              // Given a table with an index, and a connection on the writer in a transaction
              Connection c = db.connect();
              exec(
                  c, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)", "CREATE INDEX t_v ON t(v)");
              List<Object> seen = new ArrayList<>();
              c.setAutoCommit(false);
              exec(c, "INSERT INTO t(v) VALUES ('a')");
              // When its tables, columns, keys and indexes are listed
              seen.add(listing(c));
              c.commit();
              c.setAutoCommit(true);
              // And again beside a temp table of its own, in auto-commit
              exec(c, "CREATE TEMP TABLE tt (x)");
              seen.add(listing(c));
              return seen;
            });
    // Then both drivers list the same: the application's tables, its temp table, nothing else
    assertThat(outcome.failure()).isNull();
    assertThat(outcome.result().toString()).contains("tt").doesNotContain("sluice");
  }

  /** What the metadata calls that list tables, columns, keys and indexes answer, row by row. */
  private static List<Object> listing(Connection c, String... tables) throws SQLException {
    DatabaseMetaData md = c.getMetaData();
    List<Object> seen = new ArrayList<>();
    try (ResultSet r = md.getTables(null, null, "%", null)) {
      seen.add(DropIn.rows(r));
    }
    try (ResultSet r = md.getColumns(null, null, "%", "%")) {
      seen.add(DropIn.rows(r));
    }
    for (String table : tables) {
      try (ResultSet r = md.getPrimaryKeys(null, null, table)) {
        seen.add(DropIn.rows(r));
      }
      try (ResultSet r = md.getIndexInfo(null, null, table, false, false)) {
        seen.add(DropIn.rows(r));
      }
      try (ResultSet r = md.getBestRowIdentifier(null, null, table, 0, true)) {
        seen.add(DropIn.rows(r));
      }
      try (ResultSet r = md.getColumns(null, null, table, null)) {
        seen.add(DropIn.rows(r));
      }
    }
    return seen;
  }

  /**
   * A result set read to its end still answers its metadata (taken before the loop or after it),
   * finds its columns and knows it is after its last row, as on plain: a query, an INSERT ...
   * RETURNING and a DatabaseMetaData answer.
   */
  @Test
  void aResultSetReadToItsEndKeepsItsMetadataAndCursorState() throws Exception {
    DropIn.Outcome outcome =
        DropIn.same(
            db -> {
              // Given a table with a row
              Connection c = db.connect();
              exec(
                  c,
                  "CREATE TABLE t (id INTEGER PRIMARY KEY, v VARCHAR(10))",
                  "INSERT INTO t(v) VALUES ('a')");
              List<Object> seen = new ArrayList<>();
              try (Statement s = c.createStatement()) {
                for (String sql :
                    List.of(
                        "SELECT id, v FROM t", "INSERT INTO t(v) VALUES ('b') RETURNING id, v")) {
                  // When each result is read to its end, its metadata held from before the loop
                  try (ResultSet r = s.executeQuery(sql)) {
                    seen.add(afterTheEnd(r, true));
                  }
                  // And asked for its metadata only after its end
                  if (sql.startsWith("SELECT")) {
                    try (ResultSet r = s.executeQuery(sql)) {
                      seen.add(afterTheEnd(r, false));
                    }
                  }
                }
              }
              try (ResultSet r = c.getMetaData().getPrimaryKeys(null, null, "t")) {
                seen.add(afterTheEnd(r, false));
              }
              return seen;
            });
    // Then every answer after the end is plain's: the columns, the row, after-last
    assertThat(outcome.failure()).isNull();
    assertThat(outcome.result().get(0))
        .startsWith("[2, v, 2, [")
        .endsWith("2, true, 1, true, false, false]");
  }

  /** Reads {@code r} to its end, then asks what a caller may still ask there. */
  private static List<Object> afterTheEnd(ResultSet r, boolean metadataBefore) throws SQLException {
    ResultSetMetaData early = metadataBefore ? r.getMetaData() : null;
    while (r.next()) {
      // the rows themselves are compared elsewhere
    }
    List<Object> seen = new ArrayList<>();
    ResultSetMetaData late = r.getMetaData();
    if (early != null) {
      seen.add(early.getColumnCount());
      seen.add(early.getColumnLabel(early.getColumnCount()));
    }
    seen.add(late.getColumnCount());
    seen.add(answers(late, 1));
    seen.add(r.findColumn(late.getColumnLabel(late.getColumnCount())));
    seen.add(r.isAfterLast());
    seen.add(r.getRow());
    seen.add(r.isFirst());
    seen.add(r.isBeforeFirst());
    seen.add(r.isClosed());
    return seen;
  }

  /** Every answer of {@code m} for {@code column}, in the order of ResultSetMetaData's methods. */
  static List<Object> answers(ResultSetMetaData m, int column) throws SQLException {
    return List.of(
        m.isAutoIncrement(column),
        m.isCaseSensitive(column),
        m.isSearchable(column),
        m.isCurrency(column),
        m.isNullable(column),
        m.isSigned(column),
        m.getColumnDisplaySize(column),
        m.getColumnLabel(column),
        m.getColumnName(column),
        m.getSchemaName(column),
        m.getPrecision(column),
        m.getScale(column),
        m.getTableName(column),
        m.getCatalogName(column),
        m.getColumnType(column),
        m.getColumnTypeName(column),
        m.isReadOnly(column),
        m.isWritable(column),
        m.isDefinitelyWritable(column),
        m.getColumnClassName(column));
  }

  /**
   * {@code DatabaseMetaData.isReadOnly()} answers as its connection's {@code isReadOnly()}, as on
   * plain. Sluice answered false after {@code setReadOnly(true)} (rule 2; plain refuses that call
   * on an open connection): the reader it asked is opened read-write.
   */
  @Test
  void databaseMetaDataIsReadOnlyAnswersAsItsConnection() throws Exception {
    DropIn.Body body =
        db -> {
          Connection c = db.connect();
          List<Object> out = new ArrayList<>();
          out.add(c.isReadOnly() + " " + c.getMetaData().isReadOnly());
          try {
            c.setReadOnly(true);
          } catch (SQLException e) {
            out.add("setReadOnly refused");
          }
          out.add(c.isReadOnly() + " " + c.getMetaData().isReadOnly());
          return out;
        };
    DropIn.Outcome plain = DropIn.run(DropIn.Target.PLAIN, body);
    DropIn.Outcome sluice = DropIn.run(DropIn.Target.SLUICE, body);
    assertThat(plain.result()).containsExactly("false false", "setReadOnly refused", "false false");
    assertThat(sluice.result()).containsExactly("false false", "true true");
  }

  /**
   * Deliberately different, as JDBC asks: a column read after {@code next()} returned false fails
   * (22023, saying there is no current row); plain answers null or 0.
   */
  @Test
  void aColumnReadPastTheLastRowFailsSayingSo() throws Exception {
    DropIn.Body body =
        db -> {
          Connection c = db.connect();
          exec(c, "CREATE TABLE t (v)", "INSERT INTO t VALUES ('a')");
          try (Statement s = c.createStatement();
              ResultSet r = s.executeQuery("SELECT v FROM t")) {
            while (r.next()) {
              // read to the end
            }
            try {
              return List.of(String.valueOf(r.getString(1)), r.getInt(1));
            } catch (SQLException e) {
              return List.of(e.getSQLState(), e.getMessage());
            }
          }
        };
    assertThat(DropIn.run(DropIn.Target.PLAIN, body).result()).containsExactly("null", "0");
    assertThat(DropIn.run(DropIn.Target.SLUICE, body).result())
        .containsExactly(
            "22023",
            "No current row: next() returned false. Read columns only while next() returns true.");
  }

  /**
   * A result column holding last_insert_rowid(), changes() or total_changes() beside others, inside
   * an expression, in a subquery or a RETURNING is labelled and named with its text as written, as
   * on plain, and reads this connection's own values while another connection wrote last.
   */
  @Test
  void connectionStateCallsKeepTheirColumnLabelsAndReadTheConnectionsOwnValues() throws Exception {
    String[] queries = {
      "SELECT last_insert_rowid(), changes()",
      "SELECT  changes( ) , 1+changes(), Total_Changes() /* c */ FROM t WHERE id > changes()",
      "SELECT changes() AS c, last_insert_rowid() id, CHANGES() \"q\", last_insert_rowid()",
      "SELECT * FROM (SELECT changes(), last_insert_rowid() * 10)",
      "SELECT (SELECT total_changes()) FROM t WHERE id = 1",
      "WITH w AS (SELECT last_insert_rowid()) SELECT * FROM w",
      "SELECT changes() UNION ALL SELECT last_insert_rowid()",
      "INSERT INTO t (v) VALUES ('r') RETURNING v || changes(), changes() AS n, v",
    };
    DropIn.Outcome outcome =
        DropIn.same(
            db -> {
              // Given a connection that inserted two rows, then another that inserted one
              Connection c = db.connect();
              exec(c, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
              exec(c, "INSERT INTO t (v) VALUES ('a'), ('b')");
              Connection other = db.connect();
              exec(other, "INSERT INTO t (v) VALUES ('c')");
              List<Object> seen = new ArrayList<>();
              // When the first one runs queries with those calls in their result columns
              for (String sql : queries) {
                try (Statement s = c.createStatement()) {
                  s.execute(sql);
                  try (ResultSet r = s.getResultSet()) {
                    ResultSetMetaData meta = r.getMetaData();
                    while (r.next()) {
                      for (int i = 1; i <= meta.getColumnCount(); i++) {
                        seen.add(
                            meta.getColumnLabel(i)
                                + " | "
                                + meta.getColumnName(i)
                                + " = "
                                + r.getString(i));
                      }
                    }
                  }
                }
              }
              return seen;
            });
    // Then each column has the label and name of its text, and the first connection's values
    assertThat(outcome.result())
        .startsWith(
            "last_insert_rowid() | last_insert_rowid() = 2",
            "changes() | changes() = 2",
            "changes( ) | changes( ) = 2",
            "1+changes() | 1+changes() = 3",
            "Total_Changes() /* c */ | Total_Changes() /* c */ = 2");
  }
}
