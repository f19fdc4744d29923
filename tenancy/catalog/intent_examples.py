"""Example sentences of what a caller may want besides an answer, for recognising it by
meaning as well as by phrase (`runtime/conversation/intents.py`, `meaning.py`).

Keyed by intent. A caller's utterance close enough in meaning to one example, and closer
to it than to any knowledge entry, counts as that intent. The examples name no trade,
brand or town: they carry the wish (a person, the end of the call, a visit), not a topic.
"""

from __future__ import annotations

PERSON = "person"
GOODBYE = "goodbye"
VISIT = "visit"

INTENT_EXAMPLES: dict[str, tuple[str, ...]] = {
    PERSON: (
        "can I talk to a real person",
        "I want to speak with a human being",
        "is there anybody there I could talk to",
        "put a person on the phone please",
        "I'd rather not talk to a machine",
        "are you a recording, get me someone",
        "let me talk to one of your people",
        "I need to speak with someone in the office",
    ),
    GOODBYE: (
        "okay thanks, bye",
        "that's all I needed, have a good one",
        "alright thank you so much, goodbye",
        "perfect, thanks for your help",
        "I'll let you go now, thanks",
        "cool, talk to you later",
        "appreciate it, see you",
    ),
    VISIT: (
        "I'd like to set up a time for a technician to come by",
        "when can you send somebody to my house",
        "what's the soonest you could get someone out here",
        "do you have any openings this week",
        "can I get on your schedule for tomorrow",
        "I need a service visit for my system",
        "could a technician stop by on Monday to take a look",
        "what days are available for a repair",
    ),
}
