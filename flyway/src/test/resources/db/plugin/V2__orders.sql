CREATE TABLE orders (id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL REFERENCES account (id));
INSERT INTO orders (account_id) VALUES (1);
