""""Do you come out to ...?" answered from the company's service area, and only then."""

from __future__ import annotations

from policy_builders import policy_for, say

from runtime.conversation import Tier
from runtime.conversation.service_area import named_town


async def test_a_town_of_the_service_area_is_confirmed() -> None:
    policy, state, ctx = policy_for()  # serviceArea: Naples, Fort Myers
    outcome = await say(policy, state, ctx, "do you guys come out to fort myers")
    assert outcome.tier == Tier.KNOWLEDGE
    assert outcome.text == "Yes, we serve Fort Myers. We also cover Naples."


async def test_a_town_outside_the_area_or_a_town_merely_mentioned_is_not_confirmed() -> None:
    for utterance in ("do you come out to tampa", "my furnace broke down at my naples house"):
        policy, state, ctx = policy_for()
        outcome = await say(policy, state, ctx, utterance)
        assert "we serve" not in outcome.text.lower(), utterance


def test_town_names_split_by_the_recognizer_are_still_found() -> None:
    towns = ["Lakewood", "Bonita Springs"]
    assert named_town("do you service lake wood", towns) == "Lakewood"
    assert named_town("do you come to bonita springs", towns) == "Bonita Springs"
    assert named_town("do you come to bonitasprings", towns) == "Bonita Springs"
    assert named_town("lakewood", towns) is None  # no question about the area


def test_town_names_the_recognizer_misspelled_are_found_by_sound() -> None:
    towns = ["Naples", "Tempe", "Mesa"]
    assert named_town("do you come to napels", towns) == "Naples"
    assert named_town("do you go out to temp", towns) == "Tempe"
    assert named_town("do you go out to mass", towns) is None  # "MS": too short a key


def test_a_two_word_town_said_by_its_first_word_alone_is_found() -> None:
    towns = ["Marco Island", "Bonita Springs", "Fort Myers", "Saint Paul", "Saint Cloud"]
    assert named_town("do you go to marco", towns) == "Marco Island"
    assert named_town("do you come out to bonita on saturdays", towns) == "Bonita Springs"
    assert named_town("do you go to saint louis", towns) is None  # another name follows
    assert named_town("do you serve fort", towns) is None  # too short to be distinctive
    assert named_town("do you cover saint", towns) is None  # starts two of the towns
