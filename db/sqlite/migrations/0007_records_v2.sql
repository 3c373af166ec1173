-- Records in every sport's own terms: each event is kept whole as its pack-format (2)
-- document, so margins in millimetres or words, shared places and new fields need no new
-- columns. The old rows are folded into those documents. Also: series names over time, a
-- version that changes with every import (question indexes are built once per version),
-- and the daily deal pinned by record keys.

CREATE TABLE events_v2 (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    series_id INTEGER NOT NULL REFERENCES series(id),
    season INTEGER NOT NULL,
    date TEXT NOT NULL,
    body TEXT NOT NULL CHECK (json_valid(body))
);

INSERT INTO events_v2 (id, key, series_id, season, date, body)
SELECT e.id, e.key, e.series_id, e.season, e.date, json_object(
    'key', e.key,
    'sport', (SELECT sp.name FROM series se JOIN sports sp ON sp.id = se.sport_id
              WHERE se.id = e.series_id),
    'series', (SELECT se.name FROM series se WHERE se.id = e.series_id),
    'season', e.season, 'date', e.date, 'name', e.name, 'venue', e.venue, 'kind', e.kind,
    'official', json(CASE e.official WHEN 1 THEN 'true' ELSE 'false' END),
    'scheduled_laps', e.scheduled_laps, 'laps', e.laps,
    'margin_unit', 's', 'margin_s', e.margin_s, 'margin_display', e.margin_display,
    'margin_caveat', e.margin_caveat, 'confidence', e.confidence, 'caveat', e.caveat,
    'results', (
        SELECT json_group_array(json_object(
            'position', r.position,
            'competitor', (SELECT c.name FROM competitors c WHERE c.id = r.competitor_id),
            'car_number', r.car_number, 'team', r.team, 'make', r.make, 'gap_s', r.gap_s,
            'caveat', r.caveat))
        FROM (SELECT * FROM results WHERE event_id = e.id ORDER BY position) r),
    'notes', (
        SELECT json_group_array(json_object('label', n.label, 'text', n.text))
        FROM (SELECT * FROM event_notes WHERE event_id = e.id AND kind = 'note'
              ORDER BY seq) n),
    'corrections', (
        SELECT json_group_array(n.text)
        FROM (SELECT * FROM event_notes WHERE event_id = e.id AND kind = 'correction'
              ORDER BY seq) n),
    'sources', (
        SELECT json_group_array(json_object('title', s.title, 'publisher', s.publisher,
                                            'url', s.url, 'published', s.published))
        FROM (SELECT * FROM sources WHERE event_id = e.id ORDER BY seq) s)
)
FROM events e;

DROP TABLE results;
DROP TABLE event_notes;
DROP TABLE sources;
DROP TABLE events;
ALTER TABLE events_v2 RENAME TO events;
CREATE INDEX events_series_season ON events (series_id, season);

ALTER TABLE series ADD COLUMN body TEXT CHECK (body IS NULL OR json_valid(body));
ALTER TABLE packs ADD COLUMN digest TEXT;

CREATE TABLE records_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);
INSERT INTO records_version (id, version) VALUES (1, 1);

CREATE TABLE daily_deal (
    pool TEXT NOT NULL,
    number INTEGER NOT NULL,
    event_key TEXT NOT NULL,
    PRIMARY KEY (pool, number)
);

-- What each question asked about ('kind:record key'), so quick play in a channel goes
-- through every question open to it before repeating one.
ALTER TABLE questions ADD COLUMN subject TEXT;
UPDATE questions
SET subject = json_extract(body, '$.kind') || ':' || json_extract(body, '$.event_keys[0]');
CREATE INDEX rounds_by_channel ON rounds (channel_id, lane, id);
