--liquibase formatted sql

--changeset sluice:4
CREATE TABLE ledger (id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL REFERENCES account (id), delta INTEGER NOT NULL);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)
INSERT INTO ledger (account_id, delta) SELECT 1 + i % 3, i FROM n;

--changeset sluice:5
CREATE INDEX ledger_account ON ledger (account_id);
ALTER TABLE account ADD COLUMN balance INTEGER NOT NULL DEFAULT 0;

--changeset sluice:6
UPDATE account SET balance = (SELECT coalesce(sum(delta), 0) FROM ledger WHERE ledger.account_id = account.id);
CREATE VIEW account_summary AS SELECT id, owner, balance FROM account;
