"""The engine through its commands, on the SQLite store and the in-memory one, with time
passed in."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.conftest import T0
from tests.trivia.conftest import EngineStore
from trivia.commands import (
    Answer,
    Ask,
    Configure,
    Daily,
    DailyPost,
    Help,
    Leaderboard,
    Reset,
    ScheduleChange,
    ScheduleList,
    ScheduleSet,
    Start,
    Stats,
    Stop,
    parse,
)
from trivia.effects import Announced, Effect
from trivia.engine import Actor, Engine
from trivia.model import CHOICE_LETTERS, Place
from trivia.replies import ReplyKind, ResetConfirmButton
from trivia.scoring import Guess, answer_points, rank_guesses
from trivia.settings import Settings
from trivia.store import OpenQuestion, Store

PLACE = Place("test", "guild", "chan")


def actor(user: str, now: datetime, place: Place = PLACE) -> Actor:
    return Actor(place, user, user.title(), now)


def engine(store: EngineStore, seed: int = 1, window: float = 30) -> Engine:
    return Engine(store, defaults=Settings(answer_window=window), seed=seed)


def announced(effects: list[Effect]) -> list[Announced]:
    """The posts a timer round announced."""
    return [e for e in effects if isinstance(e, Announced)]


async def open_question(store: Store, place: Place = PLACE) -> OpenQuestion:
    found = await store.open_question(place)
    assert found is not None
    return found


async def ask_until(eng: Engine, *, numeric: bool) -> OpenQuestion:
    """Ask until the open question is (or is not) guess-the-margin."""
    now = T0
    for _ in range(60):
        await eng.handle(Ask(), actor("host", now))
        found = await open_question(eng.store)
        if found.question.is_numeric == numeric:
            return found
        await eng.handle(Stop(), actor("host", now))
        now += timedelta(seconds=1)
    raise AssertionError("kind not generated in 60 tries")


async def test_quick_question_answer_and_reveal(store: EngineStore) -> None:
    """Ask, two players answer (one right, one wrong), the reveal lists the right one."""
    eng = engine(store)
    q = await ask_until(eng, numeric=False)
    right = q.question.answer_index
    assert right is not None
    wrong = (right + 1) % len(q.question.choices)
    [ok] = (
        await eng.handle(
            Answer(CHOICE_LETTERS[right]), actor("alice", q.asked_at + timedelta(seconds=3))
        )
    ).replies
    assert ok.kind is ReplyKind.LOCKED
    assert ok.private
    assert ok.title.startswith(f"Locked in: {CHOICE_LETTERS[right]}")
    await eng.handle(Answer(CHOICE_LETTERS[wrong]), actor("bob", q.asked_at + timedelta(seconds=4)))

    [posted] = announced(await eng.close_due(q.asked_at + timedelta(seconds=31)))
    reveal = posted.reply
    assert posted.place == PLACE
    assert reveal.kind is ReplyKind.REVEAL
    assert not reveal.private
    fields = dict(reveal.fields)
    points = answer_points(q.question.difficulty, correct=True, elapsed=3, window=30)
    assert fields["Right"] == f"Alice (+{points})"
    assert f"{CHOICE_LETTERS[right]}: 1" in fields["Answers"]
    assert f"{CHOICE_LETTERS[wrong]}: 1" in fields["Answers"]
    assert "http" in fields["Source"]
    assert await store.open_question(PLACE) is None
    assert await eng.close_due(q.asked_at + timedelta(seconds=60)) == []


async def test_once_every_player_here_has_answered_the_reveal_comes_at_once(
    store: EngineStore,
) -> None:
    """Where the platform knows how many can answer (the console: each name played as),
    the question is revealed as soon as all have answered, not at the end of the window;
    in a match the next question follows. A lone console player used to wait it out."""
    eng = engine(store)

    def at(user: str, seconds: int) -> Actor:
        return replace(actor(user, T0 + timedelta(seconds=seconds)), players=2)

    await eng.handle(Start(2), at("alice", 0))
    first = await open_question(store)
    alone = await eng.handle(Answer("1"), at("alice", 1))  # "1": choice A, or 1 s
    assert alone.replies[0].kind is ReplyKind.LOCKED
    assert alone.announced() == []  # bob has not answered yet
    both = await eng.handle(Answer("1"), at("bob", 2))

    assert both.replies[0].kind is ReplyKind.LOCKED
    assert [a.reply.kind for a in both.announced()] == [ReplyKind.REVEAL, ReplyKind.QUESTION]
    following = await open_question(store)
    assert (following.seq, following.id != first.id) == (2, True)
    assert following.asked_at == T0 + timedelta(seconds=2)


async def test_the_daily_question_waits_for_its_reveal_time_however_many_answered(
    store: EngineStore,
) -> None:
    """The daily question is revealed at its time even when every player here guessed."""
    eng = engine(store)
    admin = replace(actor("ann", T0), admin=True)
    post = DailyPost(day=T0.date(), previous_day=None, closes_at=T0 + timedelta(days=1))
    await eng.handle(post, admin)

    guessed = await eng.handle(Daily("0.002"), replace(actor("alice", T0), players=1))

    assert guessed.replies[0].kind is ReplyKind.LOCKED
    assert guessed.announced() == []


async def test_second_answer_is_refused_and_bad_input_changes_nothing(store: EngineStore) -> None:
    """One locked answer per player; gibberish gets a private reply and is not stored."""
    eng = engine(store)
    q = await ask_until(eng, numeric=False)
    later = q.asked_at + timedelta(seconds=2)
    [bad] = (await eng.handle(Answer("zzzzzz qqq"), actor("alice", later))).replies
    assert bad.kind is ReplyKind.ERROR
    assert bad.private
    assert await store.answers(q.id) == []
    await eng.handle(Answer("a"), actor("alice", later))
    [again] = (await eng.handle(Answer("b"), actor("alice", later))).replies
    assert again.kind is ReplyKind.ERROR
    assert "already" in again.title
    [row] = await store.answers(q.id)
    assert row.choice_index == 0


async def test_answer_after_the_window_is_too_late_and_triggers_the_reveal(
    store: EngineStore,
) -> None:
    """A late answer is not stored; the reveal is announced in the channel on its own (not
    inside the reply to the late answer, which may fail)."""
    eng = engine(store)
    q = await ask_until(eng, numeric=False)
    late = await eng.handle(Answer("a"), actor("alice", q.closes_at + timedelta(seconds=1)))
    [refused] = late.replies
    assert refused.title == "Too late: the answer window had closed."
    assert refused.private
    assert [(a.place, a.reply.kind) for a in late.announced()] == [(PLACE, ReplyKind.REVEAL)]
    assert late.refused is not None
    assert await store.answers(q.id) == []


async def test_a_late_answer_never_lands_on_the_next_question_of_a_match(
    store: EngineStore,
) -> None:
    """When the window closes mid-match, a late answer is refused, not applied to question 2."""
    eng = engine(store)
    await eng.handle(Start(2), actor("host", T0))
    q1 = await open_question(store)
    late = await eng.handle(Answer("a"), actor("ann", q1.closes_at + timedelta(seconds=1)))
    assert [r.kind for r in late.replies] == [ReplyKind.ERROR]
    assert [a.reply.kind for a in late.announced()] == [ReplyKind.REVEAL, ReplyKind.QUESTION]
    q2 = await open_question(store)
    assert q2.seq == 2
    assert await store.answers(q1.id) == []
    assert await store.answers(q2.id) == []


async def test_one_active_round_per_channel(store: EngineStore) -> None:
    """A second /trivia in a channel with an open question is refused; other channels play."""
    eng = engine(store)
    await eng.handle(Ask(), actor("alice", T0))
    [refused] = (await eng.handle(Start(3), actor("bob", T0 + timedelta(seconds=1)))).replies
    assert refused.kind is ReplyKind.ERROR
    other = Place("test", "guild", "other")
    [asked] = (await eng.handle(Ask(), actor("bob", T0, other))).replies
    assert asked.kind is ReplyKind.QUESTION


async def test_two_stops_at_once_reveal_once_and_both_get_a_reply(store: EngineStore) -> None:
    """Alice and Bob stop the same question together: one reveal, and Bob is told why (that
    it was just revealed or, when his stop came after the reveal, that none is open: on
    PostgreSQL one stop can finish before the other looks)."""
    eng = engine(store)
    await eng.handle(Ask(), actor("host", T0))
    later = T0 + timedelta(seconds=5)
    alice, bob = await asyncio.gather(
        eng.handle(Stop(), actor("alice", later)), eng.handle(Stop(), actor("bob", later))
    )
    kinds = sorted([[r.kind for r in alice.replies], [r.kind for r in bob.replies]])
    assert kinds == [[ReplyKind.ERROR], [ReplyKind.NOTICE]]
    assert len(alice.announced() + bob.announced()) == 1
    [late] = alice.replies if alice.refused else bob.replies
    assert late.private
    # Which one the later stop hears depends on whether its read of the open question ran
    # before the reveal committed (on a loaded machine the read's thread can come late).
    assert late.title in (
        "That question has just been revealed.",
        "Nothing to stop: no question is open here.",
    )


async def test_match_runs_n_questions_then_shows_the_table(store: EngineStore) -> None:
    """/trivia start 3 asks three questions on the timer, then the final table."""
    eng = engine(store, window=10)
    [first] = (await eng.handle(Start(3), actor("alice", T0))).replies
    assert first.title == "Question 1/3"
    now = T0
    titles = []
    for _ in range(3):
        q = await open_question(store)
        text = "0.005" if q.question.is_numeric else CHOICE_LETTERS[q.question.answer_index or 0]
        await eng.handle(Answer(text), actor("alice", now + timedelta(seconds=1)))
        now = q.closes_at
        titles += [a.reply.title for a in announced(await eng.close_due(now))]
    assert titles[1] == "Question 2/3"
    assert titles[3] == "Question 3/3"
    assert titles[-1] == "Match over"
    assert await store.open_question(PLACE) is None


async def test_guess_the_margin_ranks_the_closest(store: EngineStore) -> None:
    """The closest guess wins; ties on distance go to the earlier answer; far guesses get 0."""
    eng = engine(store)
    q = await ask_until(eng, numeric=True)
    truth = q.question.answer_value
    assert truth is not None
    t = q.asked_at
    guesses = [
        ("far", truth + 0.5),
        ("tie_first", truth + 0.001),
        ("tie_second", truth + 0.001),
        ("exact", truth),
    ]
    for i, (user, value) in enumerate(guesses):
        await eng.handle(Answer(f"{value:.4f}"), actor(user, t + timedelta(seconds=i + 1)))
    [posted] = announced(await eng.close_due(q.closes_at))
    closest = dict(posted.reply.fields)["Closest"]
    assert closest.startswith("Exact ")
    assert closest.index("Tie_First") < closest.index("Tie_Second")
    assert "Far" not in closest
    rows = {a.player_name: a for a in await store.answers(q.id)}
    assert rows["Exact"].correct is True
    assert rows["Far"].points == 0
    assert rows["Tie_First"].points > rows["Tie_Second"].points > 0


async def test_answers_racing_the_reveal_are_all_in_it_or_refused(store: EngineStore) -> None:
    """Guesses sent while the reveal runs: each one told "Locked in" is counted in the
    reveal and scored by the final ranking; the rest are told it was too late."""
    eng = engine(store)
    q = await ask_until(eng, numeric=True)
    truth = q.question.answer_value
    assert truth is not None
    players = [f"p{i}" for i in range(40)]
    just_before = q.closes_at - timedelta(milliseconds=1)
    sends = [
        eng.handle(Answer(f"{truth + 0.001 * i:.3f}"), actor(p, just_before))
        for i, p in enumerate(players)
    ]
    # The reveal can win the race against all of them: five answered before it make sure
    # the reveal ranks some.
    early = [r.replies for r in await asyncio.gather(*sends[:5])]
    results: list[Any] = await asyncio.gather(*sends[5:20], eng.close_due(q.closes_at), *sends[20:])
    [posted] = announced(results[15])
    replies = [reply for (reply,) in early + [r.replies for r in results[:15] + results[16:]]]
    locked = [p for p, r in zip(players, replies, strict=True) if r.kind is ReplyKind.LOCKED]
    assert all(r.kind in (ReplyKind.LOCKED, ReplyKind.ERROR) for r in replies)
    assert len(locked) >= 5
    assert dict(posted.reply.fields)["Guesses"].startswith(f"{len(locked)}, ")
    rows = await store.answers(q.id)
    assert sorted(a.player_name for a in rows) == sorted(p.title() for p in locked)
    guesses = [Guess(a.id, a.value, i) for i, a in enumerate(rows) if a.value is not None]
    expected = rank_guesses(guesses, truth, q.question.difficulty)
    assert sorted((a.id, a.points, a.correct) for a in rows) == sorted(expected)


async def test_leaderboard_and_stats_with_neighbours(store: EngineStore) -> None:
    """Standings rank players by points; stats show the gap to the players around."""
    eng = engine(store)
    scores: dict[str, int] = {}
    for users in (["ann", "bea", "cal"], ["ann", "bea"], ["ann"]):
        q = await ask_until(eng, numeric=False)
        for user in users:
            at = q.asked_at + timedelta(seconds=5)
            await eng.handle(Answer(CHOICE_LETTERS[q.question.answer_index or 0]), actor(user, at))
            scores[user] = scores.get(user, 0) + answer_points(
                q.question.difficulty, correct=True, elapsed=5, window=30
            )
        await eng.close_due(q.closes_at)
    [board] = (await eng.handle(Leaderboard("all"), actor("ann", T0 + timedelta(hours=1)))).replies
    lines = board.body.splitlines()
    assert lines[0].startswith(f"1. Ann: {scores['ann']} pts")
    assert lines[1].startswith(f"2. Bea: {scores['bea']} pts")
    assert lines[2].startswith(f"3. Cal: {scores['cal']} pts")
    [stats] = (await eng.handle(Stats(), actor("bea", T0 + timedelta(hours=1)))).replies
    rank = dict(stats.fields)["Rank"]
    behind = scores["ann"] - scores["bea"]
    assert rank.startswith("#2 of 3")
    assert f"{behind} points behind #1 Ann" in rank
    assert "ahead of #3 Cal" in rank
    assert stats.private
    [other] = (await eng.handle(Stats("cal"), actor("bea", T0 + timedelta(hours=1)))).replies
    assert other.title == "Stats: Cal"
    assert dict(other.fields)["Streak"] == "1 now, best 1"


async def test_week_and_month_windows(store: EngineStore) -> None:
    """Last week's points count all time but not this week."""
    eng = engine(store)
    q = await ask_until(eng, numeric=False)
    await eng.handle(
        Answer(CHOICE_LETTERS[q.question.answer_index or 0]),
        actor("ann", q.asked_at + timedelta(seconds=1)),
    )
    await eng.close_due(q.closes_at)
    next_week = T0 + timedelta(days=8)
    [week] = (await eng.handle(Leaderboard("week"), actor("ann", next_week))).replies
    [alltime] = (await eng.handle(Leaderboard("all"), actor("ann", next_week))).replies
    assert week.body == "No answers yet this week."
    assert alltime.body.startswith("1. Ann")


