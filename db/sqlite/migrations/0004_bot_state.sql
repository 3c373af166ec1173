-- Small named values the bot keeps between runs (e.g. the hash of the last command sync).
CREATE TABLE bot_state (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
