package dev.sluice.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** #21: the per-connection cache of compiled prepared statements. */
class StatementCacheTest {
  private static final String SQL = "SELECT ? IS NULL, ?";

  @TempDir Path dir;
  private Connection c;

  @BeforeEach
  void open() throws Exception {
    c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("t.db"));
  }

  @AfterEach
  void close() throws Exception {
    c.close();
  }

  private static String run(PreparedStatement p) throws Exception {
    try (ResultSet r = p.executeQuery()) {
      r.next();
      return r.getString(1) + "|" + r.getString(2);
    }
  }

  @Test
  void aStatementGivenBackIsLentAgainAndTheNextBindNullsWhatItDoesNotSet() throws Exception {
    // Given a statement taken, run with both parameters bound, and given back
    StatementCache cache = new StatementCache(c, 4);
    PreparedStatement first = cache.take(SQL);
    first.setString(1, "x");
    first.setString(2, "y");
    assertThat(run(first)).isEqualTo("0|y");
    cache.give(SQL, first);

    // When the same SQL is taken again and bound with no value set
    PreparedStatement again = cache.take(SQL);
    new Parameters().apply(again);

    // Then it is the same compiled statement, its parameters NULL as a fresh one's
    assertThat(again).isSameAs(first);
    assertThat(run(again)).isEqualTo("1|null");
    assertThat(cache.size()).isZero();
  }

  @Test
  void theLeastRecentlyUsedIsClosedBeyondTheCapacity() throws Exception {
    // Given a cache of two with two statements given back, the first used again since
    StatementCache cache = new StatementCache(c, 2);
    PreparedStatement a = cache.take("SELECT 1");
    PreparedStatement b = cache.take("SELECT 2");
    cache.give("SELECT 1", a);
    cache.give("SELECT 2", b);
    cache.give("SELECT 1", cache.take("SELECT 1"));

    // When a third is given back
    PreparedStatement third = cache.take("SELECT 3");
    cache.give("SELECT 3", third);

    // Then the least recently used (SELECT 2) was closed, the others kept
    assertThat(b.isClosed()).isTrue();
    assertThat(a.isClosed()).isFalse();
    assertThat(cache.size()).isEqualTo(2);
    assertThat(cache.take("SELECT 1")).isSameAs(a);
  }

  @Test
  void aSecondStatementOfTheSameSqlIsClosedWhenGivenBack() throws Exception {
    // Given two statements of one SQL lent at once (a query nested in itself)
    StatementCache cache = new StatementCache(c, 4);
    PreparedStatement outer = cache.take(SQL);
    PreparedStatement inner = cache.take(SQL);
    assertThat(inner).isNotSameAs(outer);

    // When both come back
    cache.give(SQL, inner);
    cache.give(SQL, outer);

    // Then one is kept and the other closed
    assertThat(cache.size()).isEqualTo(1);
    assertThat(outer.isClosed()).isTrue();
    assertThat(inner.isClosed()).isFalse();
  }

  @Test
  void aClosedStatementIsNotKeptAndTheFetchSizeIsReset() throws Exception {
    StatementCache cache = new StatementCache(c, 4);
    PreparedStatement closed = cache.take(SQL);
    closed.close();
    cache.give(SQL, closed);
    assertThat(cache.size()).isZero();

    PreparedStatement p = cache.take("SELECT 7");
    p.setFetchSize(5);
    cache.give("SELECT 7", p);
    assertThat(cache.take("SELECT 7").getFetchSize()).isZero();
  }

  @Test
  void clearClosesEveryIdleStatementAndTheConnectionClosesTheRest() throws Exception {
    StatementCache cache = new StatementCache(c, 4);
    PreparedStatement idle = cache.take("SELECT 1");
    PreparedStatement lent = cache.take("SELECT 2");
    cache.give("SELECT 1", idle);

    cache.clear();
    assertThat(idle.isClosed()).isTrue();
    assertThat(cache.size()).isZero();

    // A statement lent and never given back is finalized with its connection
    try (Statement s = c.createStatement()) {
      s.execute("SELECT 1");
    }
    c.close();
    assertThatThrownBy(lent::executeQuery).isInstanceOf(java.sql.SQLException.class);
    assertThatThrownBy(() -> new StatementCache(c, 0)).isInstanceOf(IllegalArgumentException.class);
  }
}
