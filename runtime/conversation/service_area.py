""""Do you come out to Estero?": answered from the company's own service area.

Callers name their town far more often than they ask "what areas do you serve", and the
town is rarely in the Q&A's question (it is in the company's `serviceArea` and the answer
text). When the caller names a town of the service area and asks about coming, serving
or covering, the agent confirms it from the company document. Town names are compared
without spaces as well, since recognizers split them ("lake wood", "bonita springs"), and
by sound, since they misspell them ("napels", "temp" for Tempe), and by a two-word name's
first word alone ("marco" for Marco Island).
"""

from __future__ import annotations

from collections.abc import Sequence

from runtime.conversation.knowledge import content_words
from runtime.conversation.text import find_any, normalize, sounds_alike

_SHORT_NAME_LETTERS = 5  # a town's first word said alone must be this long to count
_ASKING_ABOUT_AREA = (
    "serve", "service", "cover", "come to", "come out to", "come out", "go to", "go out to",
    "work in", "work out in", "travel to", "area", "do you go", "in your area",
)


def named_town(utterance: str, towns: Sequence[str]) -> str | None:
    """The service-area town the caller asks about, or None."""
    text = normalize(utterance)
    if not towns or find_any(text, _ASKING_ABOUT_AREA) is None:
        return None
    for town in towns:
        name = normalize(town).replace(" ", "")
        if name and _squeezed_word_run(text, name):
            return town
    return next((town for town in towns if _short_name_said(text, town, towns)), None)


def _short_name_said(text: str, town: str, towns: Sequence[str]) -> bool:
    """Callers shorten a two-word town to its first word ("do you go to marco" for Marco
    Island, "bonita" for Bonita Springs). It counts when that word is distinctive (five
    letters or more, the start of no other town), and ends the name the caller said: the
    next word is filler or nothing ("saint louis" is not Saint Paul)."""
    first, *rest = normalize(town).split()
    if not rest or len(first) < _SHORT_NAME_LETTERS or any(
            normalize(other).split()[0] == first for other in towns if other != town):
        return False
    said = text.split()
    return any(word == first and (at + 1 == len(said) or not content_words(said[at + 1]))
               for at, word in enumerate(said))


def _squeezed_word_run(text: str, target: str) -> bool:
    """True when consecutive words of `text` written together are `target` ("lake wood")."""
    words = text.split()
    for start in range(len(words)):
        joined = ""
        for word in words[start:]:
            joined += word
            if joined == target or sounds_alike(joined, target):
                return True
            if len(joined) >= len(target):
                break
    return False


def service_area_answer(town: str, towns: Sequence[str]) -> str:
    others = [name for name in towns if name != town]
    also = f" We also cover {', '.join(others)}." if others else ""
    return f"Yes, we serve {town}.{also}"
