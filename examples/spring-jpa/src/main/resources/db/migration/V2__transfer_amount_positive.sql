-- Adds a CHECK to a table other tables may reference, the way SQLite documents it (the 12-step
-- rebuild). PRAGMA foreign_keys works only outside a transaction, so Flyway runs this migration
-- without one (spring.flyway.mixed=true). Through Sluice the pragma is this connection's own
-- setting: the application's other connections keep enforcing foreign keys meanwhile.
PRAGMA foreign_keys = OFF;
CREATE TABLE transfer_new (
  id INTEGER PRIMARY KEY,
  from_account BIGINT NOT NULL REFERENCES account (id),
  to_account BIGINT NOT NULL REFERENCES account (id),
  amount BIGINT NOT NULL CHECK (amount > 0)
);
INSERT INTO transfer_new (id, from_account, to_account, amount)
  SELECT id, from_account, to_account, amount FROM transfer;
DROP TABLE transfer;
ALTER TABLE transfer_new RENAME TO transfer;
CREATE INDEX transfer_from ON transfer (from_account);
CREATE INDEX transfer_to ON transfer (to_account);
PRAGMA foreign_key_check;
PRAGMA foreign_keys = ON;
