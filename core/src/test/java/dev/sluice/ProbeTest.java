package dev.sluice;

import dev.sluice.DropIn.Outcome;
import java.nio.file.Files;
import java.sql.*;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProbeTest {
  static void exec(Connection c, String... sqls) throws SQLException {
    try (Statement s = c.createStatement()) {
      for (String q : sqls) s.execute(q);
    }
  }

  static void show(String name, DropIn.Body body) throws Exception {
    Outcome p = DropIn.run(DropIn.Target.PLAIN, body);
    Outcome s = DropIn.run(DropIn.Target.SLUICE, body);
    System.err.println(
        "PROBE " + name + (p.equals(s) ? " SAME" : " DIFF") + "\n plain " + p + " sluice " + s);
  }

  @Test
  void probes() throws Exception {
    String only = System.getProperty("probe", "");
    if (only.contains("fks")) {
      show(
          "fks",
          db -> {
            Connection c = db.connect();
            exec(
                c,
                "create table Parent(A integer, b integer, primary key (A, b))",
                "create table child(id integer primary key, pa integer, pb integer, constraint fk_named foreign key (pa, pb) references Parent(A, b))",
                "create table orphan(id integer, x integer references missing(id))",
                "create table Other(id integer primary key, p integer references parent(a))");
            List<Object> out = new ArrayList<>();
            DatabaseMetaData m = c.getMetaData();
            for (ResultSet r :
                List.of(
                    m.getImportedKeys(null, null, "child"),
                    m.getExportedKeys(null, null, "Parent"),
                    m.getImportedKeys(null, null, "orphan"),
                    m.getImportedKeys(null, null, "Other"),
                    m.getExportedKeys(null, null, "parent"),
                    m.getCrossReference(null, null, "Parent", null, null, "child"),
                    m.getPrimaryKeys(null, null, "Parent"),
                    m.getIndexInfo(null, null, "child", false, false))) {
              int n = r.getMetaData().getColumnCount();
              while (r.next()) {
                StringBuilder b = new StringBuilder();
                for (int i = 1; i <= n; i++)
                  b.append(r.getMetaData().getColumnLabel(i))
                      .append('=')
                      .append(r.getString(i))
                      .append(' ');
                out.add(b);
              }
              out.add("|");
            }
            return out;
          });
    }
    if (only.contains("fk2")) {
      show(
          "fkOne",
          db -> {
            Connection c = db.connect();
            exec(
                c,
                "create table Parent(A integer, b integer, primary key (A, b))",
                "create table child(id integer primary key, pa integer, pb integer, constraint fk_named foreign key (pa, pb) references Parent(A, b))");
            List<Object> out = new ArrayList<>();
            DatabaseMetaData m = c.getMetaData();
            try (ResultSet r = m.getImportedKeys(null, null, "child")) {
              while (r.next()) out.add(r.getString("FKCOLUMN_NAME"));
            }
            return out;
          });
      show(
          "fkTwoOpen",
          db -> {
            Connection c = db.connect();
            exec(
                c,
                "create table Parent(A integer, b integer, primary key (A, b))",
                "create table child(id integer primary key, pa integer, pb integer, constraint fk_named foreign key (pa, pb) references Parent(A, b))");
            List<Object> out = new ArrayList<>();
            DatabaseMetaData m = c.getMetaData();
            ResultSet r1 = m.getImportedKeys(null, null, "child");
            ResultSet r2 = m.getExportedKeys(null, null, "Parent");
            while (r1.next()) out.add(r1.getString("FKCOLUMN_NAME"));
            out.add("|");
            while (r2.next()) out.add(r2.getString("FKCOLUMN_NAME"));
            return out;
          });
    }
    if (only.contains("mv2")) {
      show(
          "mv2",
          db -> {
            Connection c =
                db.connect(db.url().contains("sluice") ? db.url() : db.url() + "?journal_mode=WAL");
            exec(c, "create table t(id integer primary key)", "insert into t values (1)");
            Files.move(db.dir().resolve("test.db"), db.dir().resolve("moved.db"));
            List<Object> out = new ArrayList<>();
            try {
              exec(c, "insert into t values (2)");
              out.add("written");
            } catch (SQLException e) {
              out.add(e.getMessage());
            }
            try (java.util.stream.Stream<java.nio.file.Path> f = Files.list(db.dir())) {
              f.forEach(x -> out.add(x.getFileName()));
            }
            try (ResultSet r = c.createStatement().executeQuery("select count(*) from t")) {
              r.next();
              out.add(r.getInt(1));
            }
            try (Connection m =
                    DriverManager.getConnection("jdbc:sqlite:" + db.dir().resolve("moved.db"));
                ResultSet r = m.createStatement().executeQuery("select count(*) from t")) {
              r.next();
              out.add("moved:" + r.getInt(1));
            }
            return out;
          });
    }
    if (only.contains("moved")) {
      show(
          "dbMovedWal",
          db -> {
            Connection c =
                db.connect(db.url().contains("sluice") ? db.url() : db.url() + "?journal_mode=WAL");
            exec(c, "create table t(id integer primary key)", "insert into t values (1)");
            Files.move(db.dir().resolve("test.db"), db.dir().resolve("moved.db"));
            exec(c, "insert into t values (2)");
            return List.of("written");
          });
    }
    if (only.contains("resource")) {
      show(
          "resourceUrl",
          db -> {
            Connection c = db.connect(db.url(":resource:dev/sluice/probe.db"));
            try (ResultSet r = c.createStatement().executeQuery("select count(*) from t")) {
              r.next();
              return List.of(r.getInt(1));
            }
          });
    }
    if (only.contains("edges")) {
      show(
          "closeWhileOpenRs",
          db -> {
            Connection c = db.connect();
            exec(
                c,
                "create table t(id integer primary key)",
                "insert into t values (1)",
                "insert into t values (2)");
            List<ResultSet> rs = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
              ResultSet r = c.createStatement().executeQuery("select * from t");
              r.next();
              rs.add(r);
            }
            long t0 = System.nanoTime();
            Thread th =
                new Thread(
                    () -> {
                      try {
                        c.close();
                      } catch (SQLException e) {
                        throw new RuntimeException(e);
                      }
                    });
            th.start();
            th.join(20000);
            return List.of(c.isClosed(), rs.size(), (System.nanoTime() - t0) / 1_000_000_000L);
          });
      show(
          "closeStatementWhileUsed",
          db -> {
            Connection c = db.connect();
            exec(c, "create table t(id integer primary key, v)");
            PreparedStatement p = c.prepareStatement("insert into t(v) values (?)");
            java.util.concurrent.atomic.AtomicReference<Object> got =
                new java.util.concurrent.atomic.AtomicReference<>();
            Thread th =
                new Thread(
                    () -> {
                      try {
                        for (int i = 0; i < 100000; i++) {
                          p.setInt(1, i);
                          p.executeUpdate();
                        }
                        got.set("all");
                      } catch (SQLException e) {
                        got.set(e.getClass().getSimpleName() + ":" + e.getSQLState());
                      }
                    });
            th.start();
            Thread.sleep(50);
            p.close();
            th.join(20000);
            return List.of(String.valueOf(got.get()).replaceAll(":.*", ""), th.isAlive());
          });
      show(
          "closeConnWhileUsed",
          db -> {
            Connection c = db.connect();
            exec(c, "create table t(id integer primary key, v)");
            PreparedStatement p = c.prepareStatement("insert into t(v) values (?)");
            java.util.concurrent.atomic.AtomicReference<Object> got =
                new java.util.concurrent.atomic.AtomicReference<>();
            Thread th =
                new Thread(
                    () -> {
                      try {
                        for (int i = 0; i < 100000; i++) {
                          p.setInt(1, i);
                          p.executeUpdate();
                        }
                        got.set("all");
                      } catch (SQLException e) {
                        got.set(e.getClass().getSimpleName() + ":" + e.getSQLState());
                      }
                    });
            th.start();
            Thread.sleep(50);
            c.close();
            th.join(20000);
            return List.of(String.valueOf(got.get()).replaceAll(":.*", ""), th.isAlive());
          });
    }
  }
}
