"""Console: the consent page — the numbers, the opt-in rate per week as a server-drawn chart,
recent withdrawals — and one customer's consent history with its proof.

Who sees what: owners and privacy officers see everything; the marketing role sees the
numbers, the chart and when, where and how people withdrew, but no customer ids and no
customer's history (they send campaigns; the audience export is their door to customers).
Nothing here is personal data (ids, purposes, hashes), and nothing here writes."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from tutela.adapters.web.pages import current_session, no_session, render, store_of, translate
from tutela.core.errors import TutelaError
from tutela.services import consent, consent_stats, sessions

router = APIRouter(prefix="/console", include_in_schema=False)
CONSENT_ROLES = frozenset({"owner", "privacy_officer", "marketing"})
HISTORY_ROLES = frozenset({"owner", "privacy_officer"})  # may see customer ids and histories
WEEKS = consent_stats.DEFAULT_WEEKS
RECENT = 50
# The chart's geometry (SVG user units); colours come from console.css (.series-N).
LEFT, RIGHT, TOP, BOTTOM, PLOT, STEP = 40, 12, 12, 22, 160, 48
COLOURS = 6


@dataclass(frozen=True)
class Point:
    x: int
    y: int
    week: consent_stats.Week


@dataclass(frozen=True)
class Line:
    series: consent_stats.Series
    colour: int
    points: list[Point]  # weeks with a rate
    segments: list[str]  # polyline coordinates, broken where a week has no rate


@dataclass(frozen=True)
class Chart:
    lines: list[Line]
    width: int
    height: int
    left: int  # the plot's left edge (the axis labels are before it)
    grid: list[tuple[int, int]]  # (y, percent)
    labels: list[tuple[int, str]]  # (x, week's MM-DD)

    @property
    def empty(self) -> bool:
        return not any(line.points for line in self.lines)


def rate_chart(stats: consent_stats.ConsentStats) -> Chart:
    """One line per purpose and channel: the opt-in rate at each week's end, 0-100 %."""
    lines = []
    for n, series in enumerate(stats.series):
        points: list[Point] = []
        segments: list[str] = []
        run: list[str] = []
        for i, week in enumerate(series.weeks):
            if week.rate is None:
                segments += [" ".join(run)] if len(run) > 1 else []
                run = []
                continue
            point = Point(x=LEFT + STEP * i + STEP // 2, y=TOP + round(PLOT * (1 - week.rate)), week=week)
            points.append(point)
            run.append(f"{point.x},{point.y}")
        segments += [" ".join(run)] if len(run) > 1 else []
        lines.append(Line(series=series, colour=n % COLOURS, points=points, segments=segments))
    return Chart(
        lines=lines, width=LEFT + STEP * len(stats.weeks) + RIGHT, height=TOP + PLOT + BOTTOM, left=LEFT,
        grid=[(TOP + PLOT * (100 - p) // 100, p) for p in (0, 25, 50, 75, 100)],
        labels=[(LEFT + STEP * i + STEP // 2, monday.strftime("%m-%d")) for i, monday in enumerate(stats.weeks)],
    )  # fmt: skip


def _viewer(request: Request, roles: frozenset[str], refusal: str) -> sessions.Session | Response:
    session = current_session(request)
    if session is None:
        return no_session(request)
    if session.role not in roles:
        return Response(status_code=403, content=translate(request, refusal))
    return session


def _any_viewer(request: Request) -> sessions.Session | Response:
    return _viewer(request, CONSENT_ROLES, "Only owners, privacy officers and marketing may open this page.")


def _officer(request: Request) -> sessions.Session | Response:
    return _viewer(request, HISTORY_ROLES, "Only owners and privacy officers may see a customer's consent history.")


@router.get("/consent", response_class=HTMLResponse)
def consent_page(request: Request) -> Response:
    session = _any_viewer(request)
    if isinstance(session, Response):
        return session
    ctx = store_of(request)
    stats = consent_stats.consent_stats(ctx, weeks=WEEKS)
    return render(request, "consent.html", session=session, stats=stats, chart=rate_chart(stats),
                  withdrawals=consent_stats.recent_withdrawals(ctx, limit=RECENT),
                  with_customers=session.role in HISTORY_ROLES, recent_days=consent_stats.RECENT_DAYS)  # fmt: skip


@router.get("/consent/customers", response_class=HTMLResponse)
def look_up(request: Request, customer_id: str = "") -> Response:
    """The look-up form's target: on to the customer's page."""
    session = _officer(request)
    if isinstance(session, Response):
        return session
    wanted = customer_id.strip()[:64]
    target = f"/console/consent/customers/{quote(wanted, safe='')}" if wanted else "/console/consent"
    return RedirectResponse(target, status_code=303)


@router.get("/consent/customers/{customer_id}", response_class=HTMLResponse)
def customer_history(request: Request, customer_id: str) -> Response:
    session = _officer(request)
    if isinstance(session, Response):
        return session
    try:
        found = consent.history(store_of(request), customer_id)
    except TutelaError as problem:
        response = render(request, "consent_customer.html", session=session, customer_id=customer_id, found=None,
                          error=problem.message)  # fmt: skip
        response.status_code = 410 if problem.code == "customer.erased" else 404
        return response
    # The service's reasons are fixed English sentences: shown in the page's language where known.
    reasons = {key: translate(request, decision["reason"]) for key, decision in found["current"].items()}
    return render(request, "consent_customer.html", session=session, customer_id=customer_id, found=found,
                  reasons=reasons)  # fmt: skip
