-- Leases: a named thing held by one live process at a time (a Slack workspace's scheduled
-- posts, `slack:T123`; a console seat, `console`, `console-2`, ...). The holder renews its
-- lease before `expires_at` (epoch seconds); once it has expired (the holder stopped or
-- was killed) another process takes it, in one conditional upsert. A clean stop deletes it.
CREATE TABLE leases (
    name text PRIMARY KEY,
    holder text NOT NULL,
    expires_at double precision NOT NULL
);
-- Deliveries from a platform already taken by some process (Slack's event_id, or the
-- trigger_id of a command or interaction), inserted once: a retry that reaches another
-- replica finds its id here and is acknowledged without being handled again. Pruned
-- after an hour.
CREATE TABLE deliveries (
    id text PRIMARY KEY,
    received_at double precision NOT NULL
);
CREATE INDEX deliveries_received ON deliveries (received_at);