async def test_help_and_unknown_are_private(store: EngineStore) -> None:
    """Help explains commands and scoring, privately."""
    [reply] = (await engine(store).handle(Help("Unknown command: x"), actor("ann", T0))).replies
    assert reply.private
    assert reply.title == "Unknown command: x"
    assert "/trivia start N" in reply.body
    assert "Scoring" in reply.body


async def test_state_survives_a_new_engine(store: EngineStore) -> None:
    """An engine built after a restart sees the open question and reveals it."""
    q = await ask_until(engine(store, seed=3), numeric=False)
    fresh = engine(store, seed=99)
    [locked] = (
        await fresh.handle(
            Answer(CHOICE_LETTERS[q.question.answer_index or 0]),
            actor("ann", q.asked_at + timedelta(seconds=1)),
        )
    ).replies
    assert locked.kind is ReplyKind.LOCKED
    [posted] = announced(await fresh.close_due(q.closes_at))
    assert dict(posted.reply.fields)["Right"].startswith("Ann")


async def test_every_question_kind_reaches_the_reveal(store: EngineStore) -> None:
    """Each kind can be asked, answered and revealed through the engine and store."""
    seen = set()
    eng = engine(store, seed=11)
    now = T0
    for _ in range(80):
        await eng.handle(Ask(), actor("host", now))
        q = await open_question(store)
        seen.add(q.question.kind)
        text = "0.004" if q.question.is_numeric else "a"
        await eng.handle(Answer(text), actor("ann", now + timedelta(seconds=1)))
        [posted] = announced(await eng.close_due(q.closes_at))
        assert posted.reply.kind is ReplyKind.REVEAL
        now = q.closes_at + timedelta(seconds=1)
    assert seen == {kind for kind, _ in (await eng.bank()).subjects}
    assert len(seen) >= 9


