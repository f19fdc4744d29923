"""Reading "when" in the company's timezone; base Thursday 3 December 2026, 10:00 New York."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from runtime.conversation.dates import WhenWanted, parse_when

NOW = datetime(2026, 12, 3, 10, 0, tzinfo=ZoneInfo("America/New_York"))
MORNING, AFTERNOON = (time(8), time(12)), (time(12), time(17))


@pytest.mark.parametrize("phrase, day, earliest, latest", [
    ("tomorrow morning", date(2026, 12, 4), *MORNING),
    ("next Tuesday after 2", date(2026, 12, 8), time(14), None),
    ("next tuesday at 2:30 p.m.", date(2026, 12, 8), time(14, 30), None),
    ("the 15th", date(2026, 12, 15), None, None),
    ("the 2nd", date(2027, 1, 2), None, None),  # dateparser alone says 3 February
    ("Tuesday the 8th", date(2026, 12, 8), None, None),
    ("December 15th at 10 am", date(2026, 12, 15), time(10), None),
    ("friday afternoon", date(2026, 12, 4), *AFTERNOON),
    ("can we do friday", date(2026, 12, 4), None, None),  # not "we" = Wednesday
    ("monday before noon", date(2026, 12, 7), None, time(12)),
    ("tomorrow at 3", date(2026, 12, 4), time(15), None),
    ("after 4 tomorrow", date(2026, 12, 4), time(16), None),
    ("in two days", date(2026, 12, 5), None, None),
    ("the day after tomorrow in the afternoon", date(2026, 12, 5), *AFTERNOON),
    ("the morning of the 10th", date(2026, 12, 10), *MORNING),
    ("sometime next week", date(2026, 12, 10), None, None),
    # a whole sentence dateparser cannot place (it says "a year from now"): the day in it
    ("I'd like to book someone to fix my heater on Friday afternoon, it's making a loud rattle",
     date(2026, 12, 4), *AFTERNOON),
])
def test_phrases_become_a_day_and_a_daily_range(phrase, day, earliest, latest):
    wanted = parse_when(phrase, NOW)
    assert wanted is not None
    assert (wanted.first_day, wanted.earliest, wanted.latest) == (day, earliest, latest)
    assert wanted.exact_day


@pytest.mark.parametrize("phrase", ["as soon as possible", "ASAP please", "whenever",
                                    "the earliest you have", "first available"])
def test_as_soon_as_possible_means_from_now(phrase):
    assert parse_when(phrase, NOW) == WhenWanted(NOW.date(), asap=True)


@pytest.mark.parametrize("phrase", ["yes", "12 Palm Ave", "the first one", "no, a different one",
                                    "my AC is broken", "at 25"])
def test_words_that_say_no_time_are_none(phrase):
    assert parse_when(phrase, NOW) is None


def test_a_bare_hour_is_the_afternoon_unless_a_morning_is_asked():
    assert parse_when("at 2", NOW).earliest == time(14)
    assert parse_when("tomorrow morning at 9", NOW).earliest == time(9)
    assert parse_when("at 9", NOW).earliest == time(9)


def test_a_range_survives_the_checkpoint_round_trip():
    wanted = parse_when("next Tuesday after 2", NOW)
    assert WhenWanted.from_slots({**wanted.to_slots(), "name": "Pat"}) == wanted
    assert wanted.fits(datetime(2026, 12, 8, 14, 0)) and not wanted.fits(datetime(2026, 12, 8, 9))
