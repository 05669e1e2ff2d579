"""Sign-ups and confirmations over time, as numbers ready for a server-rendered SVG."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 12, 34
#: Longer spans are drawn from this many evenly spread days.
MAX_POINTS = 60


@dataclass(frozen=True)
class Series:
    label: str
    points: str
    total: int


@dataclass(frozen=True)
class Chart:
    """Geometry for templates/organiser/_chart.html; all numbers are SVG user units."""

    width: int
    height: int
    series: list[Series]
    y_ticks: list[tuple[float, int]]
    x_labels: list[tuple[float, str]]
    plot: tuple[int, int, int, int]


def _days(first: date, last: date) -> list[date]:
    span = max((last - first).days, 0)
    step = max(1, -(-span // MAX_POINTS))
    days = [first + timedelta(days=offset) for offset in range(0, span + 1, step)]
    return days if days[-1] == last else [*days, last]


def _cumulative(moments: list[date], days: list[date]) -> list[int]:
    ordered = sorted(moments)
    return [bisect_right(ordered, day) for day in days]


def _ticks(top: int) -> list[int]:
    step = max(1, -(-top // 4))
    return list(range(0, top + step, step))


def build(
    timeline: list[tuple[datetime, datetime | None]], zone: ZoneInfo, today: datetime
) -> Chart | None:
    """Cumulative sign-ups and confirmations per local day; None when nobody signed up."""
    if not timeline:
        return None
    signed = [created.astimezone(zone).date() for created, _ in timeline]
    confirmed = [moment.astimezone(zone).date() for _, moment in timeline if moment]
    last = max(max(signed), today.astimezone(zone).date())
    # Two days at least, so a line has somewhere to go.
    first = min(min(signed), last - timedelta(days=1))
    days = _days(first, last)
    lines = [
        (_("Påmeldt"), _cumulative(signed, days)),
        (_("Bekreftet"), _cumulative(confirmed, days)),
    ]
    ticks = _ticks(max(len(signed), 1))
    top = ticks[-1]
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(index: int) -> float:
        return round(LEFT + (plot_w * index / max(len(days) - 1, 1)), 1)

    def y(value: int) -> float:
        return round(TOP + plot_h - plot_h * value / top, 1)

    series = [
        Series(label, " ".join(f"{x(i)},{y(v)}" for i, v in enumerate(values)), values[-1])
        for label, values in lines
    ]
    label_every = max(1, len(days) // 6)
    x_labels = [
        (x(i), f"{day.day}.{day.month}.") for i, day in enumerate(days) if i % label_every == 0
    ]
    return Chart(
        WIDTH, HEIGHT, series, [(y(t), t) for t in ticks], x_labels, (LEFT, TOP, plot_w, plot_h)
    )
