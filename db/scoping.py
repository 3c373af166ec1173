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
        # A workspace that is no server id (direct messages) casts to 0: shard 0.
        ids = sorted(shards.ids)
        terms.append(
            f"({platform} = ? AND (CAST({workspace} AS BIGINT) >> {SHARD_SHIFT}) % ?"
            f" IN ({', '.join('?' * len(ids))}))"
        )
        params += [shards.platform, shards.count, *ids]
    for place in sorted(scope.channels, key=str):
        terms.append(f"({platform} = ? AND {workspace} = ? AND {channel} = ?)")
        params += [place.platform, place.workspace, place.channel]
    return f" AND ({' OR '.join(terms) or 'false'})", tuple(params)
