"""Secrets never travel as Ray constructor arguments (issue 13, item 10).

Ray keeps actor and deployment arguments in its control state and shows them in its
tools; the secrets reach Ray processes through their environment instead.
"""

from __future__ import annotations

import pickle

import pytest

from runtime.actors.pool import PoolConfig
from runtime.serve.app import build_app
from runtime.settings import SECRET_FIELDS, Settings

SECRETS = {"jwt_secret": "jwt-secret-value-0123456789abcdef",
           "clientsvia_secret_key": "at-rest-key-value-0123456789abcd",
           "twilio_auth_token": "platform-twilio-token-value-0001",
           "gemini_api_key": "gemini-key-value-0001",
           "elevenlabs_api_key": "elevenlabs-key-value-0001",
           "google_client_secret": "google-client-secret-value-0001",
           "smtp_password": "smtp-password-value-0001"}


def test_every_secret_field_is_known():
    assert set(SECRETS) == SECRET_FIELDS


def test_deployment_and_actor_arguments_carry_no_secret(monkeypatch):
    for name in SECRETS:
        monkeypatch.delenv(name.upper(), raising=False)
    settings = Settings(**SECRETS)
    pool_args = pickle.dumps(PoolConfig.from_settings(settings))
    bound = build_app({**settings.for_deployment(), **SECRETS})._bound_deployment
    app_args = pickle.dumps((bound.init_args, bound.init_kwargs))
    for value in SECRETS.values():
        assert value.encode() not in pool_args and value.encode() not in app_args
    assert settings.secret_environment() == {k.upper(): v for k, v in SECRETS.items()}


def test_a_process_without_the_secrets_says_which_are_missing(monkeypatch):
    for name in SECRETS:
        monkeypatch.delenv(name.upper(), raising=False)
    values = Settings(**SECRETS).for_deployment()
    with pytest.raises(RuntimeError, match="CLIENTSVIA_SECRET_KEY, JWT_SECRET must be set"):
        Settings.from_deployment(values)
    for name, value in SECRETS.items():
        monkeypatch.setenv(name.upper(), value)
    rebuilt = Settings.from_deployment(values)
    assert rebuilt.clientsvia_secret_key.get_secret_value() == SECRETS["clientsvia_secret_key"]
