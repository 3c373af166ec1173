-- A guess waiting for its reveal is pending, not answered (it read as answered and wrong,
-- "0/1 right", until the reveal): standings count such guesses apart.
ALTER TABLE standings ADD COLUMN pending INTEGER NOT NULL DEFAULT 0;

-- Guesses already locked and not yet judged move from answered to pending, in every period
-- they count in (trivia.standings.periods: all time, the UTC week from Monday, the month).
UPDATE standings SET pending = waiting.guesses, answered = answered - waiting.guesses
FROM (
    SELECT workspace_id, player_id, period, count(*) AS guesses FROM (
        SELECT workspace_id, player_id, 'all' AS period FROM answers WHERE correct IS NULL
        UNION ALL
        SELECT workspace_id, player_id,
            'w' || date(answered_at, 'unixepoch', 'weekday 0', '-6 days')
        FROM answers WHERE correct IS NULL
        UNION ALL
        SELECT workspace_id, player_id, 'm' || strftime('%Y-%m', answered_at, 'unixepoch')
        FROM answers WHERE correct IS NULL
    ) GROUP BY workspace_id, player_id, period
) AS waiting
WHERE standings.workspace_id = waiting.workspace_id
    AND standings.player_id = waiting.player_id AND standings.period = waiting.period;
