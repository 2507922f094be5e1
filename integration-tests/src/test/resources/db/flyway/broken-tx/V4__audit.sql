CREATE TABLE audit (id INTEGER PRIMARY KEY, note TEXT);
INSERT INTO audit (note) VALUES ('before the mistake');
INSERT INTO no_such_table (note) VALUES ('the mistake');
