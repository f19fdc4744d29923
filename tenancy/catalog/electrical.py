"""Electrical: what callers ask and what is an emergency."""

from __future__ import annotations

from tenancy.catalog.schema import EmergencySignal, TradeCatalog, TradeQnA
from tenancy.models.company import TradeCategory

_SHOCK_ADVICE = (
    "Please stay away from the outlet or panel, and if it's safe to reach, switch off the "
    "main breaker. If you see flames, get out and call 911."
)

ELECTRICAL = TradeCatalog(
    category=TradeCategory.ELECTRICAL,
    description="Wiring, panels, outlets, lighting, generators and EV chargers.",
    services=(
        "Electrical repair",
        "Panel upgrade",
        "Outlet and switch installation",
        "GFCI outlet installation",
        "Lighting installation",
        "Ceiling fan installation",
        "Whole-home surge protection",
        "Generator installation",
        "EV charger installation",
        "Electrical safety inspection",
        "Emergency electrical service",
    ),
    qna=(
        TradeQnA(
            "Why does my breaker keep tripping?",
            "A breaker trips when a circuit is overloaded, shorted or has a ground fault. "
            "Unplug some devices and reset it; if it keeps tripping, an electrician should "
            "find the cause.",
            ("breaker", "tripping", "keeps tripping", "circuit breaker", "tripped"),
        ),
        TradeQnA(
            "Why are my lights flickering?",
            "One flickering bulb is usually a loose bulb or a bad switch. Flickering across "
            "the house can mean a loose connection in the panel, which we should inspect.",
            ("flickering", "lights flicker", "dimming", "lights dim"),
        ),
        TradeQnA(
            "Do I need a panel upgrade?",
            "You may if breakers trip often, the panel is under 100 amps or over 25 years "
            "old, or you're adding an EV charger, heat pump or addition.",
            ("panel upgrade", "electrical panel", "service upgrade", "200 amp", "fuse box"),
        ),
        TradeQnA(
            "What is a GFCI outlet and where do I need one?",
            "A GFCI outlet cuts power when it senses a ground fault, to prevent shocks. "
            "Code requires them in kitchens, bathrooms, garages, laundry areas and outdoors.",
            ("gfci", "ground fault", "bathroom outlet", "reset button"),
        ),
        TradeQnA(
            "Why is my outlet not working?",
            "Check for a tripped GFCI outlet nearby or a tripped breaker. If the outlet is "
            "warm, discolored or buzzing, stop using it and have it checked.",
            ("outlet not working", "dead outlet", "plug not working"),
        ),
        TradeQnA(
            "Can you install an EV charger?",
            "Yes. We install Level 2 chargers, check that your panel can carry the load and "
            "handle the permit.",
            ("ev charger", "electric car", "tesla", "level 2", "car charger"),
        ),
        TradeQnA(
            "Do you install whole-home generators?",
            "Yes. We size and install standby generators with an automatic transfer switch, "
            "so power comes back on its own during an outage.",
            ("generator", "backup power", "standby generator", "power outage"),
        ),
        TradeQnA(
            "Do I need a permit for electrical work?",
            "Most new circuits, panel changes and rewiring need a permit and inspection. We "
            "pull the permit for you.",
            ("permit", "electrical inspection", "building code"),
        ),
        TradeQnA(
            "Why does my outlet or switch feel warm?",
            "A warm outlet or switch usually means a loose connection or an overloaded "
            "circuit, which can start a fire. Stop using it and have it inspected soon.",
            ("warm outlet", "hot outlet", "hot switch", "warm switch"),
        ),
        TradeQnA(
            "Should I get whole-home surge protection?",
            "A surge protector at the panel protects appliances and electronics from "
            "lightning and utility surges; it's a good idea for most homes.",
            ("surge", "surge protection", "lightning", "power surge"),
        ),
    ),
    emergencies=(
        EmergencySignal(
            "sparks_or_smoke",
            ("sparks", "sparking", "smoke from the outlet", "smoke coming from the outlet",
             "outlet is smoking", "panel is smoking", "smoke from the panel",
             "arcing", "outlet caught fire", "electrical fire"),
            advice=_SHOCK_ADVICE,
        ),
        EmergencySignal(
            "burning_smell",
            ("burning smell", "smells like burning", "burning plastic", "smell of burning",
             "melting outlet", "melted outlet", "scorch marks"),
            advice=_SHOCK_ADVICE,
        ),
        EmergencySignal(
            "shock_or_exposed_wires",
            ("got shocked", "getting shocked", "electrocuted", "live wire", "exposed wires",
             "downed power line", "power line down", "wire is down"),
            advice=_SHOCK_ADVICE,
        ),
        EmergencySignal(
            "water_and_electricity",
            ("water in the panel", "water in the outlet", "panel is wet", "outlet is wet"),
            advice=_SHOCK_ADVICE,
        ),
    ),
)
