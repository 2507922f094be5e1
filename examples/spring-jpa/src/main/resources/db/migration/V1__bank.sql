CREATE TABLE account (
  id INTEGER PRIMARY KEY,
  owner VARCHAR(255) NOT NULL UNIQUE,
  balance BIGINT NOT NULL
);
CREATE TABLE transfer (
  id INTEGER PRIMARY KEY,
  from_account BIGINT NOT NULL REFERENCES account (id),
  to_account BIGINT NOT NULL REFERENCES account (id),
  amount BIGINT NOT NULL
);
