"""What callers of HVAC, plumbing and electrical companies ask, for synthetic call logs.

`KNOWN` questions have answers in a typical knowledge base; `UNKNOWN` ones are the gaps
(several wordings each, so knowledge-gap clustering has near-duplicates to merge).
"""

from __future__ import annotations

TRADES = ("hvac", "plumbing", "electrical")

KNOWN: dict[str, list[tuple[str, str]]] = {
    "hvac": [
        ("How much is a furnace tune-up?", "A furnace tune-up is $89 and takes about an hour."),
        ("Do you service heat pumps?", "Yes, we install and service all major heat pump brands."),
        ("My AC is blowing warm air", "That is often a refrigerant or capacitor issue; "
         "we can send a technician today."),
        ("What are your hours?", "We're open 7am to 6pm Monday to Saturday."),
        ("How often should I change my air filter?", "Every one to three months."),
        ("Do you charge for estimates?", "Estimates for new systems are free."),
    ],
    "plumbing": [
        ("How much to unclog a drain?", "Drain clearing starts at $129."),
        ("Do you replace water heaters?", "Yes, tank and tankless, usually same day."),
        ("My toilet keeps running", "Usually a worn flapper; a visit is $95 plus parts."),
        ("What are your hours?", "We're open 7am to 7pm, with 24/7 emergency service."),
        ("Do you fix leaking faucets?", "Yes, most faucet repairs are done in one visit."),
        ("Is there a trip charge?", "Our trip charge is $59, waived if you book the repair."),
    ],
    "electrical": [
        ("Can you install an EV charger?", "Yes, a Level 2 charger install starts at $650."),
        ("My breaker keeps tripping", "That can mean an overloaded circuit; we can inspect it."),
        ("Do you do panel upgrades?", "Yes, 100 to 200 amp upgrades including permits."),
        ("What are your hours?", "We're open 8am to 5pm weekdays."),
        ("Can you add an outlet in my garage?", "Yes, a new outlet usually takes two hours."),
        ("Are you licensed and insured?", "Yes, fully licensed, bonded and insured."),
    ],
}

UNKNOWN: list[tuple[str, ...]] = [
    (
        "Do you offer financing?",
        "do you offer financing",
        "Do you offer financing options?",
        "do you guys offer financing",
    ),
    (
        "Do you install solar panels?",
        "do you install solar panels",
        "Can you install solar panels?",
    ),
    (
        "Do you work on commercial buildings?",
        "do you work on commercial buildings",
        "Do you do commercial buildings?",
    ),
    (
        "Do you have a senior discount?",
        "do you have a senior discount",
        "Is there a discount for seniors?",
    ),
    ("Can I pay with a check?", "can I pay with a check", "Can I pay by check?"),
    ("Do you service mobile homes?", "do you service mobile homes"),
]

EMERGENCIES = {
    "hvac": "I smell gas near the furnace",
    "plumbing": "My basement is flooding",
    "electrical": "There are sparks coming out of the outlet",
}
PERSON_REQUEST = "Can I talk to a real person?"
GOODBYE = "No that's all, thanks"
BOOKING_REQUEST = "I'd like to schedule a visit"
