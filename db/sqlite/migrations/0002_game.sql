-- Game data: workspaces, players, channels, rounds, questions and the answer log.
-- The answers table is the source of truth for standings; the standings and
-- standing_counts tables are derived from it by the triggers below and can be
-- rebuilt from it at any time (db.game.GameStore.rebuild_standings).

CREATE TABLE workspaces (
    id INTEGER PRIMARY KEY,
    platform TEXT NOT NULL,
    ref TEXT NOT NULL,
    UNIQUE (platform, ref)
);

CREATE TABLE workspace_settings (
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id),
    name TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (workspace_id, name)
);

CREATE TABLE players (
    id INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id),
    ref TEXT NOT NULL,
    display_name TEXT NOT NULL,
    UNIQUE (workspace_id, ref)
);

CREATE TABLE channels (
    id INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id),
    ref TEXT NOT NULL,
    UNIQUE (workspace_id, ref)
);

CREATE TABLE rounds (
    id INTEGER PRIMARY KEY,
    channel_id INTEGER NOT NULL REFERENCES channels(id),
    total INTEGER NOT NULL CHECK (total >= 1),
    started_at REAL NOT NULL,
    ended_at REAL,
    seed INTEGER NOT NULL
);
-- At most one active round per channel, enforced by the database.
CREATE UNIQUE INDEX rounds_one_active ON rounds (channel_id) WHERE ended_at IS NULL;

CREATE TABLE questions (
    id INTEGER PRIMARY KEY,
    round_id INTEGER NOT NULL REFERENCES rounds(id),
    seq INTEGER NOT NULL,
    body TEXT NOT NULL,
    asked_at REAL NOT NULL,
    closes_at REAL NOT NULL,
    revealed_at REAL,
    UNIQUE (round_id, seq)
);
CREATE INDEX questions_open ON questions (closes_at) WHERE revealed_at IS NULL;
CREATE INDEX questions_open_by_round ON questions (round_id) WHERE revealed_at IS NULL;

CREATE TABLE answers (
    id INTEGER PRIMARY KEY,
    question_id INTEGER NOT NULL REFERENCES questions(id),
    player_id INTEGER NOT NULL REFERENCES players(id),
    workspace_id INTEGER NOT NULL REFERENCES workspaces(id),
    answer TEXT NOT NULL,
    choice_index INTEGER,
    value REAL,
    correct INTEGER CHECK (correct IN (0, 1)),
    points INTEGER NOT NULL DEFAULT 0,
    answered_at REAL NOT NULL,
    UNIQUE (question_id, player_id)
);

-- Derived totals per player and period: 'all', 'w' || Monday of the week (UTC),
-- 'm' || YYYY-MM (UTC). Kept by the triggers below.
CREATE TABLE standings (
    workspace_id INTEGER NOT NULL,
    period TEXT NOT NULL,
    player_id INTEGER NOT NULL REFERENCES players(id),
    points INTEGER NOT NULL DEFAULT 0,
    answered INTEGER NOT NULL DEFAULT 0,
    correct INTEGER NOT NULL DEFAULT 0,
    last_scored_at REAL NOT NULL DEFAULT 0,
    streak INTEGER NOT NULL DEFAULT 0,
    best_streak INTEGER NOT NULL DEFAULT 0,
    -- A player's rows for all periods sit together, so scoring touches one page.
    PRIMARY KEY (workspace_id, player_id, period)
) WITHOUT ROWID;
CREATE INDEX standings_rank
    ON standings (workspace_id, period, points DESC, correct DESC, last_scored_at, player_id);

-- How many players hold each points total, so a rank is a short sum, not a scan.
CREATE TABLE standing_counts (
    workspace_id INTEGER NOT NULL,
    period TEXT NOT NULL,
    points INTEGER NOT NULL,
    players INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, period, points)
) WITHOUT ROWID;
