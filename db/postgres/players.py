"""Players on PostgreSQL: stored on first sight, inside the caller's transaction."""

from __future__ import annotations

from db.postgres.connection import Connection

UPSERT_PLAYER_SQL = (
    "INSERT INTO players (workspace_id, ref, display_name) VALUES ($1, $2, $3)"
    " ON CONFLICT (workspace_id, ref) DO UPDATE SET display_name = excluded.display_name"
    " WHERE players.display_name IS DISTINCT FROM excluded.display_name RETURNING id"
)
PLAYER_ID_SQL = "SELECT id FROM players WHERE workspace_id = $1 AND ref = $2"


async def store_player(conn: Connection, workspace_id: int, user: str, name: str) -> int:
    """The player's id, created on first sight, renamed when their display name changed
    (else no write). The upsert locks the player's row until the transaction ends (ON
    CONFLICT DO UPDATE locks it even when its WHERE skips the update), so an answer and a
    hint of one player are written one after the other, each seeing the other."""
    player_id = await conn.fetchval(UPSERT_PLAYER_SQL, workspace_id, user, name)
    if player_id is None:  # known under this name
        player_id = await conn.fetchval(PLAYER_ID_SQL, workspace_id, user)
    return int(player_id)
