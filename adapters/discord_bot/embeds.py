"""Replies as Discord embeds, within Discord's limits and with markdown escaped."""

from __future__ import annotations

import discord

from adapters.fitting import fit
from trivia.replies import Reply, ReplyKind

EMBED_TOTAL = 6000  # characters in an embed's title, description, fields and footer together
EMBED_FIELDS = 25
COLOURS = {
    ReplyKind.QUESTION: 0x2B6CB0,
    ReplyKind.REVEAL: 0x2F855A,
    ReplyKind.MATCH_END: 0x2F855A,
    ReplyKind.ERROR: 0xC53030,
    ReplyKind.CONFIRM: 0xC53030,
}


def to_embed(reply: Reply) -> discord.Embed:
    """A reply as an embed within Discord's limits, its text (not our field labels)
    markdown-escaped, as names are stored as typed: what does not fit is cut at a whole
    name or line, and fields left out are counted in the footer."""
    escape = discord.utils.escape_markdown  # names are text: no masked links, no bold
    title, body = fit(escape(reply.title), 256), fit(escape(reply.body), 4096)
    embed = discord.Embed(
        title=title, description=body or None, colour=COLOURS.get(reply.kind, 0x4A5568)
    )
    budget = EMBED_TOTAL - len(title) - len(body) - len(_left_out(len(reply.fields)))
    for shown, (field_name, field_value) in enumerate(reply.fields):
        name, value = fit(field_name, 256), fit(escape(field_value), 1024) or "-"
        budget -= len(name) + len(value)
        if shown == EMBED_FIELDS or budget < 0:
            embed.set_footer(text=_left_out(len(reply.fields) - shown))
            break
        embed.add_field(name=name, value=value, inline=False)
    return embed


def _left_out(count: int) -> str:
    return f"… and {count} more not shown"
