"""Normalize publication dates from text exports and web pages to ISO 8601 strings."""

from __future__ import annotations

import functools
import re
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo

MIN_YEAR = 1900
FUTURE_TOLERANCE = timedelta(days=1)
FALLBACK_LANGUAGES = ("en", "pl", "ru", "de", "fr", "uk", "cs")

_MONTH_NAMES = {
    1: "january jan januar janvier stycznia styczeń styczen январь января янв",
    2: "february feb februar février fevrier lutego luty февраль февраля фев",
    3: "march mar märz maerz mär mars marca marzec март марта",
    4: "april apr avril kwietnia kwiecień kwiecien апрель апреля апр",
    5: "may mai maja maj май мая",
    6: "june jun juni juin czerwca czerwiec июнь июня",
    7: "july jul juli juillet lipca lipiec июль июля",
    8: "august aug août aout sierpnia sierpień sierpien август августа авг",
    9: "september sep sept septembre września wrzesnia wrzesień wrzesien сентябрь сентября сен",
    10: "october oct oktober okt octobre października pazdziernika październik "
    "pazdziernik октябрь октября окт",
    11: "november nov novembre listopada listopad ноябрь ноября ноя",
    12: "december dec dezember dez décembre decembre grudnia grudzień grudzien декабрь декабря дек",
}
MONTHS = {name: num for num, names in _MONTH_NAMES.items() for name in names.split()}

_CLOCK = (
    r"(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:[.,]\d+)?)?"
    r"\s*(?P<tz>z|utc|gmt|[+-]\d{2}(?::?\d{2})?)?"
)
_TIME = r"(?:[\s,]+(?:(?:at|um|à|o|в)\s+)?" + _CLOCK + ")?"
_ISO_TIME = r"(?:(?:t|\s+)" + _CLOCK + ")?"
_WEEKDAY = r"(?:[^\W\d_]+\.?,?\s+)?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th|er|re)?\.?"
_MONTH_NAME = r"(?P<mname>[^\W\d_]+)\.?"
_YEAR = r"(?P<year>\d{4})"
_YEAR_SUFFIX = r"(?:\s*(?:г|р|r|года|року|roku)\.?)?"
_FAST_PATTERNS = tuple(
    re.compile(pattern + "$")
    for pattern in (
        _YEAR + r"[-/](?P<month>\d{1,2})[-/](?P<day>\d{1,2})" + _ISO_TIME,
        r"(?P<day>\d{1,2})[./](?P<month>\d{1,2})[./]" + _YEAR + _TIME,
        _WEEKDAY + _DAY + r"\s*" + _MONTH_NAME + r",?\s+" + _YEAR + _YEAR_SUFFIX + _TIME,
        _WEEKDAY + _MONTH_NAME + r"\s+" + _DAY + r",?\s+" + _YEAR + _TIME,
    )
)
_HAS_TIME = re.compile(r"\d{1,2}:\d{2}")
_SPACES = re.compile(r"\s+")


class DateError(ValueError):
    """A date string that cannot be accepted; `reason` is a short stats key."""

    reason = "invalid"

    def __init__(self, text: str, message: str) -> None:
        super().__init__(message)
        self.text = text


class UnparseableDate(DateError):
    """Nothing plausible (day, month and year from 1900 on) could be parsed."""

    reason = "unparseable"

    def __init__(self, text: str) -> None:
        super().__init__(text, f"unparseable date: {text!r}")


class FutureDate(DateError):
    """The parsed date lies more than one day after `now`."""

    reason = "future"

    def __init__(self, text: str, parsed: str, now: datetime) -> None:
        super().__init__(text, f"date {text!r} ({parsed}) is in the future (now {now.isoformat()})")


