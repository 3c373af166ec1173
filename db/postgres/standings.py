"""Standings on PostgreSQL: what db.standings does on SQLite, with the row locks that
SQLite's single writer made unnecessary. A writer locks the lines it changes in key order
(making the missing ones first), so writers at once never lose a count nor wait in a
circle; the settle order's row is taken before any line."""

from __future__ import annotations

from collections.abc import Sequence

from db import standings as shared
from db.postgres.connection import Connection
from db.postgres.placeholders import numbered
from db.standings import Change
from trivia.standings import Line, LogEntry, Outcome, StandingKey, replay
from trivia.store import PlayerStats, Standing

_KEYS = "unnest($1::bigint[], $2::bigint[], $3::text[]) AS k (workspace_id, player_id, period)"
_KEY_ORDER = 'workspace_id, player_id, period COLLATE "C"'


async def settle_places(
    conn: Connection, changes: Sequence[tuple[Outcome | None, Outcome]]
) -> list[int | None]:
    """Places in the settle order for the changes that judge an answer (see
    db.standings.settle_places); the row stays locked until the caller commits."""
    judged = shared.judging(changes)
    if not any(judged):
        return [None] * len(changes)
    last = await conn.fetchval(numbered(shared.SETTLE_SQL), sum(judged))
    return shared.placed(judged, int(last))


async def count_changes(conn: Connection, changes: Sequence[Change]) -> None:
    """Fold answers into their players' standings, in the order given, under row locks."""
    keys = shared.changed_keys(changes)
    if not keys:
        return
    columns = [list(column) for column in zip(*keys, strict=True)]
    made = await conn.fetch(
        "INSERT INTO standings (workspace_id, player_id, period)"
        f" SELECT * FROM {_KEYS} ORDER BY {_KEY_ORDER}"
        " ON CONFLICT DO NOTHING RETURNING workspace_id, player_id, period",
        *columns,
    )
    rows = await conn.fetch(
        f"SELECT s.workspace_id, s.player_id, s.period, {shared.LINE_COLUMNS} FROM standings s"
        f" JOIN {_KEYS} USING (workspace_id, player_id, period)"
        ' ORDER BY s.workspace_id, s.player_id, s.period COLLATE "C"'
        " FOR UPDATE OF s",
        *columns,
    )
    new = {(r[0], r[1], r[2]) for r in made}
    old = {(r[0], r[1], r[2]): Line._make(r[3:]) for r in rows if (r[0], r[1], r[2]) not in new}
    await write_lines(conn, old, shared.fold(changes, old))


async def write_lines(
    conn: Connection, old: dict[StandingKey, Line], new: dict[StandingKey, Line]
) -> None:
    """Store the lines that changed and move standing_counts with them (in key order)."""
    writes = shared.line_writes(old, new)
    for sql, rows in (
        (shared.WRITE_LINE_SQL, writes.lines),
        (shared.MOVE_COUNT_SQL, writes.deltas),
        (shared.DROP_COUNT_SQL, writes.emptied),
    ):
        if rows:
            await conn.executemany(numbered(sql), rows)


async def rebuild(conn: Connection) -> None:
    """Replace every standing with a replay of the answer log (inside a transaction that
    holds the answer log still: see PgGameStore.rebuild_standings)."""
    rows = await conn.fetch(
        "SELECT id, workspace_id, player_id, answered_at, points, correct, settle_seq FROM answers"
    )
    lines = replay(
        LogEntry(
            id=row[0],
            workspace_id=row[1],
            player_id=row[2],
            answered_at=row[3],
            outcome=Outcome(row[4], None if row[5] is None else bool(row[5])),
            settled=row[6],
        )
        for row in rows
    )
    await conn.execute("DELETE FROM standings")
    await conn.execute("DELETE FROM standing_counts")
    await write_lines(conn, {}, lines)


async def leaderboard(conn: Connection, scope: tuple[int, str], limit: int) -> list[Standing]:
    """The top players of a (workspace, period), in rank order."""
    rows = await conn.fetch(numbered(shared.LEADERBOARD_SQL), *scope, limit)
    return [Standing(rank, *row) for rank, row in enumerate(rows, start=1)]


async def player_stats(
    conn: Connection, scope: tuple[int, str], player_id: int
) -> PlayerStats | None:
    """A player's totals and rank in a (workspace, period), with the neighbours."""
    me = await conn.fetchrow(numbered(shared.ME_SQL), *scope, player_id)
    if me is None:
        return None
    key = shared.rank_key(me, player_id)
    ahead = await conn.fetchrow(numbered(shared.AHEAD_SQL.format(indexed="")), *scope, *key)
    assert ahead is not None
    rank = int(ahead[0]) + 1
    neighbours = []
    for above, at in ((True, rank - 1), (False, rank + 1)):
        sql, params = shared.neighbour_query(scope, key, above=above)
        row = await conn.fetchrow(numbered(sql), *params)
        neighbours.append(Standing(at, *row) if row else None)
    return shared.stats(me, rank, int(ahead[1]), neighbours[0], neighbours[1])
