"""Table tests for crawler.normalize.dates."""

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from crawler.normalize import dates
from crawler.normalize.dates import DateError, FutureDate, UnparseableDate, normalize_date

NOW = datetime(2024, 6, 15, 12, 0, tzinfo=UTC)

FAST_DATES = [
    # English, day first and month first
    ("23 November 2022", "2022-11-23"),
    ("November 23, 2022", "2022-11-23"),
    ("Nov 23, 2022", "2022-11-23"),
    ("Nov. 23, 2022", "2022-11-23"),
    ("November 23rd, 2022", "2022-11-23"),
    ("23 Nov 2022", "2022-11-23"),
    ("1st December 2022", "2022-12-01"),
    ("Wednesday, 23 November 2022", "2022-11-23"),
    ("Wednesday, November 23, 2022", "2022-11-23"),
    ("Wed 23 Nov 2022", "2022-11-23"),
    ("23 NOVEMBER 2022", "2022-11-23"),
    ("23 september 2022", "2022-09-23"),
    ("5 Sept 2022", "2022-09-05"),
    # numeric, day first
    ("23.11.2022", "2022-11-23"),
    ("1.2.2023", "2023-02-01"),
    ("01.02.2023", "2023-02-01"),
    ("23/11/2022", "2022-11-23"),
    ("1/2/2023", "2023-02-01"),
    # numeric, year first
    ("2022-11-23", "2022-11-23"),
    ("2022/11/23", "2022-11-23"),
    ("2023-2-1", "2023-02-01"),
    # Polish
    ("23 listopada 2022", "2022-11-23"),
    ("23 listopad 2022", "2022-11-23"),
    ("1 stycznia 2023", "2023-01-01"),
    ("15 sierpnia 2022 r.", "2022-08-15"),
    ("3 października 2022", "2022-10-03"),
    ("3 pazdziernika 2022", "2022-10-03"),
    ("środa, 23 listopada 2022", "2022-11-23"),
    # Russian
    ("23 ноября 2022", "2022-11-23"),
    ("23 ноября 2022 г.", "2022-11-23"),
    ("23 НОЯБРЯ 2022 года", "2022-11-23"),
    ("1 марта 2023", "2023-03-01"),
    # German
    ("23. November 2022", "2022-11-23"),
    ("3. März 2023", "2023-03-03"),
    ("3. MÄRZ 2023", "2023-03-03"),
    ("1. Dezember 2022", "2022-12-01"),
    ("Mittwoch, 23. November 2022", "2022-11-23"),
    # French
    ("23 novembre 2022", "2022-11-23"),
    ("1er décembre 2022", "2022-12-01"),
    ("1er decembre 2022", "2022-12-01"),
    ("14 février 2023", "2023-02-14"),
    ("15 août 2022", "2022-08-15"),
    # whitespace and no-break spaces
    ("  23 November 2022\n", "2022-11-23"),
    ("23\u00a0listopada\u00a02022", "2022-11-23"),
    ("\u202f23\u2009ноября\u00a02022 ", "2022-11-23"),
]

FAST_DATETIMES = [
    ("2022-11-23T10:15:00+01:00", "2022-11-23T10:15:00+01:00"),
    ("2022-11-23T10:15:00Z", "2022-11-23T10:15:00+00:00"),
    ("2022-11-23t10:15:00z", "2022-11-23T10:15:00+00:00"),
    ("2022-11-23 10:15", "2022-11-23T10:15:00+00:00"),
    ("2022-11-23T10:15:00.123456+02:00", "2022-11-23T10:15:00+02:00"),
    ("2022-11-23T10:15:00-05:00", "2022-11-23T10:15:00-05:00"),
    ("2022-11-23T10:15:00+0530", "2022-11-23T10:15:00+05:30"),
    ("23 November 2022, 10:15", "2022-11-23T10:15:00+00:00"),
    ("23 November 2022 10:15 +0100", "2022-11-23T10:15:00+01:00"),
    ("November 23, 2022 at 10:15", "2022-11-23T10:15:00+00:00"),
    ("23.11.2022 10:15", "2022-11-23T10:15:00+00:00"),
    ("23.11.2022, 10:15:30", "2022-11-23T10:15:30+00:00"),
    ("Wed, 23 Nov 2022 10:15:00 GMT", "2022-11-23T10:15:00+00:00"),
    ("Wed, 23 Nov 2022 10:15:00 +0000", "2022-11-23T10:15:00+00:00"),
    ("Wed, 23 Nov 2022 10:15:00 -0500", "2022-11-23T10:15:00-05:00"),
    ("23 ноября 2022 г., 10:15", "2022-11-23T10:15:00+00:00"),
    ("23. November 2022 um 10:15", "2022-11-23T10:15:00+00:00"),
]