async def test_settings_and_reset_are_for_admins_only(store: EngineStore) -> None:
    """A member cannot change settings or reset; an admin can, and the window follows."""
    eng = engine(store)
    member, admin = actor("bea", T0), replace(actor("ann", T0), admin=True)
    [refused] = (await eng.handle(Configure(answer_window=60), member)).replies
    assert refused.kind is ReplyKind.ERROR
    assert await store.settings(PLACE) == {}
    [shown] = (await eng.handle(Configure(answer_window=60, series="Cup Series"), admin)).replies
    assert dict(shown.fields) == {
        "Answer window": "60 s",
        "Match length": "5 questions",
        "Series": "Cup Series",
        "Sports": "all",
        "Daily hints": "off",
    }
    [bad] = (await eng.handle(Configure(series="Formula 1"), admin)).replies
    assert bad.title.startswith("Series are: all, Cup Series")
    await eng.handle(Ask(), actor("bea", T0))
    q = await open_question(store)
    assert q.closes_at - q.asked_at == timedelta(seconds=60)
    await eng.handle(
        Answer(
            CHOICE_LETTERS[q.question.answer_index or 0] if not q.question.is_numeric else "0.01"
        ),
        actor("bea", T0 + timedelta(seconds=1)),
    )
    await eng.close_due(q.closes_at)
    assert await store.leaderboard(PLACE, "all", 10)
    [nope] = (await eng.handle(Reset(T0), member)).replies
    assert nope.kind is ReplyKind.ERROR
    assert await store.leaderboard(PLACE, "all", 10)
    [ask] = (await eng.handle(Reset(), admin)).replies
    assert ask.private
    assert ask.buttons == (ResetConfirmButton(T0),)
    [done] = (await eng.handle(Reset(T0), admin)).replies
    assert not done.private
    assert done.title == "The leaderboard was reset by Ann."
    assert await store.leaderboard(PLACE, "all", 10) == []


