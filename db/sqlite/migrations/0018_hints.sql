-- Which player took a hint at which question, and the hint they were given: a second
-- request repeats it, and an answer after it scores half (trivia.scoring.hinted_points).
CREATE TABLE hints (
    question_id INTEGER NOT NULL REFERENCES questions(id),
    player_id INTEGER NOT NULL REFERENCES players(id),
    hint TEXT NOT NULL,
    taken_at REAL NOT NULL,
    PRIMARY KEY (question_id, player_id)
);
