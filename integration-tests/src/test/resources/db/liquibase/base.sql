--liquibase formatted sql

--changeset sluice:1
CREATE TABLE account (id INTEGER PRIMARY KEY, owner TEXT NOT NULL);
CREATE TABLE orders (
  id INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES account (id),
  amount INTEGER NOT NULL
);
CREATE TABLE event (id INTEGER PRIMARY KEY, thread INTEGER NOT NULL, seq INTEGER NOT NULL);

--changeset sluice:2
INSERT INTO account (id, owner) VALUES (1, 'ada'), (2, 'bob'), (3, 'cy');
INSERT INTO orders (account_id, amount) VALUES (1, 10), (2, 20), (3, 30), (1, 40);

--changeset sluice:3
CREATE INDEX orders_account ON orders (account_id);
