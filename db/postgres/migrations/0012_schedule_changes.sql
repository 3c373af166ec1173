-- Every change to the schedules (set, pause, resume, remove) moves this counter in the
-- same transaction: each bot process reads it every timer round and re-arms its timers
-- when it has moved, so a schedule changed through another process is armed here too.
CREATE TABLE schedule_changes (
    version INTEGER NOT NULL
);
INSERT INTO schedule_changes (version) VALUES (0);
