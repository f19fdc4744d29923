"""The brief's Company document ("Core Company Schema") as a company of ours.

Companies moving from the original platform have documents of that shape. Most of it
validates as is (the models accept `"Monday"`, `"en"`, `sentimentTrigger`...); this
module handles what needs a decision: Mongo metadata, `agentClosing` (our `closingLine`),
a recorded greeting (spoken instead, with a warning), a retired Gemini model (the current
default, with a warning), a one-line address (kept, and parsed into `address` when it is
one), and placeholder or empty credentials (dropped, with a warning). Everything else is
left for validation to judge.
"""

from __future__ import annotations

import copy
import re
from datetime import UTC, datetime
from typing import Any

from pydantic import Field, PrivateAttr, model_validator

from tenancy.legacy.address import parse_us_address
from tenancy.models import AI_MODELS, CompanyProfile
from tenancy.models.common import ObjectId

_API_KEY_SID = re.compile(r"^SK[0-9a-fA-F]{32}$")
_MIN_SECRET = 16
_SECRETS = (("twilioConfig", "authToken"), ("twilioConfig", "apiSecret"),
            ("twilioConfig", "apiKey"), ("twilioConfig", "accountSid"),
            ("aiSettings", "elevenLabs", "apiKey"))


def _section(document: dict[str, Any], *path: str) -> dict[str, Any]:
    """The nested object at `path`, or an empty dict that belongs to nobody."""
    node: Any = document
    for part in path:
        node = node.get(part) if isinstance(node, dict) else None
    return node if isinstance(node, dict) else {}


def _drop_empty_secrets(document: dict[str, Any]) -> None:
    """The brief writes `apiKey: ""` for "none"; ours is an absent value."""
    for *parents, name in _SECRETS:
        section = _section(document, *parents)
        if section.get(name) == "":
            del section[name]


def _retire_model(document: dict[str, Any], warnings: list[str]) -> None:
    ai = _section(document, "aiSettings")
    model = ai.get("model")
    if isinstance(model, str) and model not in AI_MODELS and model.startswith("gemini"):
        ai["model"] = AI_MODELS[0]
        warnings.append(f"aiSettings.model {model} is retired; using {AI_MODELS[0]}")


def _drop_placeholder_twilio_keys(document: dict[str, Any], warnings: list[str]) -> None:
    twilio = _section(document, "twilioConfig")
    api_key = twilio.get("apiKey")
    if isinstance(api_key, str) and not _API_KEY_SID.match(api_key):
        del twilio["apiKey"]
        twilio.pop("apiSecret", None)
        warnings.append("twilioConfig.apiKey is not a Twilio API key SID (SK + 32 hex digits): "
                        "apiKey and apiSecret were not kept")
    secret = twilio.get("apiSecret")
    if isinstance(secret, str) and len(secret) < _MIN_SECRET:
        del twilio["apiSecret"]
        warnings.append("twilioConfig.apiSecret is too short to be a Twilio API secret: "
                        "not kept")


def _agent_setup(document: dict[str, Any], warnings: list[str]) -> None:
    """`agentClosing` is our `closingLine`; a recorded greeting becomes a spoken one."""
    setup = _section(document, "agentSetup")
    if "agentClosing" in setup:
        closing = setup.pop("agentClosing")
        setup.setdefault("closingLine", closing)
    kind = setup.get("greetingType")
    if isinstance(kind, str) and kind != "tts":
        setup["greetingType"] = "tts"
        warnings.append(f"agentSetup.greetingType {kind!r}: recorded greetings are not "
                        "carried over; agentGreeting is spoken instead")


def _address(document: dict[str, Any], warnings: list[str]) -> None:
    text = document.get("companyAddress")
    if not isinstance(text, str) or not text.strip() or "address" in document:
        return
    parts = parse_us_address(text)
    if parts is None:
        warnings.append("companyAddress is kept as written; it could not be split into "
                        "street, city, state and ZIP")
    else:
        document["address"] = parts


def _timestamp(value: object) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, str):
        try:
            return _timestamp(datetime.fromisoformat(value.replace("Z", "+00:00")))
        except ValueError:
            return None
    return None


def translate_company(raw: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The document in our field names, and what was changed on the way, for the user."""
    document = copy.deepcopy(raw)
    warnings: list[str] = []
    document.pop("updatedAt", None)
    document.pop("__v", None)
    if "createdAt" in document:
        document["createdAt"] = _timestamp(document["createdAt"])
    if document.pop("isActive", True) is False:
        warnings.append("isActive is false: the company is created active; "
                        "DELETE /api/company/{id} deactivates it")
    _drop_empty_secrets(document)
    _retire_model(document, warnings)
    _drop_placeholder_twilio_keys(document, warnings)
    _agent_setup(document, warnings)
    _address(document, warnings)
    return document, warnings


class CompanyDocument(CompanyProfile):
    """What `POST /api/company` takes: a profile of ours or the brief's Company document.

    `_id` and `createdAt` are kept when given, so a company moved from the original
    platform keeps its id (its records refer to it) and its history.
    """

    id: ObjectId | None = Field(default=None, alias="_id")
    createdAt: datetime | None = None
    _warnings: list[str] = PrivateAttr(default_factory=list)

    @model_validator(mode="wrap")
    @classmethod
    def _from_brief(cls, data: Any, handler: Any) -> CompanyDocument:
        warnings: list[str] = []
        if isinstance(data, dict):
            data, warnings = translate_company(data)
        document: CompanyDocument = handler(data)
        document._warnings = warnings
        return document

    @property
    def warnings(self) -> list[str]:
        return list(self._warnings)

    def profile(self) -> CompanyProfile:
        return CompanyProfile.model_validate(
            self.model_dump(exclude={"id", "createdAt"}, by_alias=True))
