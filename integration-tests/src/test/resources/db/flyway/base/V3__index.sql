CREATE INDEX orders_account ON orders (account_id);
