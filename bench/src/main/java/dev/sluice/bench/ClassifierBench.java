package dev.sluice.bench;

import dev.sluice.sql.Classifier;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The classifier's cost per statement, on statements as applications and Hibernate send them. Not
 * final and public: JMH generates subclasses of it. One benchmark thread.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class ClassifierBench {
  @Param({
    "select a1_0.id,a1_0.balance,a1_0.owner from account a1_0 where a1_0.id=?",
    "insert into account (balance,owner) values (?,?)",
    "update account set balance=?,owner=?,version=? where id=? and version=?",
    "select last_insert_rowid()",
    "/* load Account */ select a1_0.id from account a1_0 where a1_0.owner like ? escape '\\\\'",
    "WITH recent AS (SELECT * FROM transfer WHERE at > ?) SELECT count(*) FROM recent",
    "WITH x AS (SELECT 1) INSERT INTO t SELECT * FROM x RETURNING id",
    "PRAGMA table_info(account)"
  })
  public String sql;

  @Benchmark
  public boolean classify() {
    return Classifier.isRead(sql);
  }
}
