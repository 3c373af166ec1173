-- Schedule numbers are never used again: after `remove 2` the next schedule is #3, so a
-- `pause 2` typed late cannot reach a newer schedule. (SQLite gives a deleted largest id
-- out again.) The highest number given so far is kept here; numbers removed before this
-- migration from the top of the list cannot be known and may be given once more.
CREATE TABLE schedule_numbers (
    last INTEGER NOT NULL
);
INSERT INTO schedule_numbers (last) SELECT coalesce(max(id), 0) FROM schedules;
