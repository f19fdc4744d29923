"""The demo tenant `make run` creates: Atlas Air, an HVAC and plumbing company in Fort Myers."""

from __future__ import annotations

from tenancy.models import Company, CompanyProfile, EmployeeFields, QnAFields
from tenancy.registry import CompanyRegistry

DEMO_NUMBER = "+12395550100"

DEMO_PROFILE = {
    "companyName": "Atlas Air",
    "companyPhone": "+12395550199",
    "companyEmail": "office@atlasair.example",
    "website": "https://atlasair.example",
    "address": {"street": "2100 Colonial Blvd", "city": "Fort Myers", "state": "FL",
                "postalCode": "33907", "country": "US"},
    "serviceArea": ["Fort Myers", "Cape Coral", "Estero", "Lehigh Acres"],
    "description": "Family-run heating, cooling and plumbing company serving Lee County.",
    "ownerName": "Dana Atlas",
    "tradeCategories": ["HVAC", "Plumbing"],
    "timezone": "America/New_York",
    "twilioConfig": {"phoneNumbers": [
        {"phoneNumber": DEMO_NUMBER, "friendlyName": "Main line", "isPrimary": True}]},
    "agentSetup": {
        "services": ["AC repair", "AC installation", "Heat pump service", "Duct cleaning",
                     "Water heater repair", "Drain cleaning", "Leak detection"],
    },
}

DEMO_KNOWLEDGE = [
    ("What are your hours?",
     "We're open Monday through Friday, 9 a.m. to 5 p.m. Emergencies are answered around the "
     "clock.", ["hours", "open", "close"]),
    ("How much is a service call?",
     "Our diagnostic visit is $89, and it's waived if you go ahead with the repair.",
     ["price", "cost", "service call", "fee", "diagnostic"]),
    ("Do you service heat pumps?",
     "Yes, we repair and maintain all major heat pump brands, including Trane, Carrier and "
     "Lennox.", ["heat pump", "brands"]),
    ("Do you offer maintenance plans?",
     "Yes. The Atlas Comfort Club is $15 a month and includes two tune-ups a year and priority "
     "scheduling.", ["maintenance", "plan", "membership", "tune-up"]),
    ("Which areas do you serve?",
     "We serve Fort Myers, Cape Coral, Estero and Lehigh Acres.",
     ["area", "serve", "location", "cape coral"]),
]

DEMO_EMPLOYEES = [
    {"name": "Maria Lopez", "role": "Lead Technician", "phone": "+12395550111",
     "email": "maria@atlasair.example", "isOnCall": True},
    {"name": "James Carter", "role": "Office Manager", "phone": "+12395550112",
     "email": "james@atlasair.example", "isOnCall": False},
]


async def seed_demo_company(registry: CompanyRegistry) -> Company:
    """Create Atlas Air once; later runs find it by its number and leave it as it is."""
    existing = await registry.company_for_number(DEMO_NUMBER)
    if existing is not None:
        return existing
    company = await registry.create(CompanyProfile.model_validate(DEMO_PROFILE))
    store = registry.tenant(company.id)
    for question, answer, keywords in DEMO_KNOWLEDGE:
        await store.knowledge.add(QnAFields(question=question, answer=answer, keywords=keywords))
    for employee in DEMO_EMPLOYEES:
        await store.employees.add(EmployeeFields.model_validate(employee))
    return company
