"""Standings storage: writes what trivia.standings decides as answers are locked and
settled, replays the answer log for `db rebuild`, and reads leaderboards and ranks.

Every write here runs inside the caller's write transaction, so an answer and its effect
on the standings are committed together or not at all.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from trivia.standings import (
    Line,
    LogEntry,
    Outcome,
    StandingKey,
    count,
    periods,
    replay,
    settles,
)
from trivia.store import PlayerStats, Standing

RANK_ORDER = "s.points DESC, s.correct DESC, s.last_scored_at, s.player_id"
"""The leaderboard's ORDER BY: trivia.standings.rank_order in SQL (a test holds them equal)."""
STANDING_SQL = (
    "SELECT s.player_id, p.display_name, s.points, s.answered, s.correct, s.pending"
    " FROM standings s JOIN players p ON p.id = s.player_id"
)
LINE_COLUMNS = "points, answered, correct, last_scored_at, streak, best_streak, pending"
_KEY_COLUMNS = "workspace_id, player_id, period"
READ_CHUNK = 2_000
"""Standings read per statement: 3 parameters each, well inside SQLite's variable limit."""


@dataclass(frozen=True)
class Change:
    """One answer being counted: newly locked (`before` None) or settled at a reveal."""

    workspace_id: int
    player_id: int
    answered_at: float
    before: Outcome | None
    after: Outcome


def settle_places(
    conn: sqlite3.Connection, changes: Sequence[tuple[Outcome | None, Outcome]]
) -> list[int | None]:
    """Places in the settle order for changes that judge an answer, in the order given;
    None for the rest. The places are taken from the settle_order row inside the
    caller's write transaction, which holds that row until it commits."""
    judged = judging(changes)
    if not any(judged):
        return [None] * len(changes)
    (last,) = conn.execute(SETTLE_SQL, (sum(judged),)).fetchone()
    return placed(judged, int(last))


SETTLE_SQL = "UPDATE settle_order SET last = last + ? RETURNING last"
"""Takes places in the settle order: the row stays locked until the transaction ends."""


def judging(changes: Sequence[tuple[Outcome | None, Outcome]]) -> list[bool]:
    """Which of these changes judge an answer (and so take a place in the settle order)."""
    return [settles(before, after) for before, after in changes]


def placed(judged: list[bool], last: int) -> list[int | None]:
    """The places of the judged changes, ending at `last` (the settle order's new last)."""
    place = last - sum(judged) + 1
    places: list[int | None] = []
    for judges in judged:
        places.append(place if judges else None)
        place += judges
    return places


def count_changes(conn: sqlite3.Connection, changes: Sequence[Change]) -> None:
    """Fold answers into their players' standings, in the order given (the settle order),
    and keep standing_counts in step."""
    keys = changed_keys(changes)
    if not keys:
        return
    old = _read_lines(conn, keys)
    _write_lines(conn, old, fold(changes, old))


def changed_keys(changes: Sequence[Change]) -> list[StandingKey]:
    """The standing lines these changes move, each once, in key order (the order a
    writer locks them in, so writers at once never wait on each other in a circle)."""
    return sorted(
        {(c.workspace_id, c.player_id, p) for c in changes for p in periods(c.answered_at)}
    )


def fold(changes: Sequence[Change], old: dict[StandingKey, Line]) -> dict[StandingKey, Line]:
    """The lines after counting the changes, in the order given, into `old`."""
    new = dict(old)
    for c in changes:
        for period in periods(c.answered_at):
            key = (c.workspace_id, c.player_id, period)
            new[key] = count(new.get(key, Line()), c.before, c.after, c.answered_at)
    return new


