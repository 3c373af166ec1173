-- Standings rules leave SQL: trivia/standings.py decides how an answer changes a player's
-- standing and db/standings.py writes the result in the same transaction as the answer.
DROP TRIGGER answers_scored;
DROP TRIGGER answers_rescored;

-- The order answers were judged in (a choice answer as it is locked, a guess at its
-- reveal): streaks advance in this order, and `db rebuild` replays answers in it.
-- NULL while an answer is not judged.
ALTER TABLE answers ADD COLUMN settle_seq INTEGER;

-- Answers logged before this migration: judged when answered (choices) or at their
-- question's reveal (guesses), the nearest the log comes to the order they settled in.
UPDATE answers SET settle_seq = judged.seq
FROM (
    SELECT a.id, row_number() OVER (
        ORDER BY CASE WHEN a.value IS NULL THEN a.answered_at ELSE q.revealed_at END, a.id
    ) AS seq
    FROM answers a JOIN questions q ON q.id = a.question_id
    WHERE a.correct IS NOT NULL
) AS judged
WHERE answers.id = judged.id;

CREATE UNIQUE INDEX answers_settle_order ON answers (settle_seq);
