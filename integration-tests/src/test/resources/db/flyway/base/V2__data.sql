INSERT INTO account (id, owner) VALUES (1, 'ada'), (2, 'bob'), (3, 'cy');
INSERT INTO orders (account_id, amount) VALUES (1, 10), (2, 20), (3, 30), (1, 40);
