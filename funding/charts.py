"""Server-side charts of the dashboard: plain data that templates turn into inline SVG.

Horizontal bars, one row per item, the label above its bar, so that long labels (and
Arabic ones) stay readable on a phone. Horizontal coordinates are percentages of the
chart's width, so the SVG stretches to any screen without shrinking its text. In a
right-to-left language the bars grow from the right and the text is anchored there.
Nothing here builds markup: the templates escape every label.
"""

import textwrap
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode

from django.http import QueryDict
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from indh_site.money import format_number, join_items, to_millions

# Row geometry in CSS pixels (a row with a one-line label; each more line adds LINE_HEIGHT).
ROW_HEIGHT = 48
LINE_HEIGHT = 16
LABEL_BASELINE = 15
BAR_TOP = 21
BAR_HEIGHT = 20
VALUE_BASELINE = 14
# Gap between the axis and the start of a label.
LABEL_INSET = 5
# Past this share of the width the value is written inside the bar, where there is room.
VALUE_INSIDE_FROM = Decimal(60)
MIN_BAR = Decimal("0.4")
# A label longer than this wraps to a second line (and is cut after that): fits a phone.
LABEL_LINE_CHARS = 42
LABEL_MAX_LINES = 2
HEAT_LEVELS = 5

MEASURES = ("total_cost", "indh_contribution", "projects")


class Writer:
    """Values and tooltips in the active language, for one chart or table.

    The phrases and the language are looked up once, not for each bar and cell: a dashboard
    writes some 1,500 numbers, and a gettext each was a third of its Python time.
    """

    def __init__(self):
        self.language = get_language()
        self.million_dirhams = _("%(amount)s MDH")
        self.total_cost = _("total cost %(amount)s")
        self.indh = _("INDH %(amount)s")

    def number(self, value, decimals=0):
        return format_number(value, decimals, self.language)

    def mdh(self, value):
        """As money.format_mdh(): ``89,42 MDH``."""
        return self.million_dirhams % {"amount": self.number(to_millions(value), 2)}

    def measure_text(self, measure, value, *, compact=False):
        """A value as people read it: a count, or millions of dirhams (without the unit when compact)."""
        if measure == "projects":
            return self.number(value)
        if compact:
            return self.number(to_millions(value), 2)
        return self.mdh(value)

    def describe(self, label, row):
        """Tooltip and accessible name of a bar or a cell: every figure of the row."""
        parts = [
            ngettext("%(count)s project", "%(count)s projects", row["projects"])
            % {"count": self.number(row["projects"])}
        ]
        if "total_cost" in row:
            parts.append(self.total_cost % {"amount": self.mdh(row["total_cost"])})
        if "indh_contribution" in row:
            parts.append(self.indh % {"amount": self.mdh(row["indh_contribution"])})
        return f"{label}: " + join_items(parts)


def label_lines(label, width=LABEL_LINE_CHARS, max_lines=LABEL_MAX_LINES):
    """A label broken into lines that fit a phone; the full label stays in the tooltip and the table."""
    lines = textwrap.wrap(str(label), width=width, break_long_words=True) or [""]
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][: width - 1].rstrip() + "…"
    return lines


def with_params(params, **changes):
    """``?query`` from ``params`` (a QueryDict) with some parameters replaced or (None) removed.

    Used for every link that narrows or widens the current view: the filter state lives in
    the URL so that any view can be shared.
    """
    # Plain pairs rather than QueryDict.copy() (a deep copy): a dashboard builds hundreds of links.
    kept = params.lists() if isinstance(params, QueryDict) else ()
    pairs = [
        (name, value) for name, values in kept if name != "page" and name not in changes for value in values
    ]
    for name, value in changes.items():
        if value is None:
            continue
        pairs.extend((name, str(v)) for v in (value if isinstance(value, list | tuple) else [value]))
    encoded = urlencode(pairs)
    return f"?{encoded}" if encoded else "?"


def _percent(value):
    return f"{value.quantize(Decimal('0.01'))}%"


@dataclass
class Bar:
    label: str
    lines: list
    value_text: str
    description: str
    href: str | None
    top: int
    bar_x: str
    bar_width: str
    value_x: str
    value_dx: int
    value_anchor: str
    value_inside: bool

    @property
    def height(self):
        return ROW_HEIGHT + LINE_HEIGHT * (len(self.lines) - 1)

    @property
    def label_y(self):
        return self.top + LABEL_BASELINE

    @property
    def bar_y(self):
        return self.top + BAR_TOP + LINE_HEIGHT * (len(self.lines) - 1)

    @property
    def value_y(self):
        return self.bar_y + VALUE_BASELINE


