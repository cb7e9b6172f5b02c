"""China's official holiday schedule, as published by the State Council, from the `chinesecalendar` package.

Pure Python (no Django), so data migrations can use it too. The package ships the years known when it
was released; a later year is added by hand in the admin (or by upgrading the package) once published.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from chinese_calendar import constants  # type: ignore[import-untyped]

HOLIDAY = "holiday"
WORKDAY = "workday"


@dataclass(frozen=True)
class OfficialDay:
    """One day of the official schedule: a holiday or a make-up workday, with its festival's names."""

    date: date
    kind: str
    name_en: str
    name_zh: str


def known_years() -> list[int]:
    """The years whose schedule the installed `chinesecalendar` knows, oldest first."""
    return sorted({day.year for day in constants.holidays})


def official_days(year: int) -> list[OfficialDay]:
    """The holidays and make-up workdays of `year`; empty when the package does not know the year."""
    days: list[OfficialDay] = []
    for table, kind in ((constants.holidays, HOLIDAY), (constants.workdays, WORKDAY)):
        for day, name in table.items():
            if day.year == year:
                festival = constants.Holiday(name)
                days.append(OfficialDay(day, kind, festival.value, festival.chinese))
    return sorted(days, key=lambda d: d.date)
