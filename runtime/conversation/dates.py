"""Reading "when" from a caller: "tomorrow morning", "next Tuesday after 2", "the 15th", "ASAP".

Times of day are read here (dateparser reads a bare "2" as February and knows no
"after"): parts of the day, "after N", "before N", "at N", with bare hours 1 to 6 taken
as afternoon. What is left is handed to `dateparser` for the day, in the company's
timezone, preferring future dates. The result is a `WhenWanted`: a first day and a daily
time range, which the booking flow turns into concrete free slots.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time

import dateparser
from dateparser.search import search_dates

from runtime.conversation.text import find_any, normalize

ASAP_PHRASES = ("as soon as possible", "asap", "a s a p", "soonest", "earliest", "first available",
                "right away", "next available", "soon as you can", "first thing you have")
ANY_TIME_PHRASES = ("whenever", "any time", "anytime", "doesnt matter", "dont care", "any day",
                    "no preference", "flexible")
DAY_PARTS: dict[str, tuple[time, time]] = {
    "morning": (time(8), time(12)),
    "afternoon": (time(12), time(17)),
    "evening": (time(17), time(21)),
    "tonight": (time(17), time(21)),
    "lunch": (time(11), time(14)),
}
_NUMBER_WORDS = {word: n for n, word in enumerate((
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve"))}
_HOUR = r"(\d{1,2}|" + "|".join(_NUMBER_WORDS) + r")(?:[:\s](\d{2}))?\s*(am|pm|a m|p m|oclock)?"
_AFTER = re.compile(rf"\b(?:after|from|not before)\s+{_HOUR}")
_BEFORE = re.compile(rf"\b(?:before|by|until|no later than)\s+{_HOUR}")
_AT = re.compile(
    rf"\b(?:at|around|about)\s+{_HOUR}|\b(\d{{1,2}})(?:[:\s](\d{{2}}))?\s*(am|pm|a m|p m|oclock)\b"
)
_NOON = re.compile(r"\b(before |by |until )?(?:noon|midday)\b")
_ORDINAL = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)\b")
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
           "september", "october", "november", "december", "jan", "feb", "mar", "apr", "jun",
           "jul", "aug", "sep", "sept", "oct", "nov", "dec")

# What dateparser gets to see: it reads "we" as Wednesday and "do" as nothing good.
_DATE_WORDS = frozenset((
    *_MONTHS, "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "today", "tomorrow",
    "tonight", "next", "this", "coming", "week", "weeks", "weekend", "day", "days", "after",
    "in", "of", "the", "a",
))
_ANCHORS = _DATE_WORDS - {"next", "this", "coming", "after", "in", "of", "the", "a", "day"}
_COUNTED = frozenset((*_MONTHS, "in", "days", "weeks"))  # numbers only count next to these
_ARTICLE_UNITS = frozenset(("day", "week", "weekend"))  # "a" counts only as "a week"


def _date_words(text: str) -> str:
    """Only the words that can say a day: "can we do friday" → "friday"."""
    words = [str(_NUMBER_WORDS.get(word, word)) for word in text.split()]
    kept = []
    for index, word in enumerate(words):
        near = {words[i] for i in (index - 1, index + 1) if 0 <= i < len(words)}
        following = words[index + 1] if index + 1 < len(words) else ""
        if word == "a" and following not in _ARTICLE_UNITS:
            continue  # "friday, it's making a loud rattle" is no "friday a" (the 3rd)
        if word in _DATE_WORDS or (word.isdigit() and near & _COUNTED):
            kept.append(word)
    return " ".join(kept)


@dataclass(frozen=True)
class WhenWanted:
    """From `first_day` on, at local times in [earliest, latest); `exact_day` if one was named."""

    first_day: date
    earliest: time | None = None
    latest: time | None = None
    exact_day: bool = False
    asap: bool = False

    def fits(self, start: datetime) -> bool:
        clock = start.time()
        return ((self.earliest is None or clock >= self.earliest)
                and (self.latest is None or clock < self.latest))

    def to_slots(self) -> dict[str, str]:
        """Plain strings under `when.` keys, for `ConversationState.slots`."""
        return {
            "when.first_day": self.first_day.isoformat(),
            "when.earliest": self.earliest.isoformat("minutes") if self.earliest else "",
            "when.latest": self.latest.isoformat("minutes") if self.latest else "",
            "when.exact_day": "1" if self.exact_day else "",
            "when.asap": "1" if self.asap else "",
        }

    @classmethod
    def from_slots(cls, slots: dict[str, str]) -> WhenWanted:
        earliest, latest = slots.get("when.earliest"), slots.get("when.latest")
        return cls(
            date.fromisoformat(slots["when.first_day"]),
            time.fromisoformat(earliest) if earliest else None,
            time.fromisoformat(latest) if latest else None,
            bool(slots.get("when.exact_day")), bool(slots.get("when.asap")),
        )


def _clock(match: re.Match[str], offset: int = 1, *, part: tuple[time, time] | None = None
           ) -> time | None:
    raw, minutes, suffix = match.group(offset), match.group(offset + 1), match.group(offset + 2)
    if raw is None:
        return None
    hour = _NUMBER_WORDS.get(raw) if not raw.isdigit() else int(raw)
    if hour is None or hour > 23 or (minutes is not None and int(minutes) > 59):
        return None
    suffix = (suffix or "").replace(" ", "")
    if suffix == "pm" and hour < 12:
        hour += 12
    elif suffix == "am" and hour == 12:
        hour = 0
    elif suffix in ("", "oclock") and 1 <= hour <= 6 and not (part and part[1] <= time(12)):
        hour += 12  # "after 2" on the phone is the afternoon
    return time(hour, int(minutes or 0))


def _day_of_month(day: int, today: date) -> date | None:
    """The next date (from today) whose day of the month is `day`."""
    year, month = today.year, today.month
    for _ in range(13):
        try:
            candidate = date(year, month, day)
        except ValueError:
            candidate = None
        if candidate is not None and candidate >= today:
            return candidate
        month, year = (1, year + 1) if month == 12 else (month + 1, year)
    return None


def _find_day(text: str, now: datetime) -> date | None:
    ordinal = _ORDINAL.search(text)
    if ordinal and not any(re.search(rf"\b{month}\b", text) for month in _MONTHS):
        return _day_of_month(int(ordinal.group(1)), now.date())
    text = _date_words(_ORDINAL.sub(r"\1", text))
    if not set(text.split()) & _ANCHORS:  # "a" or "the" alone is no day ("book a repair")
        return None
    settings = {"PREFER_DATES_FROM": "future", "RELATIVE_BASE": now.replace(tzinfo=None),
                "RETURN_AS_TIMEZONE_AWARE": False}
    whole = dateparser.parse(text, languages=["en"], settings=settings)  # type: ignore[arg-type]
    if whole is not None:  # "day after tomorrow" as one phrase, not "tomorrow"
        return whole.date()
    found = search_dates(text, languages=["en"], settings=settings)  # type: ignore[arg-type]
    return found[0][1].date() if found else None


def parse_when(utterance: str, now: datetime) -> WhenWanted | None:
    """What the caller asked for, relative to `now` (aware, company local); None if nothing."""
    text = normalize(utterance)
    if find_any(text, ASAP_PHRASES):
        return WhenWanted(now.date(), asap=True)
    part_name = next((name for name in DAY_PARTS if re.search(rf"\b{name}\b", text)), None)
    part = DAY_PARTS[part_name] if part_name else None
    earliest, latest = part if part else (None, None)
    for pattern, bound in ((_AFTER, "earliest"), (_BEFORE, "latest"), (_AT, "at")):
        match = pattern.search(text)
        if match is None:
            continue
        offset = 1 if match.group(1) is not None or bound != "at" else 4
        clock = _clock(match, offset, part=part)
        if clock is None:
            continue
        if bound == "latest":
            latest = clock
        else:
            earliest = clock
        text = text[:match.start()] + " " + text[match.end():]
    noon = _NOON.search(text)
    if noon and noon.group(1):
        latest = time(12)
    elif noon:
        earliest = earliest or time(12)
    if part_name:
        text = re.sub(rf"\b{part_name}\b", " ", text)
    day = _find_day(text, now)
    if day is None and earliest is None and latest is None:
        return WhenWanted(now.date(), asap=True) if find_any(text, ANY_TIME_PHRASES) else None
    if part_name == "tonight" and day is None:
        day = now.date()
    return WhenWanted(day or now.date(), earliest, latest, exact_day=day is not None)


def warm_up() -> None:
    """Load dateparser's language data now (~0.2 s), not during a caller's first "when"."""
    parse_when("next tuesday morning", datetime(2026, 1, 1, 9, 0))
