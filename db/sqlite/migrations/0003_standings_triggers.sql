-- Keep standings and standing_counts in step with the answer log, inside the
-- same transaction as the write to answers, so a scored answer is all or nothing.
-- Periods: 'all', 'w' || Monday of the ISO week (UTC), 'm' || YYYY-MM (UTC).

CREATE TRIGGER answers_scored AFTER INSERT ON answers
BEGIN
    UPDATE standing_counts SET players = players - 1
    WHERE NEW.points <> 0 AND workspace_id = NEW.workspace_id
      AND (period, points) IN (
        SELECT period, points FROM standings
        WHERE workspace_id = NEW.workspace_id AND player_id = NEW.player_id
          AND period IN ('all',
                         'w' || date(NEW.answered_at, 'unixepoch', 'weekday 0', '-6 days'),
                         'm' || strftime('%Y-%m', NEW.answered_at, 'unixepoch')));

    INSERT INTO standings (workspace_id, period, player_id, points, answered, correct,
                           last_scored_at, streak, best_streak)
    SELECT NEW.workspace_id, p.period, NEW.player_id, NEW.points, 1, coalesce(NEW.correct, 0),
           CASE WHEN NEW.points > 0 THEN NEW.answered_at ELSE 0 END,
           coalesce(NEW.correct, 0), coalesce(NEW.correct, 0)
    FROM (SELECT 'all' AS period
          UNION ALL SELECT 'w' || date(NEW.answered_at, 'unixepoch', 'weekday 0', '-6 days')
          UNION ALL SELECT 'm' || strftime('%Y-%m', NEW.answered_at, 'unixepoch')) AS p
    WHERE true
    ON CONFLICT (workspace_id, player_id, period) DO UPDATE SET
        points = points + excluded.points,
        answered = answered + 1,
        correct = correct + excluded.correct,
        last_scored_at = CASE WHEN excluded.points > 0 THEN NEW.answered_at
                              ELSE last_scored_at END,
        streak = CASE WHEN NEW.correct IS NULL THEN streak
                      WHEN NEW.correct = 1 THEN streak + 1 ELSE 0 END,
        best_streak = max(best_streak, CASE WHEN NEW.correct = 1 THEN streak + 1 ELSE 0 END);

    INSERT INTO standing_counts (workspace_id, period, points, players)
    SELECT workspace_id, period, points, 1 FROM standings
    WHERE workspace_id = NEW.workspace_id AND player_id = NEW.player_id
      AND period IN ('all',
                     'w' || date(NEW.answered_at, 'unixepoch', 'weekday 0', '-6 days'),
                     'm' || strftime('%Y-%m', NEW.answered_at, 'unixepoch'))
      AND (NEW.points <> 0 OR answered = 1)
    ON CONFLICT (workspace_id, period, points) DO UPDATE SET players = players + 1;
END;

-- Answers judged at the reveal (guess the margin) get their points and
-- correctness later; move the derived totals by the difference.
CREATE TRIGGER answers_rescored AFTER UPDATE OF points, correct ON answers
WHEN NEW.points IS NOT OLD.points OR NEW.correct IS NOT OLD.correct
BEGIN
    UPDATE standing_counts SET players = players - 1
    WHERE NEW.points <> OLD.points AND workspace_id = NEW.workspace_id
      AND (period, points) IN (
        SELECT period, points FROM standings
        WHERE workspace_id = NEW.workspace_id AND player_id = NEW.player_id
          AND period IN ('all',
                         'w' || date(NEW.answered_at, 'unixepoch', 'weekday 0', '-6 days'),
                         'm' || strftime('%Y-%m', NEW.answered_at, 'unixepoch')));

    UPDATE standings SET
        points = points + NEW.points - OLD.points,
        correct = correct + coalesce(NEW.correct, 0) - coalesce(OLD.correct, 0),
        last_scored_at = CASE WHEN NEW.points > OLD.points THEN max(last_scored_at, NEW.answered_at)
                              ELSE last_scored_at END,
        streak = CASE WHEN OLD.correct IS NOT NULL OR NEW.correct IS NULL THEN streak
                      WHEN NEW.correct = 1 THEN streak + 1 ELSE 0 END,
        best_streak = CASE WHEN OLD.correct IS NULL AND NEW.correct = 1
                           THEN max(best_streak, streak + 1) ELSE best_streak END
    WHERE workspace_id = NEW.workspace_id AND player_id = NEW.player_id
      AND period IN ('all',
                     'w' || date(NEW.answered_at, 'unixepoch', 'weekday 0', '-6 days'),
                     'm' || strftime('%Y-%m', NEW.answered_at, 'unixepoch'));

    INSERT INTO standing_counts (workspace_id, period, points, players)
    SELECT workspace_id, period, points, 1 FROM standings
    WHERE NEW.points <> OLD.points AND workspace_id = NEW.workspace_id
      AND player_id = NEW.player_id
      AND period IN ('all',
                     'w' || date(NEW.answered_at, 'unixepoch', 'weekday 0', '-6 days'),
                     'm' || strftime('%Y-%m', NEW.answered_at, 'unixepoch'))
    ON CONFLICT (workspace_id, period, points) DO UPDATE SET players = players + 1;
END;
