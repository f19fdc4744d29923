"""Example sentences of what a caller may want besides an answer, for recognising it by
meaning as well as by phrase (`runtime/conversation/intents.py`, `meaning.py`), and of
questions meant for other kinds of business.

Keyed by intent. A caller's utterance close enough in meaning to one example, and closer
to it than to any knowledge entry, counts as that intent. The examples name no trade,
brand or town: they carry the wish (a person, a call back, the end of the call), not a
topic; a call back by meaning yields to a visit asked for by rule. Visits
are recognised by phrase rules only (`intents.wants_booking`): by meaning, "are you open
on the weekend" is as close to "do you have any openings this week" as real requests are.
"""

from __future__ import annotations

PERSON = "person"
MESSAGE = "message"
GOODBYE = "goodbye"

INTENT_EXAMPLES: dict[str, tuple[str, ...]] = {
    PERSON: (
        "could I get an actual person on the line",
        "I would like to speak with a human, not a computer",
        "is there anybody there I could talk to",
        "put a person on the phone please",
        "I'd rather not talk to a machine",
        "are you a recording, get me someone",
        "let me talk to one of your people",
        "I need to speak with someone in the office",
        "can I get a live agent",
        "I'd prefer a human being over this automated thing",
        "you're a bot, I want a real human",
        "I don't feel right dealing with a computer, give me someone",
        "connect me to whoever is in charge of billing",
        "I want the person who handles the scheduling",
        "who should I talk to about a problem with my account",
        "can you get your manager on the line",
        "is a human available right now",
        "I just need a real person, not a recording",
    ),
    MESSAGE: (
        "can I leave my phone number so someone can call me",
        "please have somebody give me a ring later",
        "I'd like a callback when someone is free",
        "tell them to call me back at this number",
        "could the office phone me back later",
        "just have the owner get back to me",
        "can you pass a message along to the technician",
        "I'll leave my name and number",
        "have someone reach out to me when they can",
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
}

# Questions for some other kind of business: a knowledge entry must fit the caller's words
# better than these do (`meaning.py`), or it is a look-alike ("can you help me with my car
# insurance" is not "Are you licensed and insured?"). Hours and prices of other businesses
# are left out: "what time does the bank open" words the company's own hours question too
# closely; `subject.py` recognises those by who the question is about.
OTHER_BUSINESS_EXAMPLES: tuple[str, ...] = (
    "I have a question about my auto insurance policy",
    "I need to file a claim with my insurance company",
    "my car needs an oil change and new brakes",
    "can you fix my truck's transmission",
    "my phone screen is cracked",
    "my computer won't connect to the internet",
    "I want to check my bank account balance",
    "I need a doctor's appointment",
    "can you recommend a good restaurant",
    "I want to book a flight and a hotel",
    "my washing machine won't spin",
    "the refrigerator stopped keeping food cold",
    "there is black mold growing on the bathroom wall",
    "I need someone to mow my lawn and trim the hedges",
    "we have termites and ants in the house",
    "my roof is missing shingles",
    "can you clean my swimming pool",
    "I need my carpets and windows cleaned",
    "I want to paint the living room",
    "my cable TV and wifi are not working",
    "I'm looking for a job",
    "what's the weather forecast",
    "who won the game last night",
    "I'd like to order a pizza",
)
OTHER_BUSINESS = "other_business"

EXAMPLES_BY_LABEL: dict[str, tuple[str, ...]] = {
    **INTENT_EXAMPLES, OTHER_BUSINESS: OTHER_BUSINESS_EXAMPLES}
