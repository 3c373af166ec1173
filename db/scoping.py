"""SQL for a process's scope: the rows of the platforms, shards and channels it serves."""

from __future__ import annotations

from trivia.model import SHARD_SHIFT, Scope


def in_scope(
    scope: Scope | None, platform: str, workspace: str, channel: str
) -> tuple[str, tuple[str | int, ...]]:
    """An `AND ...` clause (to append; empty for None: everything) keeping rows whose
    platform, workspace and channel columns are in `scope`, and its parameters."""
    if scope is None:
        return "", ()
    terms: list[str] = []
    params: list[str | int] = []
    if scope.platforms:
        names = sorted(scope.platforms)
        terms.append(f"{platform} IN ({', '.join('?' * len(names))})")
        params += names
    for shards in sorted(scope.shards, key=str):
        # Only the platform's own workspaces (server ids) are cast: in a CASE, as SQL
        # promises no order for the terms of an AND.
        ids = sorted(shards.ids)
        server = f"CASE WHEN {platform} = ? THEN CAST({workspace} AS BIGINT) END"
        terms.append(f"(({server}) >> {SHARD_SHIFT}) % ? IN ({', '.join('?' * len(ids))})")
        params += [shards.platform, shards.count, *ids]
    for place in sorted(scope.channels, key=str):
        terms.append(f"({platform} = ? AND {workspace} = ? AND {channel} = ?)")
        params += [place.platform, place.workspace, place.channel]
    return f" AND ({' OR '.join(terms) or 'false'})", tuple(params)
