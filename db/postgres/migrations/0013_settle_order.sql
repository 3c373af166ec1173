-- The last place given in the settle order, in one row: a settle takes its places by
-- moving it inside its own transaction, so writers at once never take a place twice
-- (on a database without SQLite's single writer too), and a place is never given again,
-- not even after a reset deletes the answers that held the highest ones.
CREATE TABLE settle_order (
    last INTEGER NOT NULL
);
INSERT INTO settle_order (last) SELECT coalesce(max(settle_seq), 0) FROM answers;