async def test_a_reset_confirmation_expires_after_five_minutes(store: EngineStore) -> None:
    """A confirm button clicked five minutes later (or one from before buttons carried their
    time) is refused and resets nothing; within the five minutes it resets."""
    eng = engine(store)
    admin = replace(actor("ann", T0), admin=True)
    await eng.handle(Ask(), actor("bea", T0))
    q = await open_question(store)
    await eng.handle(Answer("0.01" if q.question.is_numeric else "A"), actor("bea", T0))
    await eng.handle(Stop(), actor("bea", T0))
    [ask] = (await eng.handle(Reset(), admin)).replies
    assert ask.buttons == (ResetConfirmButton(T0),)
    for late in (Reset(T0), Reset(datetime.fromtimestamp(0, UTC))):  # the second: an old button
        [expired] = (
            await eng.handle(late, replace(admin, now=T0 + timedelta(minutes=5, seconds=1)))
        ).replies
        assert expired.kind is ReplyKind.ERROR
        assert expired.title == "That confirmation has expired: run reset again."
    assert await store.leaderboard(PLACE, "all", 10)
    [done] = (await eng.handle(Reset(T0), replace(admin, now=T0 + timedelta(minutes=5)))).replies
    assert done.title == "The leaderboard was reset by Ann."


async def test_a_button_answers_only_its_own_question(store: EngineStore) -> None:
    """A click on an old question's button is refused once another question is open."""
    eng = engine(store)
    first = await ask_until(eng, numeric=False)
    await eng.handle(Stop(), actor("host", T0))
    second = await ask_until(eng, numeric=False)
    assert first.id != second.id
    [old] = (
        await eng.handle(
            Answer("A", question_id=first.id), actor("ann", second.asked_at + timedelta(seconds=1))
        )
    ).replies
    assert old.title == "That question has closed."
    assert await store.answers(second.id) == []
    [ok] = (
        await eng.handle(
            Answer("A", question_id=second.id), actor("ann", second.asked_at + timedelta(seconds=1))
        )
    ).replies
    assert ok.kind is ReplyKind.LOCKED


