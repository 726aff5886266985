"""Money, dates and flags written the way Amazon and Shopify write them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone


def format_money(minor: int, decimals: int) -> str:
    if decimals == 0:
        return str(minor)
    units, cents = divmod(minor, 100)
    return f"{units}.{cents:02d}"


def amazon_time(moment: datetime | None) -> str:
    return "" if moment is None else moment.astimezone(UTC).isoformat(timespec="seconds")


def amazon_date(moment: datetime | None) -> str:
    return "" if moment is None else moment.astimezone(UTC).date().isoformat()


def _last_sunday(year: int, month: int) -> datetime:
    day = datetime(year, month + 1, 1, 1, tzinfo=UTC) - timedelta(days=1)
    return day - timedelta(days=(day.weekday() + 1) % 7)


def shop_time(moment: datetime | None) -> str:
    """Shopify writes the shop's local time (Europe/Berlin). The EU summer-time rule is fixed, so it is computed
    here instead of relying on a time-zone database that Windows machines may lack."""
    if moment is None:
        return ""
    summer = _last_sunday(moment.year, 3) <= moment < _last_sunday(moment.year, 10)
    local = moment.astimezone(timezone(timedelta(hours=2 if summer else 1)))
    return local.strftime("%Y-%m-%d %H:%M:%S %z")


def yes_no(flag: bool) -> str:
    return "yes" if flag else "no"


def true_false(flag: bool) -> str:
    return "true" if flag else "false"
