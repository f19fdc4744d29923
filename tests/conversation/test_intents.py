"""What a caller wants besides an answer, by phrase rule and by meaning (`intents.py`,
`MeaningScores.means`), in wordings the phrase lists do not hold."""

from __future__ import annotations

from policy_builders import OFFICE_HOURS, make_context, make_snapshot, say

from runtime.conversation import ConversationState, DialoguePolicy, Hangup, Tier, Transfer
from runtime.conversation.intents import (
    asks_for_message,
    asks_for_person,
    is_closing,
    is_goodbye,
    wants_booking,
)
from runtime.conversation.meaning import MeaningScores
from tenancy.catalog.intent_examples import GOODBYE, MESSAGE, PERSON


def test_a_visit_asked_for_on_a_day_is_a_booking() -> None:
    for asked in ("could you folks come by on tuesday to look at the furnace",
                  "can somebody swing by tomorrow afternoon",
                  "i want to get my water heater checked next week",
                  "id like to have the ac cleaned sometime soon asap",
                  "i need somebody right away to check my breaker box",
                  "can your crew come out thursday to see the leak",
                  "we need an electrician on saturday"):
        assert wants_booking(asked), asked
    for question in ("are you open tomorrow", "do you charge more on sundays",
                     "how much to get my ac fixed", "can you come out to aurora",
                     "i dont need anyone to come out tomorrow",
                     "i need to know if you are open today"):
        assert not wants_booking(question), question


def test_a_job_to_come_and_look_at_is_a_booking() -> None:
    for asked in ("could you guys come check my furnace",
                  "would someone stop by and have a look at the breaker panel",
                  "can one of your plumbers look at my toilet",
                  "when can you get a tech here", "book me in: set me up with a visit",
                  "do you have anything free on friday for a leaky faucet"):
        assert wants_booking(asked), asked
    for question in ("how much would it cost for someone to come take a look",
                     "can you check if you take credit cards",
                     "do you look at commercial buildings", "is anything open on sunday"):
        assert not wants_booking(question), question


def test_asking_what_a_visit_costs_is_not_a_booking() -> None:
    for question in ("what would it cost to have somebody come out",
                     "how much do you charge to send someone tomorrow"):
        assert not wants_booking(question), question
    assert wants_booking("how much is it if i book a visit for friday")  # named outright


def test_asking_when_the_company_is_free_is_a_booking() -> None:
    for asked in ("what is your earliest available time", "do you have any openings",
                  "whats your availability like", "first open slot you have",
                  "is anybody available thursday morning"):
        assert wants_booking(asked), asked
    assert not wants_booking("is the technician available to answer a question")
    assert not wants_booking("is financing available")


def test_a_long_sign_off_that_asks_nothing_is_a_goodbye() -> None:
    for leaving in ("okay ill try again in the morning thanks bye",
                    "alright i will call you guys back next week when i get paid bye"):
        assert is_goodbye(leaving), leaving
    for asking in ("can you tell me what time you close tomorrow bye",
                   "what do you charge for a service call on the weekend bye",
                   "ill call back tomorrow bye and thanks for all the help today"):
        assert not is_goodbye(asking), asking


def test_a_parting_wish_is_a_goodbye() -> None:
    for done in ("thanks for the info have a great day", "enjoy your weekend"):
        assert is_goodbye(done), done
    assert not is_goodbye("do you have a day rate")


def test_thanks_and_nothing_else_closes_the_call() -> None:
    for done in ("awesome thanks so much take care", "ok cool thank you", "cheers",
                 "thanks a ton"):
        assert is_closing(done), done
        assert not is_goodbye(done)  # mid-booking, "ok thanks" answers a question
    for request in ("can you take care of my ac", "thanks whats your address", "yes thanks"):
        assert not is_closing(request), request


def test_speaking_with_anyone_at_all_is_a_request_for_a_person() -> None:
    for asked in ("could i chat with anybody there", "i want to speak with one of your techs",
                  "i need a real human not a robot"):
        assert asks_for_person(asked), asked
    assert asks_for_person("can i speak with whoever does the billing")
    assert asks_for_person("let me talk to the person who came out last week")
    assert not asks_for_person("i dont want to talk to anyone")


def test_a_call_back_asked_for_in_any_words_is_a_message() -> None:
    for asked in ("have the office ring me back", "could you ask someone to give me a buzz",
                  "tell your manager to phone me", "can i just leave my number",
                  "i want somebody to get back to me today"):
        assert asks_for_message(asked), asked
    for other in ("do you call before you come", "i dont need anyone to call me",
                  "will the technician call me when he is on the way"):
        assert not asks_for_message(other), other


def test_an_intent_by_meaning_must_be_close_and_closer_than_every_entry() -> None:
    assert MeaningScores({"q": 0.3}, intents={PERSON: 0.7, GOODBYE: 0.2}).means(PERSON)
    assert not MeaningScores({"q": 0.3}, intents={PERSON: 0.55}).means(PERSON)
    assert not MeaningScores({"q": 0.75}, intents={PERSON: 0.7}).means(PERSON)
    assert not MeaningScores({}, intents={PERSON: 0.7, GOODBYE: 0.72}).means(PERSON)
    assert not MeaningScores().means(PERSON)


class _Scripted:
    def __init__(self, scores: MeaningScores) -> None:
        self._scores = scores

    def score(self, utterance: str) -> MeaningScores:
        return self._scores


async def test_the_policy_transfers_or_ends_by_meaning() -> None:
    snapshot = make_snapshot()
    for intents, expected in (({PERSON: 0.66}, Transfer), ({GOODBYE: 0.7}, Hangup)):
        scores = MeaningScores({entry.id: 0.2 for entry in snapshot.knowledge}, intents=intents)
        policy = DialoguePolicy(snapshot, None, clock=lambda: OFFICE_HOURS,
                                meaning=_Scripted(scores))
        outcome = await say(policy, ConversationState.new(), make_context(), "mm hmm well")
        assert isinstance(outcome.action, expected), intents
    unsure = MeaningScores({}, intents={PERSON: 0.5})
    policy = DialoguePolicy(snapshot, None, clock=lambda: OFFICE_HOURS, meaning=_Scripted(unsure))
    outcome = await say(policy, ConversationState.new(), make_context(), "mm hmm well")
    assert outcome.tier is Tier.FALLBACK


async def test_the_policy_takes_a_message_by_meaning_unless_a_visit_is_asked_for() -> None:
    snapshot = make_snapshot()
    scores = MeaningScores({entry.id: 0.2 for entry in snapshot.knowledge},
                           intents={MESSAGE: 0.7, PERSON: 0.5})
    for said, tier in (("could i leave my digits for the boss", Tier.MESSAGE),
                       ("can you send a technician out tomorrow morning", Tier.TRANSFER)):
        policy = DialoguePolicy(snapshot, None, clock=lambda: OFFICE_HOURS,
                                meaning=_Scripted(scores))
        outcome = await say(policy, ConversationState.new(), make_context(), said)
        assert outcome.tier is tier, said  # (no booking handler: a visit goes to a person)