async def test_admins_schedule_quizzes_and_members_cannot(store: EngineStore) -> None:
    """Set, list with the next time in the zone and UTC, pause, resume, remove; bad
    input names the valid form and stores nothing; members are refused."""
    eng = engine(store)
    admin = replace(actor("ann", T0), admin=True)  # T0 is Sat 21 Nov 2026, 12:00 UTC
    [refused] = (
        await eng.handle(ScheduleSet(at="09:00", zone="Europe/London"), actor("bea", T0))
    ).replies
    assert refused.title == "Only server admins can do that."
    [bad_time] = (await eng.handle(ScheduleSet(at="25:00", zone="Europe/London"), admin)).replies
    assert bad_time.title.startswith("Times are 24-hour HH:MM")
    [bad_zone] = (await eng.handle(ScheduleSet(at="09:00", zone="Mars/Base"), admin)).replies
    assert bad_zone.title.startswith("Time zones are IANA names")
    assert await store.list_schedules(PLACE) == []
    [listed] = (
        await eng.handle(
            ScheduleSet(
                at="18:30",
                zone="America/New_York",
                days="weekdays",
                questions=3,
                series="Cup Series",
            ),
            admin,
        )
    ).replies
    [(number, line)] = listed.fields
    assert number == "#1"
    assert line == (
        "18:30 America/New_York, weekdays, 3 questions, Cup Series in channel chan;"
        " next Mon 23 Nov 18:30 America/New_York (23:30 UTC)"
    )
    [paused] = (await eng.handle(ScheduleChange("pause", 1), admin)).replies
    assert paused.title == "Schedule #1 paused."
    [shown] = (await eng.handle(ScheduleList(), admin)).replies
    assert shown.fields[0][1].endswith("; paused")
    other = replace(admin, place=Place("test", "other-guild", "chan"))
    [missing] = (await eng.handle(ScheduleChange("remove", 1), other)).replies
    assert missing.title == "There is no schedule #1 here."
    await eng.handle(ScheduleChange("remove", 1), admin)
    assert await store.list_schedules(PLACE) == []


