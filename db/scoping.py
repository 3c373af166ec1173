"""SQL for a process's scope: the rows of the platforms and channels it serves."""

from __future__ import annotations

from trivia.model import Scope


def in_scope(
    scope: Scope | None, platform: str, workspace: str, channel: str
) -> tuple[str, tuple[str, ...]]:
    """An `AND ...` clause (to append; empty for None: everything) keeping rows whose
    platform, workspace and channel columns are in `scope`, and its parameters."""
    if scope is None:
        return "", ()
    terms, params = [], []
    if scope.platforms:
        names = sorted(scope.platforms)
        terms.append(f"{platform} IN ({', '.join('?' * len(names))})")
        params += names
    for place in sorted(scope.channels, key=str):
        terms.append(f"({platform} = ? AND {workspace} = ? AND {channel} = ?)")
        params += [place.platform, place.workspace, place.channel]
    return f" AND ({' OR '.join(terms) or 'false'})", tuple(params)
