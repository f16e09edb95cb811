"""Load the rules' data once: taxonomy, policy, holidays → one `Workflow`.

This is where files are read; the domain receives their text. A site overrides the packaged holiday
file with its own (`HOTLINE_HOLIDAYS` or `--holidays`), and the policy with `HOTLINE_POLICY`.

The domain modules are imported inside the loaders: the seat reads its policy (`load_policy`) before
its first frame and the rest of the rules right after it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from .data import read_text
from .domain.errors import Misconfigured
from .settings import environment

if TYPE_CHECKING:
    from .domain.deadlines import Clocks
    from .domain.phrases import Phrases
    from .domain.policy import Policy
    from .domain.taxonomy import Taxonomy
    from .domain.workdays import WorkCalendar
    from .domain.workflow import Workflow

TAXONOMY_FILES = (
    "appeal_types.toml",
    "appellant.toml",
    "scopes.toml",
    "channels.toml",
    "units.toml",
    "matters.toml",
    "places.toml",
)


class ConfigError(Misconfigured, ValueError):
    """A data file could not be read or is malformed; the message says which and what to fix."""


@dataclass(frozen=True)
class Rules:
    taxonomy: Taxonomy
    policy: Policy
    calendar: WorkCalendar
    phrases: Phrases

    @cached_property
    def workflow(self) -> Workflow:
        # Built on first use: the workflow pulls in the pydantic ticket model (~60 ms of import),
        # which the seat's first frame does not need.
        from .domain.workflow import Workflow

        return Workflow(self.taxonomy, self.clocks)

    @cached_property
    def clocks(self) -> Clocks:
        from .domain.deadlines import Clocks

        return Clocks(self.policy, self.calendar)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None


def load_calendar(holidays: Path | None = None) -> WorkCalendar:
    from .domain.workdays import WorkCalendar, YearOverrides, parse_holidays

    years: dict[int, YearOverrides] = dict(parse_holidays(read_text("holidays.toml"), "holidays.toml"))
    named = environment("holidays")
    extra = holidays or (Path(named) if named else None)
    if extra is not None:
        for year, o in parse_holidays(_read(extra), str(extra)).items():
            base = years.get(year, YearOverrides())
            # The site's file wins date by date over the packaged one.
            years[year] = YearOverrides(
                holidays=(base.holidays - o.workdays) | o.holidays,
                workdays=(base.workdays - o.holidays) | o.workdays,
            )
    return WorkCalendar(years)


def load_policy(policy: Path | None = None) -> Policy:
    """The policy file: `policy`, else HOTLINE_POLICY, else the packaged one."""
    from .domain.policy import parse_policy

    named = environment("policy")
    pol_path = policy or (Path(named) if named else None)
    try:
        if pol_path:
            return parse_policy(_read(pol_path), str(pol_path))
        return parse_policy(read_text("policy.toml"), "policy.toml")
    except ValueError as exc:
        if isinstance(exc, ConfigError):
            raise
        raise ConfigError(str(exc)) from None


def load_rules(holidays: Path | None = None, policy: Path | None = None) -> Rules:
    from .domain.phrases import parse_phrases
    from .domain.taxonomy import parse_taxonomy

    pol = load_policy(policy)
    try:
        taxonomy = parse_taxonomy({name: read_text(name) for name in TAXONOMY_FILES})
        calendar = load_calendar(holidays)
        phrases = parse_phrases(read_text("phrases.toml"), "phrases.toml")
    except ValueError as exc:
        if isinstance(exc, ConfigError):
            raise
        raise ConfigError(str(exc)) from None
    return Rules(taxonomy, pol, calendar, phrases)


@lru_cache(maxsize=1)
def default_rules() -> Rules:
    """The rules from the packaged data and the environment, loaded once per process."""
    return load_rules()