async def test_schedule_numbers_are_never_used_again_after_a_remove(store: EngineStore) -> None:
    """`remove 2` then a new schedule gets #3, not #2 again: an admin's note or a
    `pause 2` typed late must never reach a schedule other than the one meant."""
    eng = engine(store)
    admin = replace(actor("ann", T0), admin=True)

    async def add(at: str) -> list[str]:
        [listed] = (await eng.handle(ScheduleSet(at=at, zone="UTC", questions=1), admin)).replies
        return [number for number, _ in listed.fields]

    assert await add("09:00") == ["#1"]
    assert await add("10:00") == ["#1", "#2"]
    await eng.handle(ScheduleChange("remove", 2), admin)
    assert await add("11:00") == ["#1", "#3"]
    await eng.handle(ScheduleChange("remove", 1), admin)
    await eng.handle(ScheduleChange("remove", 3), admin)
    assert await add("12:00") == ["#4"]
    [gone] = (await eng.handle(ScheduleChange("pause", 2), admin)).replies
    assert gone.title == "There is no schedule #2 here."


async def test_admins_schedule_the_daily_question_with_a_reveal_time(store: EngineStore) -> None:
    """Without a number of questions a schedule posts the daily question; a reveal time
    is checked like the post time and only goes with the daily question."""
    eng = engine(store)
    admin = replace(actor("ann", T0), admin=True)
    [bad_reveal] = (
        await eng.handle(ScheduleSet(at="09:00", zone="Europe/London", reveal="9pm"), admin)
    ).replies
    assert bad_reveal.title.startswith("Times are 24-hour HH:MM")
    [quiz_reveal] = (
        await eng.handle(
            ScheduleSet(at="09:00", zone="Europe/London", questions=3, reveal="21:00"), admin
        )
    ).replies
    assert quiz_reveal.title == "A reveal time is for the daily question only."
    assert await store.list_schedules(PLACE) == []
    [listed] = (
        await eng.handle(ScheduleSet(at="09:00", zone="Europe/London", reveal="21:00"), admin)
    ).replies
    assert listed.fields[0][1].startswith(
        "09:00 Europe/London, every day, daily question, revealed at 21:00 in channel chan;"
    )
    [elsewhere] = (
        await eng.handle(ScheduleSet(at="10:00", zone="UTC", channel="quiz-room"), admin)
    ).replies
    assert elsewhere.fields[1][1].startswith(
        "10:00 UTC, every day, daily question, revealed at the next post in channel quiz-room;"
    )


