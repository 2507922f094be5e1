package dev.sluice.routing;

import dev.sluice.jdbc.ForwardingResultSet;
import dev.sluice.writer.WriterGate;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Locale;

/**
 * The rows of a {@code DatabaseMetaData} answer asked on the writer, without those of Sluice's own
 * TEMP table {@link WriterGate#SENTINEL_TABLE} (design.md, Generated keys on the writer): a plain
 * connection has no such table, so no metadata answer of Sluice shows it. A row is left out when
 * one of its table-name columns ({@code TABLE_NAME}, {@code PKTABLE_NAME}, {@code FKTABLE_NAME})
 * names the table; an answer without such a column (the best row identifier, the version columns)
 * asked about the table itself has no rows, as for a table that does not exist.
 *
 * <p>Cold path (metadata calls of schema tools and ORMs). Not thread-safe, like any result set.
 */
final class WithoutSentinel extends ForwardingResultSet {
  private static final String[] TABLE_COLUMNS = {"TABLE_NAME", "PKTABLE_NAME", "FKTABLE_NAME"};

  private final ResultSet rows;
  private final int[] tableColumns;
  private final boolean none;
  private int row;

  private WithoutSentinel(ResultSet rows, int[] tableColumns, boolean none) {
    this.rows = rows;
    this.tableColumns = tableColumns;
    this.none = none;
  }

  /**
   * {@code rows} as they are, or without the sentinel table's rows when they could hold some.
   *
   * @param args the arguments of the metadata call, which may name the table itself
   */
  static ResultSet of(ResultSet rows, Object[] args) throws SQLException {
    ResultSetMetaData m = rows.getMetaData();
    int[] columns = new int[TABLE_COLUMNS.length];
    int found = 0;
    for (int i = 1; i <= m.getColumnCount(); i++) {
      String label = m.getColumnLabel(i).toUpperCase(Locale.ROOT);
      if (Arrays.asList(TABLE_COLUMNS).contains(label)) {
        columns[found++] = i;
      }
    }
    if (found > 0) {
      return new WithoutSentinel(rows, Arrays.copyOf(columns, found), false);
    }
    if (args != null) {
      for (Object arg : args) {
        if (isSentinel(arg)) {
          return new WithoutSentinel(rows, new int[0], true);
        }
      }
    }
    return rows;
  }

  private static boolean isSentinel(Object name) {
    return name instanceof String s && s.equalsIgnoreCase(WriterGate.SENTINEL_TABLE);
  }

  @Override
  protected ResultSet target() {
    return rows;
  }

  @Override
  protected SQLException failure(SQLException e) {
    // The logical result set around this one translates.
    return e;
  }

  @Override
  public boolean next() throws SQLException {
    while (rows.next()) {
      if (!none && !hidden()) {
        row++;
        return true;
      }
    }
    return false;
  }

  private boolean hidden() throws SQLException {
    for (int column : tableColumns) {
      if (isSentinel(rows.getString(column))) {
        return true;
      }
    }
    return false;
  }

  @Override
  public int getRow() throws SQLException {
    // The rows this answer showed, as plain counts them; 0 where plain's count is.
    return rows.getRow() == 0 ? 0 : row;
  }
}
