UPDATE account SET balance = (SELECT coalesce(sum(delta), 0) FROM ledger WHERE ledger.account_id = account.id);
CREATE VIEW account_summary AS SELECT id, owner, balance FROM account;
