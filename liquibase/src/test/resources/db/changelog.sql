--liquibase formatted sql

--changeset sluice:1
CREATE TABLE account (id INTEGER PRIMARY KEY, owner TEXT NOT NULL);
INSERT INTO account (owner) VALUES ('first');

--changeset sluice:2
CREATE TABLE orders (id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL REFERENCES account (id));
INSERT INTO orders (account_id) VALUES (1);