def rebuild(conn: sqlite3.Connection) -> None:
    """Replace every standing with a replay of the answer log (inside a transaction)."""
    rows = conn.execute(
        "SELECT id, workspace_id, player_id, answered_at, points, correct, settle_seq FROM answers"
    )
    answers = (
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
    lines = replay(answers)
    conn.execute("DELETE FROM standings")
    conn.execute("DELETE FROM standing_counts")
    _write_lines(conn, {}, lines)


def _read_lines(conn: sqlite3.Connection, keys: Sequence[StandingKey]) -> dict[StandingKey, Line]:
    """The stored lines among these keys."""
    lines: dict[StandingKey, Line] = {}
    for start in range(0, len(keys), READ_CHUNK):
        chunk = keys[start : start + READ_CHUNK]
        marks = ", ".join(["(?, ?, ?)"] * len(chunk))
        # CROSS JOIN keeps the keys outermost: one primary-key seek each, never a scan.
        rows = conn.execute(
            f"SELECT s.workspace_id, s.player_id, s.period, {LINE_COLUMNS}"
            f" FROM (VALUES {marks}) AS k CROSS JOIN standings s ON s.workspace_id = k.column1"
            " AND s.player_id = k.column2 AND s.period = k.column3",
            [value for key in chunk for value in key],
        )
        lines.update({(row[0], row[1], row[2]): Line._make(row[3:]) for row in rows})
    return lines


def _write_lines(
    conn: sqlite3.Connection, old: dict[StandingKey, Line], new: dict[StandingKey, Line]
) -> None:
    """Store the lines that changed from `old` to `new`, and move standing_counts (how many
    players hold each points total) by the difference."""
    writes = line_writes(old, new)
    conn.executemany(WRITE_LINE_SQL, writes.lines)
    conn.executemany(MOVE_COUNT_SQL, writes.deltas)
    conn.executemany(DROP_COUNT_SQL, writes.emptied)


WRITE_LINE_SQL = (
    f"INSERT INTO standings ({_KEY_COLUMNS}, {LINE_COLUMNS})"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    f" ON CONFLICT ({_KEY_COLUMNS}) DO UPDATE SET points = excluded.points,"
    " answered = excluded.answered, correct = excluded.correct,"
    " last_scored_at = excluded.last_scored_at, streak = excluded.streak,"
    " best_streak = excluded.best_streak, pending = excluded.pending"
)
MOVE_COUNT_SQL = (
    "INSERT INTO standing_counts (workspace_id, period, points, players) VALUES (?, ?, ?, ?)"
    " ON CONFLICT (workspace_id, period, points) DO UPDATE SET"
    " players = standing_counts.players + excluded.players"
)
DROP_COUNT_SQL = (
    "DELETE FROM standing_counts WHERE workspace_id = ? AND period = ? AND points = ?"
    " AND players = 0"
)


@dataclass(frozen=True)
class LineWrites:
    """The rows that store a change of lines: the lines that changed, the moves of
    standing_counts (how many players hold each points total) and the counts that may
    have emptied, each in key order."""

    lines: list[tuple[Any, ...]]
    deltas: list[tuple[int, str, int, int]]
    emptied: list[tuple[int, str, int]]


def line_writes(old: dict[StandingKey, Line], new: dict[StandingKey, Line]) -> LineWrites:
    """What to write for the lines that changed from `old` to `new`."""
    changed = sorted((key, line) for key, line in new.items() if old.get(key) != line)
    moved: Counter[tuple[int, str, int]] = Counter()
    for key, line in changed:
        workspace_id, _, period = key
        if (was := old.get(key)) is not None:
            moved[workspace_id, period, was.points] -= 1
        moved[workspace_id, period, line.points] += 1
    deltas = sorted((*key, delta) for key, delta in moved.items() if delta)
    return LineWrites(
        [key + line for key, line in changed],
        deltas,
        [(w, p, points) for w, p, points, delta in deltas if delta < 0],
    )


LEADERBOARD_SQL = (
    STANDING_SQL + f" WHERE s.workspace_id = ? AND s.period = ? ORDER BY {RANK_ORDER} LIMIT ?"
)
ME_SQL = (
    "SELECT s.points, s.answered, s.correct, s.last_scored_at, a.streak, a.best_streak,"
    " p.display_name, s.pending FROM standings s JOIN players p ON p.id = s.player_id"
    " JOIN standings a ON a.workspace_id = s.workspace_id AND a.player_id = s.player_id"
    " AND a.period = 'all' WHERE s.workspace_id = ? AND s.period = ? AND s.player_id = ?"
)
AHEAD_SQL = (
    "SELECT (SELECT coalesce(sum(players), 0) FROM standing_counts"
    "        WHERE workspace_id = ?1 AND period = ?2 AND points > ?3)"
    " + (SELECT count(*) FROM standings {indexed}"
    "    WHERE workspace_id = ?1 AND period = ?2 AND points = ?3 AND correct > ?4)"
    " + (SELECT count(*) FROM standings {indexed}"
    "    WHERE workspace_id = ?1 AND period = ?2 AND points = ?3 AND correct = ?4"
    "    AND (last_scored_at, player_id) < (?5, ?6)),"
    " (SELECT coalesce(sum(players), 0) FROM standing_counts"
    "  WHERE workspace_id = ?1 AND period = ?2)"
)
"""Players ahead: more points (from the per-points counts), then equal points with more
correct answers, then equal both and an earlier score or lower id; and how many players
({indexed}: SQLite's index hint, none on PostgreSQL)."""


def leaderboard(conn: sqlite3.Connection, scope: tuple[int, str], limit: int) -> list[Standing]:
    """The top players of a (workspace, period), in rank order."""
    rows = conn.execute(LEADERBOARD_SQL, (*scope, limit))
    return [Standing(rank, *row) for rank, row in enumerate(rows, start=1)]


def player_stats(
    conn: sqlite3.Connection, scope: tuple[int, str], player_id: int
) -> PlayerStats | None:
    """A player's totals and rank in a (workspace, period), with the neighbours."""
    me = conn.execute(ME_SQL, (*scope, player_id)).fetchone()
    if me is None:
        return None
    key = rank_key(me, player_id)
    ahead = conn.execute(
        AHEAD_SQL.format(indexed="INDEXED BY standings_rank"), (*scope, *key)
    ).fetchone()
    rank = int(ahead[0]) + 1
    neighbours = []
    for above, at in ((True, rank - 1), (False, rank + 1)):
        row = conn.execute(*neighbour_query(scope, key, above=above)).fetchone()
        neighbours.append(Standing(at, *row) if row else None)
    return stats(me, rank, int(ahead[1]), neighbours[0], neighbours[1])


def rank_key(me: Any, player_id: int) -> tuple[Any, ...]:
    """What ranks a player, from a row of ME_SQL: points, correct, last scored, id."""
    return (me[0], me[2], me[3], player_id)


def stats(
    me: Any, rank: int, players: int, above: Standing | None, below: Standing | None
) -> PlayerStats:
    """PlayerStats from a row of ME_SQL, the rank and the neighbours."""
    points, answered, correct, _, streak, best, name, pending = me
    return PlayerStats(
        name=name,
        points=points,
        answered=answered,
        correct=correct,
        pending=pending,
        streak=streak,
        best_streak=best,
        rank=rank,
        players=players,
        above=above,
        below=below,
    )


def neighbour_query(
    scope: tuple[int, str], key: tuple[Any, ...], *, above: bool
) -> tuple[str, tuple[Any, ...]]:
    """The next player up or down the ranking: three narrow index seeks, first hit wins
    (one query: the seeks run in order and the outer LIMIT stops at the first hit)."""
    points, correct, last_at, player_id = key
    if above:
        seeks = (
            ("s.points = ? AND s.correct = ? AND (s.last_scored_at, s.player_id) < (?, ?)",
             (points, correct, last_at, player_id),
             "s.last_scored_at DESC, s.player_id DESC"),
            ("s.points = ? AND s.correct > ?", (points, correct),
             "s.correct, s.last_scored_at DESC, s.player_id DESC"),
            ("s.points > ?", (points,),
             "s.points, s.correct, s.last_scored_at DESC, s.player_id DESC"),
        )  # fmt: skip
    else:
        seeks = (
            ("s.points = ? AND s.correct = ? AND (s.last_scored_at, s.player_id) > (?, ?)",
             (points, correct, last_at, player_id),
             "s.last_scored_at, s.player_id"),
            ("s.points = ? AND s.correct < ?", (points, correct),
             "s.correct DESC, s.last_scored_at, s.player_id"),
            ("s.points < ?", (points,),
             "s.points DESC, s.correct DESC, s.last_scored_at, s.player_id"),
        )  # fmt: skip
    parts = [
        "SELECT * FROM (" + STANDING_SQL + f" WHERE s.workspace_id = ? AND s.period = ?"
        f" AND {where} ORDER BY {order} LIMIT 1) AS seek{i}"
        for i, (where, _, order) in enumerate(seeks)
    ]
    return (
        " UNION ALL ".join(parts) + " LIMIT 1",
        tuple(value for _, params, _ in seeks for value in (*scope, *params)),
    )
