CREATE INDEX ledger_account ON ledger (account_id);
ALTER TABLE account ADD COLUMN balance INTEGER NOT NULL DEFAULT 0;
