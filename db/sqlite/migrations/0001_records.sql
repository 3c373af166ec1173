-- Sports results: sports, series, events, finishing order, notes and sources.

CREATE TABLE sports (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);

CREATE TABLE series (
    id INTEGER PRIMARY KEY,
    sport_id INTEGER NOT NULL REFERENCES sports(id),
    name TEXT NOT NULL,
    UNIQUE (sport_id, name)
);

CREATE TABLE competitors (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);

CREATE TABLE competitor_aliases (
    competitor_id INTEGER NOT NULL REFERENCES competitors(id) ON DELETE CASCADE,
    alias TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('surname', 'nickname')),
    PRIMARY KEY (competitor_id, alias)
);

CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    series_id INTEGER NOT NULL REFERENCES series(id),
    season INTEGER NOT NULL,
    date TEXT NOT NULL,
    name TEXT NOT NULL,
    venue TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('race', 'qualifying')),
    official INTEGER NOT NULL CHECK (official IN (0, 1)),
    scheduled_laps INTEGER,
    laps INTEGER,
    margin_s REAL NOT NULL CHECK (margin_s >= 0),
    margin_display TEXT NOT NULL,
    margin_caveat TEXT,
    confidence TEXT NOT NULL CHECK (confidence IN ('high', 'medium')),
    caveat TEXT
);
CREATE INDEX events_series_season ON events (series_id, season);

CREATE TABLE results (
    event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    position INTEGER NOT NULL CHECK (position >= 1),
    competitor_id INTEGER NOT NULL REFERENCES competitors(id),
    car_number TEXT,
    team TEXT,
    make TEXT,
    gap_s REAL CHECK (gap_s IS NULL OR gap_s >= 0),
    caveat TEXT,
    PRIMARY KEY (event_id, position)
);

CREATE TABLE event_notes (
    event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('note', 'correction')),
    label TEXT NOT NULL,
    text TEXT NOT NULL,
    PRIMARY KEY (event_id, kind, seq)
);

CREATE TABLE sources (
    event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    title TEXT NOT NULL,
    publisher TEXT NOT NULL,
    url TEXT NOT NULL,
    published TEXT,
    PRIMARY KEY (event_id, seq)
);

CREATE TABLE packs (
    name TEXT PRIMARY KEY,
    description TEXT NOT NULL
);
