CREATE TABLE account (id INTEGER PRIMARY KEY, owner TEXT NOT NULL);
INSERT INTO account (owner) VALUES ('first');
