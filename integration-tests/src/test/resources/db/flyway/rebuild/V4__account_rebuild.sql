-- SQLite's documented way to change a table (https://www.sqlite.org/lang_altertable.html, "Making
-- Other Kinds Of Table Schema Changes"): foreign keys off, new table, copy, drop, rename, check.
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