@dataclass
class BarChart:
    bars: list
    rtl: bool
    height: int = field(init=False)

    def __post_init__(self):
        self.height = sum(bar.height for bar in self.bars) or ROW_HEIGHT

    @property
    def direction(self):
        return "rtl" if self.rtl else "ltr"

    @property
    def start_x(self):
        """Where labels start and bars grow from: the left edge, or the right one in RTL."""
        return "100%" if self.rtl else "0"

    @property
    def label_dx(self):
        return -LABEL_INSET if self.rtl else LABEL_INSET

    @property
    def line_height(self):
        return LINE_HEIGHT


def bar_chart(rows, *, measure, rtl, label_of, href_of=None):
    """Bars for breakdown ``rows`` (dicts from the summary) sized by ``measure``.

    ``label_of(row)`` gives the text of a row, ``href_of(row)`` the link to the dashboard
    filtered on it (None for no link).
    """
    largest = max((Decimal(row[measure]) for row in rows), default=Decimal(0))
    writer = Writer()
    bars = []
    top = 0
    for row in rows:
        value = Decimal(row[measure])
        share = value * 100 / largest if largest else Decimal(0)
        share = max(share, MIN_BAR) if value else Decimal(0)
        inside = share >= VALUE_INSIDE_FROM
        if rtl:
            bar_x = 100 - share
            # Outside: just left of the bar's end, growing leftwards. Inside: just right of it.
            value_dx, anchor = (6, "end") if inside else (-6, "start")
        else:
            bar_x = Decimal(0)
            value_dx, anchor = (-6, "end") if inside else (6, "start")
        value_end = bar_x if rtl else share
        label = str(label_of(row))
        bar = Bar(
            label=label,
            lines=label_lines(label),
            value_text=writer.measure_text(measure, row[measure]),
            description=writer.describe(label, row),
            href=href_of(row) if href_of else None,
            top=top,
            bar_x=_percent(bar_x),
            bar_width=_percent(share),
            value_x=_percent(value_end),
            value_dx=value_dx,
            value_anchor=anchor,
            value_inside=inside,
        )
        bars.append(bar)
        top += bar.height
    return BarChart(bars=bars, rtl=rtl)


def keep_largest(rows, *, measure, limit, other_label):
    """The ``limit`` largest rows by ``measure``, the rest folded into one "other" row.

    Keeps a chart readable when there are hundreds of communes; the full list is in the
    CSV. The folded row adds up exact Decimals that SQL already summed.
    """
    ranked = sorted(rows, key=lambda row: Decimal(row[measure]), reverse=True)
    if len(ranked) <= limit:
        return ranked
    kept, rest = ranked[: limit - 1], ranked[limit - 1 :]
    other = {"code": None, "label": other_label % {"count": len(rest)}}
    for key in ("projects", "total_cost", "indh_contribution"):
        other[key] = sum((row[key] for row in rest), start=Decimal(0) if key != "projects" else 0)
    return [*kept, other]


@dataclass
class HeatCell:
    value_text: str
    description: str
    href: str | None
    level: int


def heat_table(by_sector_year, sectors, *, measure, href_of):
    """Sector × year as a table whose cells are shaded by ``measure`` (0 = empty, 1–5).

    Returns ``(years, rows)``: rows are ``(sector_row, [HeatCell | None per year])``.
    """
    years = sorted({row["year"] for row in by_sector_year})
    cells = {(row["code"], row["year"]): row for row in by_sector_year}
    largest = max((Decimal(row[measure]) for row in by_sector_year), default=Decimal(0))
    writer = Writer()
    table = []
    for sector in sectors:
        line = []
        for year in years:
            row = cells.get((sector["code"], year))
            if row is None:
                line.append(None)
                continue
            value = Decimal(row[measure])
            level = int((value * (HEAT_LEVELS - 1) / largest).to_integral_value()) + 1 if largest else 1
            line.append(
                HeatCell(
                    value_text=writer.measure_text(measure, row[measure], compact=True),
                    description=writer.describe(f"{sector['label']} {year}", row),
                    href=href_of(sector, year),
                    level=min(level, HEAT_LEVELS),
                )
            )
        table.append((sector, line))
    return years, table
