"""What simulated callers say, per trade, and how long a person takes to say it.

Each script is one realistic call: a question the knowledge base or trade catalog should
answer, a pricing question, one nobody wrote down, sometimes an emergency or a request for
a person, and a goodbye. Weights keep emergencies and transfers occasional, as on a real
line. Timing follows people, not machines: a pause to think after the agent finishes,
then speech at about 2.5 words a second; a paced load test waits exactly that long.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from tenancy.models.company import TradeCategory

WORDS_PER_SECOND = 2.5  # conversational English on the phone
THINK_MEDIAN_S = 1.0  # hearing the agent finish → starting to speak
THINK_SPREAD = 0.5  # lognormal sigma: most pauses 0.4-2.5 s
THINK_RANGE_S = (0.3, 4.0)
PACED_TURN_RANGE_S = (3.0, 9.0)  # a paced caller speaks once every 3 to 9 seconds
SPEECH_JITTER = 0.15  # ± share of speaking time: some talk faster than others


@dataclass(frozen=True, slots=True)
class CallerScript:
    """One kind of call for a trade: what is said, in order, and how common it is."""

    trade: TradeCategory
    name: str
    utterances: tuple[str, ...]
    weight: float = 1.0


@dataclass(frozen=True, slots=True)
class CallerTurn:
    """One thing the caller says, with the human time around it."""

    text: str
    think_s: float  # silence after hearing the agent, before speaking
    speech_s: float  # time spent speaking

    @property
    def paced_gap_s(self) -> float:
        """How long a paced caller takes for this turn: thinking plus speaking, 3-9 s."""
        low, high = PACED_TURN_RANGE_S
        return min(max(self.think_s + self.speech_s, low), high)


@dataclass(frozen=True, slots=True)
class SampledCall:
    """A script picked for one call, with the timing of each of its turns."""

    script: CallerScript
    turns: tuple[CallerTurn, ...]

    @property
    def utterances(self) -> list[str]:
        return [turn.text for turn in self.turns]


ScriptSpec = tuple[str, float, tuple[str, ...]]  # name, weight, utterances


def _scripts(trade: TradeCategory, *specs: ScriptSpec) -> tuple[CallerScript, ...]:
    return tuple(CallerScript(trade, name, lines, weight) for name, weight, lines in specs)


SCRIPTS: dict[TradeCategory, tuple[CallerScript, ...]] = {
    TradeCategory.HVAC: _scripts(
        TradeCategory.HVAC,
        ("heat-pump-shopper", 3.0, (
            "Hi, do you service heat pumps?",
            "How much does a tune-up cost?",
            "Do you offer financing on a new system?",
            "Okay great, thanks so much. Bye.",
        )),
        ("warm-air", 3.0, (
            "My air conditioner is blowing warm air.",
            "How much do you charge for a service call?",
            "Can you work on a mini split from the nineteen nineties?",
            "Alright, that's all I needed. Goodbye.",
        )),
        ("filter-and-hours", 2.0, (
            "How often should I change my air filter?",
            "Are you open on Saturdays?",
            "Do you sell humidifiers for the whole house?",
            "Perfect, thank you. Have a good one.",
        )),
        ("gas-smell", 0.5, (
            "I smell gas near my furnace, what should I do?",
            "Yes please, send someone right away.",
            "Thank you, bye.",
        )),
        ("wants-a-person", 1.0, (
            "What does a new furnace cost roughly?",
            "Can I talk to a real person please?",
            "Thanks.",
        )),
    ),
    TradeCategory.PLUMBING: _scripts(
        TradeCategory.PLUMBING,
        ("tankless-shopper", 3.0, (
            "Do you install tankless water heaters?",
            "What's the price range for a tankless install?",
            "Can you also move my washing machine hookups?",
            "Okay, thanks for the help. Bye.",
        )),
        ("running-toilet", 3.0, (
            "My toilet keeps running all night, how do I fix it?",
            "How much would it cost to have someone come fix it?",
            "Do you guys recycle the old fixtures?",
            "Got it, thank you. Goodbye.",
        )),
        ("no-hot-water", 2.0, (
            "Why is there no hot water in my house?",
            "Do you charge extra for weekend visits?",
            "Is the water in my area considered hard water?",
            "That helps, thanks. Bye now.",
        )),
        ("burst-pipe", 0.5, (
            "A pipe burst in my basement and water is everywhere!",
            "Where is the main shut-off valve usually?",
            "Okay, thank you, bye.",
        )),
        ("wants-a-person", 1.0, (
            "How much does it cost to fix a leak?",
            "I'd like to speak to someone in the office please.",
            "Thank you.",
        )),
    ),
    TradeCategory.ELECTRICAL: _scripts(
        TradeCategory.ELECTRICAL,
        ("panel-upgrade", 3.0, (
            "Do I need a panel upgrade for an electric car charger?",
            "How much does a panel upgrade usually cost?",
            "Do you pull the permits with the city yourselves?",
            "Great, thanks, goodbye.",
        )),
        ("tripping-breaker", 3.0, (
            "Why does my breaker keep tripping?",
            "What do you charge for a diagnostic visit?",
            "Can you wire up a hot tub on my deck?",
            "Alright, thanks a lot. Bye.",
        )),
        ("flickering-lights", 2.0, (
            "Why are my lights flickering in the kitchen?",
            "Do you install GFCI outlets in bathrooms?",
            "Do you do smart home lighting setups?",
            "Sounds good, thank you. Bye bye.",
        )),
        ("sparking-outlet", 0.5, (
            "There are sparks coming out of my outlet and it smells like burning!",
            "Yes, please get someone out here.",
            "Thanks, bye.",
        )),
        ("wants-a-person", 1.0, (
            "How much to add a new outlet in the garage?",
            "Can I speak with a person please?",
            "Thank you.",
        )),
    ),
}


def speech_seconds(text: str, rng: random.Random | None = None) -> float:
    """How long saying `text` takes at ~2.5 words a second (jittered when `rng` is given)."""
    seconds = len(text.split()) / WORDS_PER_SECOND
    if rng is not None:
        seconds *= rng.uniform(1 - SPEECH_JITTER, 1 + SPEECH_JITTER)
    return seconds


def think_seconds(rng: random.Random) -> float:
    """A caller's pause before answering: lognormal around a second, clamped to 0.3-4 s."""
    low, high = THINK_RANGE_S
    return min(max(rng.lognormvariate(0.0, THINK_SPREAD) * THINK_MEDIAN_S, low), high)


def sample_call(trade: TradeCategory | str, rng: random.Random) -> SampledCall:
    """Pick a script for `trade` by weight and time each of its turns."""
    scripts = SCRIPTS[TradeCategory(trade)]
    (script,) = rng.choices(scripts, weights=[s.weight for s in scripts])
    turns = tuple(
        CallerTurn(text, think_seconds(rng), speech_seconds(text, rng))
        for text in script.utterances
    )
    return SampledCall(script, turns)