# forms left to dateparser: Ukrainian, Czech, two-digit years, 12-hour clock, zone names
FALLBACK = [
    ("23 листопада 2022", "2022-11-23"),
    ("12 квітня 2023 р.", "2023-04-12"),
    ("23. listopadu 2022", "2022-11-23"),
    ("1. ledna 2023", "2023-01-01"),
    ("23.11.22", "2022-11-23"),
    ("Nov 23, 2022 10:15 AM", "2022-11-23T10:15:00+00:00"),
    ("Nov 23, 2022 3:05 PM", "2022-11-23T15:05:00+00:00"),
    ("23 Nov 2022 10:15 CET", "2022-11-23T10:15:00+01:00"),
]

UNPARSEABLE = [
    "garbage",
    "not a date at all",
    "2022",
    "November 2022",
    "listopad 2022",
    "11/2022",
    "23 November",
    "yesterday",
    "3 days ago",
    "1669198500",
    "31.02.2023",
    "2022-13-01",  # not reordered to 13 January
    "11/23/2022",  # month-first numbers are rejected, not guessed
    "32 November 2022",
    "23 Nov 2022 25:99",
    "23 Foo 2022",
    "23 November 1850",
    "1850-11-23",
    "12:30",
]


@pytest.mark.parametrize(("text", "expected"), FAST_DATES + FAST_DATETIMES + FALLBACK)
def test_normalize_date(text, expected):
    assert normalize_date(text, now=NOW) == expected


@pytest.mark.parametrize(("text", "expected"), FAST_DATES + FAST_DATETIMES)
def test_common_forms_skip_dateparser(monkeypatch, text, expected):
    def no_fallback(cleaned):
        raise AssertionError(f"{cleaned!r} reached dateparser")

    monkeypatch.setattr(dates, "_parse_fallback", no_fallback)
    dates._parse_cached.cache_clear()
    assert normalize_date(text, now=NOW) == expected


@pytest.mark.parametrize("text", [None, "", "   ", "\u00a0\n\t"])
def test_blank_is_none(text):
    assert normalize_date(text, now=NOW) is None


@pytest.mark.parametrize("text", UNPARSEABLE)
def test_unparseable(text):
    with pytest.raises(UnparseableDate) as info:
        normalize_date(text, now=NOW)
    assert info.value.reason == "unparseable"
    assert info.value.text == text
    assert repr(text) in str(info.value)
    assert isinstance(info.value, DateError)
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    ("text", "accepted"),
    [
        ("2024-06-18", False),  # three days after NOW
        ("18 June 2024", False),
        ("2024-06-17", False),  # two days
        ("2024-06-16", True),  # tomorrow
        ("16 czerwca 2024", True),
        ("2024-06-15", True),  # today
        ("2024-06-16T11:59:00Z", True),  # just under a day ahead
        ("2024-06-16T12:00:00Z", True),  # exactly a day ahead
        ("2024-06-16T12:01:00Z", False),
        ("2024-06-16T13:30:00+02:00", True),  # 11:30 UTC
        ("2024-06-18T09:00:00+02:00", False),
    ],
)
def test_future_dates(text, accepted):
    if accepted:
        assert normalize_date(text, now=NOW) is not None
        return
    with pytest.raises(FutureDate) as info:
        normalize_date(text, now=NOW)
    assert info.value.reason == "future"
    assert repr(text) in str(info.value)


def test_now_defaults_to_current_time():
    today = datetime.now(UTC).date()
    assert normalize_date(today.isoformat()) == today.isoformat()
    with pytest.raises(FutureDate):
        normalize_date((today + timedelta(days=3)).isoformat())


WARSAW = ZoneInfo("Europe/Warsaw")


@pytest.mark.parametrize(
    ("text", "tz", "expected"),
    [
        ("2022-11-23 10:15", WARSAW, "2022-11-23T10:15:00+01:00"),  # winter time
        ("2022-07-01 10:15", WARSAW, "2022-07-01T10:15:00+02:00"),  # summer time
        ("23 listopada 2022, 10:15", WARSAW, "2022-11-23T10:15:00+01:00"),
        ("2022-11-23T10:15:00Z", WARSAW, "2022-11-23T10:15:00+00:00"),  # explicit offset wins
        ("2022-11-23 10:15", timezone(timedelta(hours=-5)), "2022-11-23T10:15:00-05:00"),
        ("2022-11-23", WARSAW, "2022-11-23"),  # a date stays a date
    ],
)
def test_default_tz_applies_to_naive_times(text, tz, expected):
    assert normalize_date(text, now=NOW, default_tz=tz) == expected


def test_naive_now_is_read_in_default_tz():
    naive_now = datetime(2024, 6, 15, 23, 30)
    # 23:30 in Warsaw is 21:30 UTC: 21:00 UTC the next day is within a day ...
    assert normalize_date("2024-06-16T21:00:00Z", now=naive_now, default_tz=WARSAW)
    # ... 22:00 UTC the next day is more than a day ahead (it would pass if read as UTC)
    with pytest.raises(FutureDate):
        normalize_date("2024-06-16T22:00:00Z", now=naive_now, default_tz=WARSAW)


def test_cache_keeps_now_outside():
    text = "2024-06-18"
    with pytest.raises(FutureDate):
        normalize_date(text, now=NOW)
    assert normalize_date(text, now=NOW + timedelta(days=3)) == text