async def test_a_second_daily_schedule_in_a_channel_is_refused(store: EngineStore) -> None:
    """One daily question per channel: a second daily schedule there is refused at once,
    naming the one to remove, and nothing is stored (it used to be accepted and then fail
    at every post). Quizzes and other channels are unaffected."""
    eng = engine(store)
    admin = replace(actor("ann", T0), admin=True)
    await eng.handle(ScheduleSet(at="09:00", zone="UTC"), admin)
    [refused] = (await eng.handle(ScheduleSet(at="18:00", zone="Europe/Paris"), admin)).replies
    assert refused.kind is ReplyKind.ERROR
    assert refused.private
    assert refused.title == (
        "Channel chan already has the daily question (schedule #1): one daily per channel."
        " Remove #1 first to change it."
    )
    await eng.handle(ScheduleSet(at="12:00", zone="UTC", questions=3), admin)
    await eng.handle(ScheduleSet(at="09:00", zone="UTC", channel="other"), admin)
    assert len(await store.list_schedules(PLACE)) == 3


async def test_a_schedule_names_a_channel_by_how_it_is_typed(store: EngineStore) -> None:
    """In the console `channel #console-2` posts where the second console plays (it used to
    get the whole usage); a name that is no console's channel, or a channel that Slack did
    not turn into a link, is refused saying what works, and nothing is stored."""
    eng = engine(store)
    console = replace(actor("ann", T0, Place("console", "local", "console")), admin=True)
    [listed] = (
        await eng.handle(parse("admin schedule set 09:00 UTC channel #console-2"), console)
    ).replies
    assert listed.fields[0][1].startswith("09:00 UTC, every day, daily question, revealed at")
    assert "in channel console-2;" in listed.fields[0][1]
    [refused] = (
        await eng.handle(parse("admin schedule set 09:00 UTC channel #quiz"), console)
    ).replies
    assert refused.kind is ReplyKind.ERROR
    assert refused.title == (
        "In the console the channels are the consoles' own: console, console-2, and so on"
        " (a second console on this database plays in console-2); #quiz is not one."
    )
    slack = replace(console, place=Place("slack", "T1", "C1"))
    [unlinked] = (
        await eng.handle(parse("admin schedule set 09:00 UTC channel #quiz"), slack)
    ).replies
    assert unlinked.title == (
        "#quiz is not a channel link: type # and pick the channel from the list."
    )
    [linked] = (
        await eng.handle(parse("admin schedule set 09:00 UTC channel <#C42|quiz>"), slack)
    ).replies
    assert "in channel C42;" in linked.fields[0][1]
    assert len(await store.list_schedules(console.place)) == 1
    assert len(await store.list_schedules(slack.place)) == 1


async def test_a_pending_daily_guess_is_shown_pending_not_wrong(store: EngineStore) -> None:
    """Until the daily's reveal, a guess is neither answered nor wrong in /trivia stats
    and the leaderboard (they said "0 pts (0/1 right)", issue 19); the reveal judges it."""
    eng = engine(store)
    closes = T0 + timedelta(hours=12)
    host = replace(actor("host", T0), admin=True)
    await eng.handle(DailyPost(day=T0.date(), previous_day=None, closes_at=closes), host)
    daily = await store.open_daily(PLACE)
    assert daily is not None
    assert daily.question.answer_value is not None
    guess = f"{daily.question.answer_value:g}"
    await eng.handle(Daily(guess), actor("ann", T0 + timedelta(minutes=1)))

    [board] = (await eng.handle(Leaderboard("all"), actor("ann", T0))).replies
    assert board.body == "1. Ann: 0 pts (0/0 right, 1 pending)"
    [stats] = (await eng.handle(Stats(), actor("ann", T0))).replies
    assert dict(stats.fields)["Answered"] == "0, 1 pending"
    assert dict(stats.fields)["Correct"] == "0 (n/a)"

    await eng.close_due(closes)
    [board] = (await eng.handle(Leaderboard("all"), actor("ann", closes))).replies
    assert board.body == "1. Ann: 30 pts (1/1 right)"
    [stats] = (await eng.handle(Stats(), actor("ann", closes))).replies
    assert dict(stats.fields)["Answered"] == "1"
    assert dict(stats.fields)["Correct"] == "1 (100%)"
