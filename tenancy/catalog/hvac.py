"""Heating, ventilation and air conditioning: what callers ask and what is an emergency."""

from __future__ import annotations

from tenancy.catalog.schema import EmergencySignal, TradeCatalog, TradeQnA
from tenancy.models.company import TradeCategory

_GAS_ADVICE = (
    "If you smell gas, please leave the building now, don't flip any switches, and call "
    "911 or your gas utility once you're outside."
)
_CO_ADVICE = (
    "Please get everyone out into fresh air right away and call 911 if anyone feels dizzy, "
    "sick or drowsy."
)
_COLD_ADVICE = (
    "If anyone is struggling with the cold or with their medical equipment, please call 911 "
    "now. Please don't heat the house with the oven or a grill."
)
_HEAT_ADVICE = (
    "If anyone is struggling with the heat or with their medical equipment, please call 911 "
    "now, and move them somewhere cool."
)
_EQUIPMENT_ADVICE = (
    "Please turn the system off at the thermostat and stay clear of it. If you see flames "
    "or smoke is filling the house, get everyone out and call 911."
)

HVAC = TradeCatalog(
    category=TradeCategory.HVAC,
    description="Heating, air conditioning, heat pumps, ventilation and indoor air quality.",
    services=(
        "AC repair",
        "AC installation",
        "Furnace repair",
        "Furnace installation",
        "Heat pump service",
        "Seasonal tune-up",
        "Ductwork repair and cleaning",
        "Thermostat installation",
        "Indoor air quality",
        "Emergency heating and cooling service",
    ),
    qna=(
        TradeQnA(
            "How often should I change my air filter?",
            "Most homes should change a standard filter every one to three months, and "
            "monthly if you have pets or allergies.",
            ("filter", "air filter", "change filter", "replace filter"),
        ),
        TradeQnA(
            "Why is my air conditioner blowing warm air?",
            "Warm air usually means a dirty filter, a tripped breaker for the outdoor unit, "
            "low refrigerant or a failed capacitor. Check the filter and breaker first; if "
            "that doesn't fix it, a technician should take a look.",
            ("warm air", "ac not cooling", "not cold", "blowing hot", "air conditioner"),
        ),
        TradeQnA(
            "How often should my system get a tune-up?",
            "We recommend a tune-up twice a year: the air conditioner in spring and the "
            "furnace or heat pump in fall.",
            ("tune-up", "maintenance", "service check", "inspection", "annual"),
        ),
        TradeQnA(
            "Why won't my furnace turn on?",
            "Check that the thermostat is set to heat and above room temperature, the "
            "furnace switch is on, the breaker isn't tripped and the filter is clean. If it "
            "still won't start, we can send a technician.",
            ("no heat", "won't turn on", "not heating", "furnace won't start"),
        ),
        TradeQnA(
            "How long does an AC unit or furnace last?",
            "An air conditioner typically lasts 12 to 15 years and a furnace 15 to 20 years "
            "with regular maintenance.",
            ("lifespan", "how long last", "how old", "life expectancy"),
        ),
        TradeQnA(
            "Should I repair or replace my system?",
            "If the system is over 12 years old, needs frequent repairs, or a repair costs "
            "more than half of a new unit, replacement usually saves money. A technician can "
            "give you an honest comparison.",
            ("repair or replace", "worth fixing", "worth repairing"),
        ),
        TradeQnA(
            "What thermostat setting saves the most energy?",
            "Around 78 degrees in summer and 68 in winter while you're home, and a few "
            "degrees further when you're away or asleep. A programmable or smart thermostat "
            "does this for you.",
            ("thermostat", "temperature setting", "save energy", "energy bill"),
        ),
        TradeQnA(
            "Why is my AC leaking water?",
            "Water around the indoor unit usually means a clogged condensate drain line or a "
            "frozen coil. Turn the system off and we can clear it for you.",
            ("leaking water", "water leak", "drain line", "puddle", "condensate"),
        ),
        TradeQnA(
            "Why is my outdoor unit or coil frozen?",
            "Ice usually comes from restricted airflow or low refrigerant. Switch the "
            "system to fan only to thaw it and replace the filter; if it freezes again, "
            "call us for a refrigerant check.",
            ("frozen", "ice", "iced up", "frozen coil"),
        ),
        TradeQnA(
            "Do you offer emergency heating and cooling service?",
            "Yes, we take emergency calls after hours for no heat, no cooling in dangerous "
            "heat, gas smells and carbon monoxide alarms.",
            ("emergency service", "after hours", "24/7", "weekend"),
        ),
        TradeQnA(
            "What is a SEER rating?",
            "SEER measures cooling efficiency: the higher the number, the less electricity "
            "the system uses for the same cooling.",
            ("seer", "efficiency", "energy efficient"),
        ),
    ),
    emergencies=(
        EmergencySignal(
            "gas_smell",
            ("smell gas", "smells like gas", "gas smell", "gas leak", "smell of gas",
             "rotten eggs", "leaking gas"),
            advice=_GAS_ADVICE,
        ),
        EmergencySignal(
            "carbon_monoxide",
            ("carbon monoxide", "co alarm", "co detector", "co2 alarm", "monoxide alarm",
             "monoxide detector"),
            advice=_CO_ADVICE,
        ),
        EmergencySignal(
            "no_heat_in_freeze",
            ("no heat", "heat is out", "heat went out", "heat stopped", "furnace stopped",
             "furnace is out", "furnace died", "heater stopped", "heater isnt working",
             "furnace isnt working", "furnace not working", "heat isnt working",
             "heat not working"),
            context=("freezing", "below freezing", "below zero", "pipes are freezing",
                     "frozen pipes", "degrees inside", "snow", "ice storm", "baby",
                     "infant", "elderly"),
            advice=_COLD_ADVICE,
        ),
        EmergencySignal(
            "no_cooling_in_extreme_heat",
            ("no ac", "no a c", "no air conditioning", "ac is out", "ac stopped",
             "ac went out", "ac died", "ac isnt working", "ac not working",
             "air conditioner stopped", "air conditioning stopped",
             "air conditioner isnt working", "air conditioner not working"),
            context=("elderly", "grandmother", "grandfather", "grandma", "grandpa",
                     "senior", "infant", "baby", "heat stroke", "heatstroke",
                     "extreme heat", "over 100", "medical", "oxygen", "disabled"),
            advice=_HEAT_ADVICE,
        ),
        EmergencySignal(
            "burning_smell_from_equipment",
            ("burning smell from the furnace", "furnace is smoking", "smoke from the vent",
             "smoke from the furnace", "smoke coming from the vent", "smoke from the ac"),
            advice=_EQUIPMENT_ADVICE,
        ),
    ),
)
