"""The outbox on real SQLite files: a reveal's posts stored with the reveal, and posts
taken by one process at a time."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest

from db.connection import open_db
from db.game import GameStore
from db.outbox import Outbox
from db.outbox_rows import LEASE
from tests.conftest import T0
from tests.generating import generator
from trivia.effects import Announced
from trivia.model import Place, RecordsPack
from trivia.posts import Post
from trivia.replies import notice
from trivia.store import NextQuestion, Revealed, Settled

PLACE = Place("test", "guild", "chan")


async def test_a_reveal_and_its_posts_are_stored_together_or_not_at_all(
    store: GameStore, mini_pack: RecordsPack
) -> None:
    """The posts a reveal makes are stored in the reveal's own transaction: when storing
    them fails, the question is not revealed either (and can be revealed again), and when
    it succeeds both are there."""
    question = generator(mini_pack, 1).generate()
    first = NextQuestion(question, T0, T0 + timedelta(seconds=30))
    opened = await store.start_round(PLACE, total=1, seed=1, first=first)
    assert opened is not None

    def broken(revealed: Revealed) -> list[Announced]:
        raise RuntimeError("killed mid-reveal")

    def announce(revealed: Revealed) -> list[Announced]:
        return [Announced(PLACE, notice("Revealed"), f"reveal:{opened.id}", stored=True)]

    with pytest.raises(RuntimeError):
        await store.close_question(
            opened, revealed_at=T0, settle=lambda a, s: Settled([], []), following=None,
            announce=broken,
        )  # fmt: skip
    assert await store.open_question(PLACE) is not None
    revealed = await store.close_question(
        opened, revealed_at=T0, settle=lambda a, s: Settled([], []), following=None,
        announce=announce,
    )  # fmt: skip
    assert revealed is not None
    [owed] = await store.outbox.take(None, T0)
    assert owed.key == f"reveal:{opened.id}"
    assert owed.reply.title == "Revealed"


async def test_two_processes_taking_posts_at_once_never_take_the_same_one(
    tmp_path: Path, mini_pack: RecordsPack
) -> None:
    """Two connections on one file take due posts at the same moment, over and over:
    every post is taken, each by one of them only (the claim is one guarded statement)."""
    path = tmp_path / "outbox.sqlite3"
    async with open_db(path) as one, open_db(path) as two:
        await GameStore(one).records.import_pack(mini_pack)
        first, second = Outbox(GameStore(one).writer), Outbox(GameStore(two).writer)
        posts = [
            Post(f"slot:{i}", Place("test", "guild", f"c{i % 16}"), notice(str(i)))
            for i in range(600)
        ]
        await first.add(posts, T0)
        taken: list[int] = []
        while True:
            mine, theirs = await asyncio.gather(first.take(None, T0), second.take(None, T0))
            if not mine and not theirs:
                break
            taken += [p.id for p in mine] + [p.id for p in theirs]
        assert sorted(taken) == sorted(set(taken))
        assert len(taken) == len(posts)
        assert await first.take(None, T0 + LEASE - timedelta(seconds=1)) == []
