--liquibase formatted sql

--changeset sluice:1
CREATE TABLE account (id INTEGER PRIMARY KEY, owner TEXT NOT NULL);
CREATE TABLE note (id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL, text TEXT NOT NULL);
CREATE INDEX note_account ON note (account_id);
CREATE VIEW account_notes AS SELECT owner, text FROM account JOIN note ON note.account_id = account.id;

--changeset sluice:2
INSERT INTO account (id, owner) VALUES (1, 'ada'), (2, 'bob');
INSERT INTO note (account_id, text) VALUES (1, 'a'), (2, 'b'), (2, 'c');
