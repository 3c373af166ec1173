-- Public posts made on their own (reveals, scheduled questions), kept until the
-- platform has them: a post is retried after a failure and taken over by another
-- process when the one that took it stops (its lease runs out); after MAX_ATTEMPTS
-- (a channel the bot was removed from) it is given up, with its last error. The key names a post
-- once, so it is never stored twice.
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    platform TEXT NOT NULL,
    workspace TEXT NOT NULL,
    channel TEXT NOT NULL,
    reply TEXT NOT NULL,
    schedule_id INTEGER REFERENCES schedules(id) ON DELETE SET NULL,
    created_at REAL NOT NULL,
    due_at REAL NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    posted_at REAL,
    gave_up INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX outbox_due ON outbox (platform, due_at) WHERE posted_at IS NULL AND gave_up = 0;
