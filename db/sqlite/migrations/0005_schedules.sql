-- Scheduled quizzes. The database is the source of truth; the in-process timer is
-- rebuilt from it. A slot is claimed once per (schedule, local date) before posting.
CREATE TABLE schedules (
    id INTEGER PRIMARY KEY,
    channel_id INTEGER NOT NULL REFERENCES channels(id),
    at TEXT NOT NULL,
    zone TEXT NOT NULL,
    days TEXT NOT NULL,
    series TEXT,
    questions INTEGER NOT NULL DEFAULT 1 CHECK (questions BETWEEN 1 AND 20),
    paused INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1)),
    created_at REAL NOT NULL,
    last_error TEXT
);

CREATE TABLE schedule_slots (
    schedule_id INTEGER NOT NULL REFERENCES schedules(id) ON DELETE CASCADE,
    local_date TEXT NOT NULL,
    claimed_at REAL NOT NULL,
    finished_at REAL,
    error TEXT,
    PRIMARY KEY (schedule_id, local_date)
) WITHOUT ROWID;
