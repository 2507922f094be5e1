--liquibase formatted sql

--changeset sluice:4 runInTransaction:false
-- SQLite's documented way to change a table: foreign keys off (outside a transaction, where the
-- pragma works), new table, copy, drop, rename, check, foreign keys on.
PRAGMA foreign_keys = OFF;
CREATE TABLE account_new (
  id INTEGER PRIMARY KEY,
  owner TEXT NOT NULL CHECK (length(owner) > 0),
  created TEXT NOT NULL DEFAULT '2026-01-01'
);
INSERT INTO account_new (id, owner) SELECT id, owner FROM account;
DROP TABLE account;
ALTER TABLE account_new RENAME TO account;
PRAGMA foreign_key_check;
PRAGMA foreign_keys = ON;
