"""The tenant documents validate what a company admin may type, with messages that help."""

import pytest
from pydantic import ValidationError

from tenancy.models import Company, CompanyProfile, Employee, EmployeeFields, QnAFields


def errors_of(exc: pytest.ExceptionInfo[ValidationError]) -> str:
    return str(exc.value)


def test_a_new_company_gets_working_defaults():
    company = Company(companyName="Atlas Air", tradeCategories=["HVAC", "Plumbing"])
    assert len(company.id) == 24
    assert company.isActive
    assert company.aiSettings.semanticKnowledge.confidenceThreshold == 0.7
    assert company.aiSettings.elevenLabs.modelId == "eleven_flash_v2_5"
    open_days = [h.day for h in company.agentSetup.operatingHours if h.enabled]
    assert open_days == ["monday", "tuesday", "wednesday", "thursday", "friday"]
    assert company.model_dump(by_alias=True)["_id"] == company.id


def test_phone_numbers_are_normalised_to_e164():
    company = CompanyProfile(
        companyName="Atlas Air",
        twilioConfig={"phoneNumbers": [{"phoneNumber": "+1 (239) 555-0100", "isPrimary": True}]},
    )
    assert company.twilioConfig.primary_number() == "+12395550100"


@pytest.mark.parametrize("number", ["2395550100", "+0123", "+1239555010012345678", "call me"])
def test_invalid_phone_numbers_are_refused(number):
    with pytest.raises(ValidationError) as exc:
        EmployeeFields(name="Sam", phone=number)
    assert "E.164" in errors_of(exc)


def test_timezone_must_be_iana():
    with pytest.raises(ValidationError) as exc:
        CompanyProfile(companyName="Atlas Air", timezone="Eastern")
    assert "IANA timezone" in errors_of(exc)


@pytest.mark.parametrize(
    "ai_settings, fragment",
    [
        ({"semanticKnowledge": {"confidenceThreshold": 1.5}}, "less than or equal to 1"),
        ({"elevenLabs": {"stability": -0.1}}, "greater than or equal to 0"),
        ({"personality": "sarcastic"}, "Input should be"),
        ({"model": "gpt-4"}, "Input should be"),
        ({"elevenLabs": {"useOwnApiKey": True}}, "no apiKey is set"),
        ({"temperature": "hot"}, "valid number"),
    ],
)
def test_ai_settings_ranges_and_enums(ai_settings, fragment):
    with pytest.raises(ValidationError) as exc:
        CompanyProfile(companyName="Atlas Air", aiSettings=ai_settings)
    assert fragment in errors_of(exc)


def test_unknown_fields_are_errors_not_silently_dropped():
    with pytest.raises(ValidationError) as exc:
        CompanyProfile(companyName="Atlas Air", aiSetings={})
    assert "aiSetings" in errors_of(exc)


def test_operating_hours_must_make_sense():
    with pytest.raises(ValidationError) as exc:
        CompanyProfile(
            companyName="Atlas Air",
            agentSetup={"operatingHours": [{"day": "monday", "start": "17:00", "end": "09:00"}]},
        )
    assert "must be before end" in errors_of(exc)
    with pytest.raises(ValidationError):
        CompanyProfile(
            companyName="Atlas Air",
            agentSetup={"operatingHours": [{"day": "monday", "start": "9am", "end": "17:00"}]},
        )


def test_duplicate_numbers_and_two_primaries_are_refused():
    duplicate = {"phoneNumbers": [{"phoneNumber": "+12395550100"}, {"phoneNumber": "+12395550100"}]}
    with pytest.raises(ValidationError, match="same number twice"):
        CompanyProfile(companyName="Atlas Air", twilioConfig=duplicate)
    primaries = {"phoneNumbers": [{"phoneNumber": "+12395550100", "isPrimary": True},
                                  {"phoneNumber": "+12395550101", "isPrimary": True}]}
    with pytest.raises(ValidationError, match="only one phone number can be primary"):
        CompanyProfile(companyName="Atlas Air", twilioConfig=primaries)


def test_records_validate_lengths_and_keep_their_flags():
    with pytest.raises(ValidationError):
        QnAFields(question="hi", answer="too short a question")
    qna = QnAFields(question="Do you service heat pumps?", answer="Yes, all major brands.")
    assert qna.isActive
    employee = Employee(name="Maria Lopez", phone="+12395550111", isOnCall=True)
    assert employee.isOnCall and len(employee.id) == 24