def normalize_date(
    text: str | None, *, now: datetime | None = None, default_tz: tzinfo = UTC
) -> str | None:
    """Return `text` as `YYYY-MM-DD`, or `YYYY-MM-DDTHH:MM:SS+HH:MM` when it carries a time.

    Blank input gives None. A time without an offset is taken in `default_tz`, as is a
    naive `now` (default: the current UTC time). Raises UnparseableDate or FutureDate.
    """
    if text is None or not text.strip():
        return None
    value = _parse_cached(text)
    if value is None:
        raise UnparseableDate(text)
    now = datetime.now(UTC) if now is None else now
    if now.tzinfo is None:
        now = now.replace(tzinfo=default_tz)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=default_tz)
        is_future = value - now > FUTURE_TOLERANCE
        iso = value.replace(microsecond=0).isoformat()
    else:
        is_future = value - now.date() > FUTURE_TOLERANCE
        iso = value.isoformat()
    if is_future:
        raise FutureDate(text, iso, now)
    return iso


@functools.lru_cache(maxsize=16384)
def _parse_cached(text: str) -> date | datetime | None:
    """Parse `text` to a date, or a (possibly naive) datetime when it names a time; else None.

    Failures are cached too, and relative expressions ("yesterday") are never accepted, so
    the result depends on the text alone and `now` stays outside the cache.
    """
    cleaned = _SPACES.sub(" ", text).strip().lower()
    match = _match_fast(cleaned)
    value = _parse_fallback(cleaned) if match is None else _from_match(match)
    if value is None or value.year < MIN_YEAR:
        return None
    return value


def _match_fast(text: str) -> re.Match[str] | None:
    """Match the common numeric, `D Month YYYY` and `Month D, YYYY` forms (lowercased).

    A match whose month word is not in the table (Ukrainian, Czech, ...) does not count.
    """
    for pattern in _FAST_PATTERNS:
        match = pattern.match(text)
        if match and not _has_unknown_month(match):
            return match
    return None


def _has_unknown_month(match: re.Match[str]) -> bool:
    """Tell whether a matched month word is missing from the table (Ukrainian, Czech, ...)."""
    name = match.groupdict().get("mname")
    return name is not None and name not in MONTHS


def _from_match(match: re.Match[str]) -> date | datetime | None:
    """Build a date or datetime from a fast-path match; None if a field is out of range.

    Out-of-range numbers are not handed to dateparser, which would silently reorder them
    (`2022-13-01` as 13 January, `11/23/2022` as month first).
    """
    parts = match.groupdict()
    month = MONTHS[parts["mname"]] if parts.get("mname") else int(parts["month"])
    try:
        day = date(int(parts["year"]), month, int(parts["day"]))
        if parts["hour"] is None:
            return day
        return datetime(
            day.year,
            day.month,
            day.day,
            int(parts["hour"]),
            int(parts["minute"]),
            int(parts["second"] or 0),
            tzinfo=_offset(parts["tz"]),
        )
    except ValueError:
        return None


def _offset(tz: str | None) -> tzinfo | None:
    """Turn `z`, `utc`, `gmt`, `+01`, `+0100` or `+01:00` into a fixed offset."""
    if tz is None:
        return None
    if tz in ("z", "utc", "gmt"):
        return UTC
    digits = tz[1:].replace(":", "")
    minutes = int(digits[:2]) * 60 + int(digits[2:] or 0)
    return timezone(timedelta(minutes=-minutes if tz[0] == "-" else minutes))


def _parse_fallback(text: str) -> date | datetime | None:
    """Parse anything else with dateparser (absolute dates only, day-first, fixed languages)."""
    parsed = _dateparser().get_date_data(text).date_obj
    if parsed is None:
        return None
    if not _HAS_TIME.search(text):
        return parsed.date()
    return parsed.replace(tzinfo=_fixed(parsed)) if parsed.tzinfo else parsed


def _fixed(value: datetime) -> tzinfo:
    """Replace dateparser's pytz-style zone with a plain fixed offset."""
    offset = value.utcoffset()
    return UTC if not offset else timezone(offset)


@functools.cache
def _dateparser():
    """Build the fallback dateparser once, on first use (construction is slow)."""
    from dateparser.date import DateDataParser

    return DateDataParser(
        languages=list(FALLBACK_LANGUAGES),
        settings={
            "DATE_ORDER": "DMY",
            "REQUIRE_PARTS": ["day", "month", "year"],
            "PARSERS": ["absolute-time"],
        },
    )
