# sqlite3 in memory: schema, bulk insert, joins, aggregates, window functions, JSON, errors.
import sqlite3

con = sqlite3.connect(":memory:")
con.row_factory = sqlite3.Row
con.executescript("""
CREATE TABLE customer (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, country TEXT);
CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customer(id),
                     day TEXT, amount REAL, meta TEXT);
CREATE INDEX orders_by_customer ON orders(customer_id);
""")
con.executemany("INSERT INTO customer(name, country) VALUES (?, ?)",
                [("Ada", "UK"), ("Grace", "US"), ("Linus", "FI"), ("Margaret", "US")])
rows = [(1 + i % 4, f"2024-01-{1 + i % 28:02d}", round(10 + i * 3.7 % 50, 2), f'{{"channel": "{"web" if i % 3 else "shop"}"}}')
        for i in range(40)]
con.executemany("INSERT INTO orders(customer_id, day, amount, meta) VALUES (?, ?, ?, ?)", rows)
con.commit()

for r in con.execute("""SELECT c.name, COUNT(*) AS n, ROUND(SUM(o.amount), 2) AS total, ROUND(AVG(o.amount), 3) AS avg
                        FROM customer c JOIN orders o ON o.customer_id = c.id
                        GROUP BY c.id ORDER BY total DESC"""):
    print(dict(r))
for r in con.execute("""SELECT name, country, RANK() OVER (PARTITION BY country ORDER BY name) AS rk,
                        COUNT(*) OVER (PARTITION BY country) AS per_country FROM customer ORDER BY country, name"""):
    print(tuple(r))
print([tuple(r) for r in con.execute("""SELECT json_extract(meta, '$.channel') AS ch, COUNT(*) FROM orders GROUP BY ch ORDER BY ch""")])
print([tuple(r) for r in con.execute("""SELECT day, amount, SUM(amount) OVER (ORDER BY id ROWS BETWEEN 2 PRECEDING AND CURRENT ROW)
                     FROM orders WHERE customer_id = 2 ORDER BY id LIMIT 4""")])
print(con.execute("WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x * 2 FROM n WHERE x < 500) SELECT group_concat(x) FROM n").fetchone()[0])
con.create_function("initials", 1, lambda s: "".join(w[0] for w in s.split()))
print(con.execute("SELECT initials('Grace Brewster Hopper')").fetchone()[0])
try:
    con.execute("INSERT INTO customer(name) VALUES ('Ada')")
except sqlite3.IntegrityError as e:
    print("IntegrityError:", e)
try:
    con.execute("SELECT * FROM nope")
except sqlite3.OperationalError as e:
    print("OperationalError:", e)
with con:
    con.execute("UPDATE orders SET amount = amount * 2 WHERE customer_id = 3")
print(con.execute("SELECT ROUND(SUM(amount), 2) FROM orders").fetchone()[0], con.total_changes)
print(sqlite3.sqlite_version_info >= (3, 35), con.execute("PRAGMA integrity_check").fetchone()[0])
print([d[0] for d in con.execute("SELECT * FROM customer LIMIT 0").description])
dump = list(con.iterdump())
print(len(dump), dump[0], dump[-1])
con.close()
