-- The daily question. It runs in its own lane beside quick play (one active round per
-- channel and lane), once per channel and local date, and keeps daily streaks per channel.
ALTER TABLE rounds ADD COLUMN lane TEXT NOT NULL DEFAULT 'play' CHECK (lane IN ('play', 'daily'));
DROP INDEX rounds_one_active;
CREATE UNIQUE INDEX rounds_one_active ON rounds (channel_id, lane) WHERE ended_at IS NULL;

-- kind 'daily': the numbered daily question; 'quiz': a match of `questions` questions.
-- reveal_at: a local HH:MM for the daily's reveal; NULL reveals it at the next post.
ALTER TABLE schedules ADD COLUMN kind TEXT NOT NULL DEFAULT 'quiz'
    CHECK (kind IN ('daily', 'quiz'));
ALTER TABLE schedules ADD COLUMN reveal_at TEXT;

CREATE TABLE dailies (
    question_id INTEGER PRIMARY KEY REFERENCES questions(id),
    channel_id INTEGER NOT NULL REFERENCES channels(id),
    local_date TEXT NOT NULL,
    number INTEGER NOT NULL,
    previous_date TEXT,
    UNIQUE (channel_id, local_date)
);

CREATE TABLE daily_streaks (
    channel_id INTEGER NOT NULL REFERENCES channels(id),
    player_id INTEGER NOT NULL REFERENCES players(id),
    current INTEGER NOT NULL CHECK (current >= 0),
    best INTEGER NOT NULL CHECK (best >= current),
    last_date TEXT NOT NULL,
    PRIMARY KEY (channel_id, player_id)
) WITHOUT ROWID;
CREATE INDEX daily_streaks_rank ON daily_streaks (channel_id, current DESC, best DESC);
