"""Plumbing: what callers ask and what is an emergency."""

from __future__ import annotations

from tenancy.catalog.schema import EmergencySignal, TradeCatalog, TradeQnA
from tenancy.models.company import TradeCategory

_WATER_ADVICE = (
    "If you can, turn off the main water shut-off valve, usually near the water meter or "
    "where the main line enters the house, and keep away from outlets near the water."
)

PLUMBING = TradeCatalog(
    category=TradeCategory.PLUMBING,
    description="Drains, water lines, water heaters, fixtures and sewer lines.",
    services=(
        "Drain cleaning",
        "Leak detection and repair",
        "Water heater repair",
        "Water heater installation",
        "Tankless water heaters",
        "Toilet repair and installation",
        "Faucet and fixture installation",
        "Sewer line repair",
        "Repiping",
        "Sump pump service",
        "Emergency plumbing",
    ),
    qna=(
        TradeQnA(
            "How do I fix a running toilet?",
            "A running toilet is usually a worn flapper or a fill valve set too high. "
            "Replacing the flapper fixes most of them; we can do it if you'd rather not.",
            ("running toilet", "toilet keeps running", "flapper", "fill valve"),
        ),
        TradeQnA(
            "What should I do about a clogged drain?",
            "Try a plunger or a drain snake, and avoid chemical drain cleaners, which can "
            "damage pipes. If several drains are slow at once, the main line may be clogged "
            "and needs a professional.",
            ("clogged drain", "clog", "slow drain", "backed up sink"),
        ),
        TradeQnA(
            "Why is there no hot water?",
            "Check that the water heater has power or that the pilot light is lit, and that "
            "the breaker hasn't tripped. If it's leaking or still cold, a technician should "
            "inspect it.",
            ("no hot water", "pilot light", "water is cold"),
        ),
        TradeQnA(
            "How long does a water heater last?",
            "A tank water heater lasts about 8 to 12 years and a tankless one up to 20 years "
            "with regular flushing.",
            ("water heater lifespan", "how long", "tankless", "replace water heater"),
        ),
        TradeQnA(
            "Where is my main water shut-off valve?",
            "It's usually where the main line enters the house: in the basement, a utility "
            "room, near the water heater, or outside by the water meter.",
            ("shut off", "shut-off valve", "main valve", "turn off water", "water main"),
        ),
        TradeQnA(
            "Why is my water pressure low?",
            "Low pressure in one faucet is usually a clogged aerator; low pressure "
            "everywhere can be a pressure regulator, a hidden leak or corroded pipes.",
            ("water pressure", "low pressure", "weak flow", "pressure"),
        ),
        TradeQnA(
            "How can I prevent frozen pipes?",
            "Insulate exposed pipes, keep the heat at least at 55 degrees, open cabinet "
            "doors under sinks and let faucets drip on very cold nights.",
            ("frozen pipes", "freeze", "winterize", "prevent freezing"),
        ),
        TradeQnA(
            "How much does it cost to fix a leak?",
            "It depends on where the leak is and how easy it is to reach. A technician "
            "can give you a firm price after a look.",
            ("leak repair", "fix a leak", "leak cost"),
        ),
        TradeQnA(
            "Do you install tankless water heaters?",
            "Yes. A tankless water heater gives endless hot water and saves space; we size "
            "it for your household and check your gas or electrical supply.",
            ("tankless", "on demand", "instant hot water"),
        ),
        TradeQnA(
            "What causes a sewer smell in the house?",
            "Usually a dry drain trap in a rarely used sink or floor drain, or a failed "
            "toilet wax ring. Run water in unused drains; if the smell stays, call us.",
            ("sewer smell", "sewage smell", "bad smell", "drain smell"),
        ),
    ),
    emergencies=(
        EmergencySignal(
            "burst_pipe",
            ("burst pipe", "pipe burst", "pipe broke", "broken pipe", "pipe exploded",
             "water everywhere", "water pouring", "water gushing", "water is spraying"),
            advice=_WATER_ADVICE,
        ),
        EmergencySignal(
            "flooding",
            ("flooding", "flooded", "basement is flooding", "house is flooding",
             "water coming through the ceiling", "water through the ceiling"),
            advice=_WATER_ADVICE,
        ),
        EmergencySignal(
            "sewage_backup",
            ("sewage backup", "sewage backing up", "sewage coming up", "sewer backup",
             "sewer backing up", "sewage in the basement", "sewage overflow"),
            advice="Please stop running water and flushing toilets until we get there, and "
            "keep everyone away from the sewage.",
        ),
        EmergencySignal(
            "water_heater_failure",
            ("water heater is leaking everywhere", "water heater burst",
             "water heater exploded", "water heater is flooding"),
            advice=_WATER_ADVICE,
        ),
        EmergencySignal(
            "gas_smell",
            ("smell gas", "smells like gas", "gas smell", "gas leak", "rotten eggs"),
            advice="If you smell gas, please leave the building now and call 911 or your "
            "gas utility once you're outside.",
        ),
    ),
)
