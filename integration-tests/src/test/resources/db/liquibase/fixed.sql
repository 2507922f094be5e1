--liquibase formatted sql

--changeset sluice:4
CREATE TABLE IF NOT EXISTS audit (id INTEGER PRIMARY KEY, note TEXT);
DELETE FROM audit;
INSERT INTO audit (note) VALUES ('fixed');
