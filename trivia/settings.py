"""Per-workspace game settings: defaults from config, overrides from admins."""

from __future__ import annotations

from dataclasses import dataclass

MIN_WINDOW = 5
MAX_WINDOW = 3600
"""The answer window an admin or the config may set, in seconds."""
MAX_MATCH = 20
"""The most questions in a match, a workspace's match length or a scheduled quiz."""


@dataclass(frozen=True)
class Settings:
    """Per-workspace game settings."""

    answer_window: float = 30.0
    match_length: int = 5
    series: str | None = None
    sports: frozenset[str] | None = None
    """The sports questions come from; None for every sport."""
    daily_hints: bool = False
    """Whether players may take a hint at the daily question."""

    def merged(self, overrides: dict[str, str]) -> Settings:
        """These settings with a workspace's stored overrides applied."""
        sports = overrides.get("sports", ",".join(sorted(self.sports or ())))
        return Settings(
            answer_window=float(overrides.get("answer_window", self.answer_window)),
            match_length=int(overrides.get("match_length", self.match_length)),
            series=overrides.get("series", self.series) or None,
            sports=frozenset(sports.split(",")) if sports else None,
            daily_hints=overrides.get("daily_hints", "on" if self.daily_hints else "off") == "on",
        )
