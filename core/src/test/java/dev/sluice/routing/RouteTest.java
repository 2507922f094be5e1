package dev.sluice.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.routing.Route.Reader;
import dev.sluice.routing.Route.Tx;
import dev.sluice.sql.StatementKind;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The routing decision against the rules of design.md (Routing; No waits in a cycle), for every
 * state a logical connection can be in and every kind of statement: the full cross product of
 * {@link Route#decide}'s arguments, minus the states no connection can reach, each checked against
 * {@link #expected}, a statement of the rules written apart from {@link Route}. A few named rows
 * below spell out the cases that matter most (and the bugs they once were).
 */
class RouteTest {

  /** One row of the table: a connection's state and the kind of its next statement. */
  record State(
      boolean readOnly,
      boolean autoCommit,
      Tx tx,
      boolean holdsWriter,
      Reader reader,
      boolean hasReaders,
      StatementKind kind) {

    Route decide() {
      return Route.decide(readOnly, autoCommit, tx, holdsWriter, reader, hasReaders, kind);
    }

    @Override
    public String toString() {
      return (readOnly ? "read-only" : "read-write")
          + (autoCommit ? ", auto-commit" : ", manual commit")
          + ", tx "
          + tx
          + (holdsWriter ? ", holds writer" : "")
          + ", reader "
          + reader
          + (hasReaders ? "" : ", no reader pool")
          + ": "
          + kind;
    }
  }

  /** The expected route and the rule that gives it, for the failure message. */
  record Expected(Route route, String rule) {}

  /** Kinds that can change nothing: SQLite may run them on a {@code query_only} reader. */
  private static final Set<StatementKind> NEVER_WRITES =
      EnumSet.of(StatementKind.READ, StatementKind.PRAGMA_READ, StatementKind.EMPTY);

  /**
   * The rules, as four questions asked in order; written from design.md, not from {@link Route}.
   */
  static Expected expected(State s) {
    boolean mayWrite = !NEVER_WRITES.contains(s.kind());

    // Is it refused? Rule 2: a read-only connection refuses whatever may write (25006), wherever
    // it would run, pinned or not.
    if (s.readOnly() && mayWrite) {
      return new Expected(Route.REFUSE_WRITE, "rule 2: read-only refuses a write");
    }

    // Does a transaction that stepped aside for another connection of its thread (design.md "A
    // transaction that has only read") go on? It reads in the snapshot it kept on its reader; its
    // first statement that may write takes the writer again.
    if (s.tx() == Tx.SNAPSHOT) {
      boolean textEnd =
          s.autoCommit()
              && (s.kind() == StatementKind.COMMIT || s.kind() == StatementKind.ROLLBACK);
      if (textEnd) {
        return new Expected(
            Route.READER_TRANSACTION, "stepped aside, begun in SQL text: it ends on its reader");
      }
      return mayWrite
          ? new Expected(Route.WRITER_RESUME, "stepped aside: a write takes the writer again")
          : new Expected(Route.READER_TRANSACTION, "stepped aside: reads in its snapshot");
    }

    // Does it begin a transaction? Rule 3: setAutoCommit(false) on a connection that is not
    // read-only begins on the writer at its first statement, whatever the statement, and even
    // when the writer is already held by a pin or an open statement (rule 4: a pin never changes
    // transaction semantics).
    if (!s.readOnly() && !s.autoCommit() && s.tx() == Tx.NONE) {
      return new Expected(Route.WRITER_BEGIN, "rule 3: first statement after setAutoCommit(false)");
    }

    // Does it run on the writer? Rule 4 and "No waits in a cycle": a connection holding the
    // writer runs everything there. Without a reader pool (:memory:) everything runs there.
    // Rule 1: a statement that may write runs there.
    if (s.holdsWriter()) {
      return new Expected(Route.WRITER, "rule 4: the holder of the writer runs everything there");
    }
    if (!s.hasReaders()) {
      return new Expected(Route.WRITER, "no reader pool: one connection for everything");
    }
    if (mayWrite) {
      return new Expected(Route.WRITER, "rule 1: writes go to the writer");
    }

    // Which reader? Rule 2: a read-only transaction keeps one reader (one snapshot). Rule 1 and
    // read-your-writes: in auto-commit the connection's reader, unless it predates the
    // connection's last write; then another reader for that statement alone.
    if (s.readOnly() && !s.autoCommit()) {
      return new Expected(Route.READER_TRANSACTION, "rule 2: the read-only transaction's reader");
    }
    if (s.reader() == Reader.STALE) {
      return new Expected(Route.READER_ALONE, "read-your-writes: a stale reader is passed over");
    }
    return new Expected(Route.READER, "rule 1: reads go to a reader");
  }

  /**
   * Whether a logical connection can be in this state; the table skips the others. Each clause says
   * what makes the state unreachable.
   */
  static boolean reachable(State s) {
    if (!s.hasReaders() && s.reader() != Reader.NONE) {
      // Without a reader pool there is no reader to hold.
      return false;
    }
    switch (s.tx()) {
      case USER:
        // Only a read-write connection out of auto-commit begins one (setReadOnly is refused in a
        // transaction, setAutoCommit(true) commits it), and it holds the writer until it ends.
        return !s.readOnly() && !s.autoCommit() && s.holdsWriter();
      case SQL_TEXT:
        // BEGIN or SAVEPOINT ran on the writer, which stays held until SQLite ends the
        // transaction; a read-only connection refuses them and cannot become read-only in one.
        return !s.readOnly() && s.holdsWriter();
      case ENDED:
        // SQL text ended the transaction of a connection out of auto-commit, which keeps the
        // writer until commit(), rollback(), setAutoCommit(true) or close.
        return !s.readOnly() && !s.autoCommit() && s.holdsWriter();
      case READ_ONLY:
        // Begun on a reader by a read-only connection out of auto-commit, which then holds that
        // reader (always reported fresh: it is the transaction's snapshot); a read-only
        // connection that holds the writer reads there and never begins one.
        return s.readOnly()
            && !s.autoCommit()
            && s.hasReaders()
            && s.reader() == Reader.FRESH
            && !s.holdsWriter();
      case SNAPSHOT:
        // A read-write transaction that gave the writer back, keeping its snapshot on a reader
        // (always fresh: the transaction's snapshot): out of auto-commit one setAutoCommit(false)
        // began, in auto-commit one a deferred BEGIN began; a write takes the writer again.
        return !s.readOnly() && s.hasReaders() && s.reader() == Reader.FRESH && !s.holdsWriter();
      case NONE:
      default:
        return true;
    }
  }

  /** The full cross product of the arguments of {@link Route#decide}, 3744 states. */
  static List<State> everyState() {
    List<State> all = new ArrayList<>();
    for (boolean readOnly : new boolean[] {false, true}) {
      for (boolean autoCommit : new boolean[] {true, false}) {
        for (Tx tx : Tx.values()) {
          for (boolean holdsWriter : new boolean[] {false, true}) {
            for (Reader reader : Reader.values()) {
              for (boolean hasReaders : new boolean[] {true, false}) {
                for (StatementKind kind : StatementKind.values()) {
                  all.add(
                      new State(readOnly, autoCommit, tx, holdsWriter, reader, hasReaders, kind));
                }
              }
            }
          }
        }
      }
    }
    return all;
  }

  static List<State> table() {
    return everyState().stream().filter(RouteTest::reachable).toList();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("table")
  void everyReachableStateRoutesAsTheRulesSay(State state) {
    // Given the state and the rules' answer
    Expected expected = expected(state);

    // When
    Route route = state.decide();

    // Then
    assertThat(route).as(expected.rule()).isEqualTo(expected.route());
  }

  @Test
  void theTableIsTheFullCrossProductMinusTheUnreachableStates() {
    // Given
    int product =
        2 * 2 * Tx.values().length * 2 * Reader.values().length * 2 * StatementKind.values().length;

    // When
    List<State> all = everyState();
    List<State> table = table();

    // Then
    assertThat(all).hasSize(product).doesNotHaveDuplicates();
    assertThat(product).isEqualTo(3744);
    assertThat(table).hasSize(663);
    assertThat(table.stream().map(State::kind).distinct())
        .containsExactlyInAnyOrder(StatementKind.values());
    assertThat(table.stream().map(State::tx).distinct()).containsExactlyInAnyOrder(Tx.values());
    assertThat(table.stream().map(RouteTest::expected).map(Expected::route).distinct())
        .as("every route is the answer somewhere")
        .containsExactlyInAnyOrder(Route.values());
  }

  @Test
  void unreachableStatesStillGetAnAnswer() {
    // Given the states the table skips
    List<State> skipped = everyState().stream().filter(s -> !reachable(s)).toList();

    // When / Then: a pure function of its arguments, total over them
    assertThat(skipped).hasSize(3744 - 663);
    assertThat(skipped).allSatisfy(s -> assertThat(s.decide()).isNotNull());
  }

  // ---- named rows ------------------------------------------------------------------------------

  private static Route decide(
      boolean readOnly,
      boolean autoCommit,
      Tx tx,
      boolean holdsWriter,
      Reader reader,
      StatementKind kind) {
    return Route.decide(readOnly, autoCommit, tx, holdsWriter, reader, true, kind);
  }

  /**
   * A pool's init pragma or a temp table pinned the connection to the writer; setAutoCommit(false)
   * must still begin a transaction, or rollback() finds none and the writes stay (the "rollback
   * after an init pragma" bug).
   */
  @Test
  void aPinnedConnectionOutOfAutoCommitBeginsATransactionAtItsFirstStatement() {
    // Given a connection pinned to the writer, no transaction, setAutoCommit(false)
    // When its first statement is a write or a read
    Route write = decide(false, false, Tx.NONE, true, Reader.NONE, StatementKind.WRITE);
    Route read = decide(false, false, Tx.NONE, true, Reader.NONE, StatementKind.READ);

    // Then both begin on the writer
    assertThat(write).isEqualTo(Route.WRITER_BEGIN);
    assertThat(read).isEqualTo(Route.WRITER_BEGIN);
  }

  @Test
  void aManualCommitConnectionWithoutAReaderPoolStillBegins() {
    // Given a :memory: database and setAutoCommit(false)
    // When
    Route route =
        Route.decide(false, false, Tx.NONE, false, Reader.NONE, false, StatementKind.READ);

    // Then
    assertThat(route).isEqualTo(Route.WRITER_BEGIN);
  }

  @Test
  void readsInsideAUserTransactionRunOnTheWriterAndSeeItsWrites() {
    // Given a user transaction, with a reader still held by an older open result set
    // When
    Route route = decide(false, false, Tx.USER, true, Reader.STALE, StatementKind.READ);

    // Then
    assertThat(route).isEqualTo(Route.WRITER);
  }

  @Test
  void anAutoCommitReadWithAStaleReaderTakesAnotherReaderForThatStatementAlone() {
    // Given an open result set on a reader taken before the connection's last write
    // When
    Route route = decide(false, true, Tx.NONE, false, Reader.STALE, StatementKind.READ);

    // Then
    assertThat(route).isEqualTo(Route.READER_ALONE);
  }

  @Test
  void nestedAutoCommitReadsShareTheFreshReaderTheConnectionHolds() {
    // Given an open result set on a fresh reader (the N+1 pattern)
    // When
    Route route = decide(false, true, Tx.NONE, false, Reader.FRESH, StatementKind.READ);

    // Then
    assertThat(route).isEqualTo(Route.READER);
  }

  @Test
  void aReadOnlyConnectionRefusesAWriteEvenWhenPinnedToTheWriter() {
    // Given a read-only connection whose temp table pins it to the writer
    // When
    Route route = decide(true, true, Tx.NONE, true, Reader.NONE, StatementKind.WRITE);

    // Then
    assertThat(route).isEqualTo(Route.REFUSE_WRITE);
  }

  @Test
  void aReadOnlyTransactionReadsOnItsOneReader() {
    // Given setReadOnly(true) and setAutoCommit(false)
    // When the first and a later statement run
    Route first = decide(true, false, Tx.NONE, false, Reader.NONE, StatementKind.READ);
    Route later = decide(true, false, Tx.READ_ONLY, false, Reader.FRESH, StatementKind.PRAGMA_READ);

    // Then
    assertThat(first).isEqualTo(Route.READER_TRANSACTION);
    assertThat(later).isEqualTo(Route.READER_TRANSACTION);
  }

  @Test
  void anEmptyStatementOnAReadOnlyConnectionIsNotRefused() {
    // Given a read-only connection in auto-commit
    // When
    Route route = decide(true, true, Tx.NONE, false, Reader.NONE, StatementKind.EMPTY);

    // Then
    assertThat(route).isEqualTo(Route.READER);
  }

  @Test
  void aReadWhileAReturningResultIsOpenOnTheWriterStaysOnTheWriter() {
    // Given an auto-commit connection with an open statement on the writer
    // When
    Route route = decide(false, true, Tx.NONE, true, Reader.NONE, StatementKind.READ);

    // Then it never waits for a reader while holding the writer
    assertThat(route).isEqualTo(Route.WRITER);
  }

  @Test
  void commitInSqlTextEndsTheTransactionOnTheWriterThatHoldsIt() {
    // Given BEGIN ran in SQL text
    // When
    Route route = decide(false, true, Tx.SQL_TEXT, true, Reader.FRESH, StatementKind.COMMIT);

    // Then
    assertThat(route).isEqualTo(Route.WRITER);
  }

  @Test
  void withoutAReaderPoolReadsRunOnTheWriter() {
    // Given a :memory: database
    // When
    Route route = Route.decide(false, true, Tx.NONE, false, Reader.NONE, false, StatementKind.READ);

    // Then
    assertThat(route).isEqualTo(Route.WRITER);
  }
}
