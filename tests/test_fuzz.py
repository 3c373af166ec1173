"""Property-based fuzzing of everything that reads text or JSON from outside: the command
grammar, answer judging, schedule times and zones, and the records pack parser. Whatever
arrives, each either gives its result or its own clear error, never a crash."""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import MINI_PACK
from tests.generating import generator
from trivia.commands import Command, parse
from trivia.judging import VerdictStatus, judge
from trivia.model import QuestionKind, RecordsPack
from trivia.pack import PackError, parse_pack
from trivia.questions import Request
from trivia.schedule import ScheduleError, parse_time, parse_timing

FUZZ = settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
WORDS = st.sampled_from(
    ["start", "admin", "schedule", "set", "pause", "settings", "window", "length", "sports",
     "series", "questions", "reveal", "days", "answer", "daily", "²", "٣", "9" * 5000,
     "-1", "0", "20", "21", "NaN", "inf", "1e308", "@everyone", "<!channel>"]
)  # fmt: skip
NUMBERS = st.one_of(
    st.sampled_from(["²", "٣", "9" * 5000, "-1", "1e3"]),
    st.text(st.characters(categories=["Nd", "No"]), min_size=1, max_size=30),
    st.integers(min_value=0, max_value=10**30).map(str),
)
NUMBERED = st.builds(
    "{} {}".format,
    st.sampled_from(
        ["start", "admin schedule pause", "admin schedule remove", "admin settings window",
         "admin settings length", "admin schedule set 09:00 UTC questions", "answer", "daily"]
    ),
    NUMBERS,
)  # fmt: skip
TEXT = st.one_of(
    st.text(), NUMBERED, st.lists(st.one_of(WORDS, st.text()), max_size=8).map(" ".join)
)


@FUZZ
@given(TEXT)
def test_any_command_text_parses_to_a_command(text: str) -> None:
    """Every text becomes a command (Invalid and Help included); none raises."""
    assert isinstance(parse(text), Command)


def _questions(pack: RecordsPack) -> list[Any]:
    kinds = (QuestionKind.WINNER, QuestionKind.MARGIN, QuestionKind.GUESS_MARGIN)
    return [generator(pack, 3).generate(Request(kinds=(kind,))) for kind in kinds]


@FUZZ
@given(TEXT, st.integers(0, 2))
def test_any_answer_text_is_judged(text: str, which: int) -> None:
    """A choice question and a guess-the-margin question judge any text without raising."""
    from db.records import read_pack

    question = _questions(read_pack(MINI_PACK))[which]
    verdict = judge(question, text)
    assert verdict.status in VerdictStatus
    if verdict.status is VerdictStatus.ACCEPTED and question.is_numeric:
        assert verdict.value is not None
        assert verdict.value >= 0


@FUZZ
@given(TEXT, TEXT, st.one_of(st.none(), TEXT))
def test_any_schedule_time_zone_and_days_parse_or_say_why(at: str, zone: str, days: Any) -> None:
    """Schedule times, zones and days are parsed or refused with a ScheduleError that says
    what is wrong."""
    for attempt in (lambda: parse_timing(at, zone, days), lambda: parse_time(at)):
        problem = ""
        try:
            attempt()
        except ScheduleError as exc:
            problem = str(exc) or "(empty)"
        assert problem != "(empty)"


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.sampled_from([10**400, -(10**400)])
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)  # fmt: skip
FIELDS = st.sampled_from(
    ["key", "sport", "series", "season", "date", "name", "venue", "kind", "official",
     "margin_s", "margin_display", "margin_unit", "margin_value", "margin_caveat",
     "confidence", "results", "sources", "notes", "corrections", "laps"]
)  # fmt: skip
RESULT_FIELDS = st.sampled_from(["position", "competitor", "gap_s", "time", "country"])


@FUZZ
@given(FIELDS, JSON_VALUES, RESULT_FIELDS, JSON_VALUES)
def test_any_pack_field_value_is_accepted_or_named(
    field: str, value: Any, result_field: str, result_value: Any
) -> None:
    """Replacing any event or result field with any JSON value (NaN, Infinity, numbers far
    beyond 64 bits included) gives a valid pack or a PackError naming a field path; no
    margin that is not a finite number is ever accepted."""
    data = json.loads(MINI_PACK.read_text(encoding="utf-8"))
    mutated = copy.deepcopy(data)
    mutated["events"][0][field] = value
    mutated["events"][1]["results"][0][result_field] = result_value
    try:
        pack = parse_pack(mutated)
    except PackError as exc:
        where = exc.where
    else:
        where = ""
    if where:
        assert where.startswith("events[")
        return
    for e in pack.events:
        assert e.margin_s is None or 0 <= e.margin_s <= 1_000_000
        assert all(r.gap_s is None or 0 <= r.gap_s <= 1_000_000 for r in e.results)
