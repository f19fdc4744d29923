"""An entry answers only about the thing the caller asks about (`asked_thing.py`)."""

from __future__ import annotations

from runtime.conversation.asked_thing import asked_things, covers_asked
from runtime.conversation.snapshot import KnowledgeEntry
from runtime.conversation.subject import CompanyVocabulary

DUCTS = KnowledgeEntry("q1", "Do you do duct cleaning?", "Yes, whole-home duct cleaning.",
                       ("duct cleaning", "air ducts"))
FANS = KnowledgeEntry("q2", "Do you install ceiling fans?", "Ceiling fan installation is $189.",
                      ("ceiling fan", "light fixture"))
THERMOSTATS = KnowledgeEntry("q3", "Do you install smart thermostats?",
                             "Yes, we install Nest, Ecobee and Honeywell smart thermostats.",
                             ("thermostat", "Nest", "Ecobee"))
FINANCING = KnowledgeEntry("q4", "Do you offer financing?", "Yes, 0% for 18 months.",
                           ("financing", "payment plan"))
VOCABULARY = CompanyVocabulary(
    [entry.question + " " + entry.answer for entry in (DUCTS, FANS, THERMOSTATS, FINANCING)]
    + ["attic wiring", "new unit", "water heater", "system"])


def test_the_thing_asked_about_is_the_noun_phrase_after_the_asking_verb() -> None:
    assert [thing.words for thing in asked_things("do you clean chimneys and fireplaces")] \
        == [("chimney",), ("fireplac",)]
    assert [thing.words for thing in asked_things("can i get a car loan through you guys")] \
        == [("car", "loan")]
    assert [thing.words for thing in asked_things("whats the cost to replace the ductwork")] \
        == [("ductwork",)]
    assert [thing.words for thing in asked_things("do you have financing options")] \
        == [("financ",)]  # a generic head stands for the word before it
    for nothing in ("what time do you open in the morning", "do you charge more on weekends",
                    "what would it cost to have somebody come out", "are you open today"):
        assert asked_things(nothing) == (), nothing


def test_an_entry_does_not_cover_another_thing_in_its_frame() -> None:
    for question, entry in (("do you clean chimneys and fireplaces", DUCTS),
                            ("whats the cost to replace all the ductwork", DUCTS),
                            ("can i get a car loan through you guys", FINANCING),
                            ("do you install attic fans", FANS),
                            ("are you able to put in attic fans", FANS)):
        assert not covers_asked(question, entry, VOCABULARY), question


def test_an_entry_covers_its_thing_however_it_is_worded_or_misheard() -> None:
    for question, entry in (("do you guys clean air ducts", DUCTS),
                            ("how much to install a ceiling fan in the bedroom", FANS),
                            ("would you be able to hang a ceiling fan", FANS),
                            ("do you install honey well thermostats", THERMOSTATS),
                            ("can you put in a nest thermo stat", THERMOSTATS),
                            ("do you have financing options", FINANCING),
                            ("do you have some kind of financing program", FINANCING),
                            ("can you install smart thermostat equipment", THERMOSTATS),
                            ("can i finance a new unit", FINANCING),
                            ("can you tell me about the duct cleaning", DUCTS)):
        assert covers_asked(question, entry, VOCABULARY), question
