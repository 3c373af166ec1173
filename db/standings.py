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
_LINE_COLUMNS = "points, answered, correct, last_scored_at, streak, best_streak, pending"
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
    judged = [settles(before, after) for before, after in changes]
    if not any(judged):
        return [None] * len(changes)
    (last,) = conn.execute(
        "UPDATE settle_order SET last = last + ? RETURNING last", (sum(judged),)
    ).fetchone()
    place = int(last) - sum(judged) + 1
    places: list[int | None] = []
    for judges in judged:
        places.append(place if judges else None)
        place += judges
    return places


def count_changes(conn: sqlite3.Connection, changes: Sequence[Change]) -> None:
    """Fold answers into their players' standings, in the order given (the settle order),
    and keep standing_counts in step."""
    counted = [
        (c, [(c.workspace_id, c.player_id, period) for period in periods(c.answered_at)])
        for c in changes
    ]
    keys = list(dict.fromkeys(key for _, keys in counted for key in keys))
    if not keys:
        return
    old = _read_lines(conn, keys)
    new = dict(old)
    for c, keys_of_c in counted:
        for key in keys_of_c:
            new[key] = count(new.get(key, Line()), c.before, c.after, c.answered_at)
    _write_lines(conn, old, new)


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
            f"SELECT s.workspace_id, s.player_id, s.period, {_LINE_COLUMNS}"
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
    changed = [(key, line) for key, line in new.items() if old.get(key) != line]
    conn.executemany(
        f"INSERT INTO standings ({_KEY_COLUMNS}, {_LINE_COLUMNS})"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        f" ON CONFLICT ({_KEY_COLUMNS}) DO UPDATE SET points = excluded.points,"
        " answered = excluded.answered, correct = excluded.correct,"
        " last_scored_at = excluded.last_scored_at, streak = excluded.streak,"
        " best_streak = excluded.best_streak, pending = excluded.pending",
        [key + line for key, line in changed],
    )
    moved: Counter[tuple[int, str, int]] = Counter()
    for key, line in changed:
        workspace_id, _, period = key
        if (was := old.get(key)) is not None:
            moved[workspace_id, period, was.points] -= 1
        moved[workspace_id, period, line.points] += 1
    deltas = [(*key, delta) for key, delta in moved.items() if delta]
    conn.executemany(
        "INSERT INTO standing_counts (workspace_id, period, points, players) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (workspace_id, period, points) DO UPDATE SET"
        " players = players + excluded.players",
        deltas,
    )
    if emptied := [key for *key, delta in deltas if delta < 0]:
        conn.executemany(
            "DELETE FROM standing_counts WHERE workspace_id = ? AND period = ? AND points = ?"
            " AND players = 0",
            emptied,
        )


def leaderboard(conn: sqlite3.Connection, scope: tuple[int, str], limit: int) -> list[Standing]:
    """The top players of a (workspace, period), in rank order."""
    rows = conn.execute(
        STANDING_SQL + f" WHERE s.workspace_id = ? AND s.period = ? ORDER BY {RANK_ORDER} LIMIT ?",
        (*scope, limit),
    )
    return [Standing(rank, *row) for rank, row in enumerate(rows, start=1)]


def player_stats(
    conn: sqlite3.Connection, scope: tuple[int, str], player_id: int
) -> PlayerStats | None:
    """A player's totals and rank in a (workspace, period), with the neighbours."""
    me = conn.execute(
        "SELECT s.points, s.answered, s.correct, s.last_scored_at, a.streak, a.best_streak,"
        " p.display_name, s.pending FROM standings s JOIN players p ON p.id = s.player_id"
        " JOIN standings a ON a.workspace_id = s.workspace_id AND a.player_id = s.player_id"
        " AND a.period = 'all' WHERE s.workspace_id = ? AND s.period = ? AND s.player_id = ?",
        (*scope, player_id),
    ).fetchone()
    if me is None:
        return None
    points, answered, correct, last_at, streak, best, name, pending = me
    # Players ahead: more points (from the per-points counts), then equal points
    # with more correct answers, then equal both and an earlier score or lower id.
    ahead = conn.execute(
        "SELECT (SELECT coalesce(sum(players), 0) FROM standing_counts"
        "        WHERE workspace_id = ?1 AND period = ?2 AND points > ?3)"
        " + (SELECT count(*) FROM standings INDEXED BY standings_rank"
        "    WHERE workspace_id = ?1 AND period = ?2 AND points = ?3 AND correct > ?4)"
        " + (SELECT count(*) FROM standings INDEXED BY standings_rank"
        "    WHERE workspace_id = ?1 AND period = ?2 AND points = ?3 AND correct = ?4"
        "    AND (last_scored_at, player_id) < (?5, ?6)),"
        " (SELECT coalesce(sum(players), 0) FROM standing_counts"
        "  WHERE workspace_id = ?1 AND period = ?2)",
        (*scope, points, correct, last_at, player_id),
    ).fetchone()
    rank = int(ahead[0]) + 1
    me_key = (points, correct, last_at, player_id)
    return PlayerStats(
        name=name,
        points=points,
        answered=answered,
        correct=correct,
        pending=pending,
        streak=streak,
        best_streak=best,
        rank=rank,
        players=int(ahead[1]),
        above=_neighbour(conn, scope, me_key, rank - 1, above=True),
        below=_neighbour(conn, scope, me_key, rank + 1, above=False),
    )


def _neighbour(
    conn: sqlite3.Connection,
    scope: tuple[int, str],
    key: tuple[Any, ...],
    rank: int,
    *,
    above: bool,
) -> Standing | None:
    """The next player up or down the ranking: three narrow index seeks, first hit wins."""
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
    # One query: the seeks run in order and the outer LIMIT stops at the first hit.
    parts = [
        "SELECT * FROM (" + STANDING_SQL + f" WHERE s.workspace_id = ? AND s.period = ?"
        f" AND {where} ORDER BY {order} LIMIT 1)"
        for where, _, order in seeks
    ]
    row = conn.execute(
        " UNION ALL ".join(parts) + " LIMIT 1",
        tuple(value for _, params, _ in seeks for value in (*scope, *params)),
    ).fetchone()
    return Standing(rank, *row) if row else None
