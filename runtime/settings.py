"""Runtime configuration, read once from the environment and passed down explicitly.

Every option is documented next to its default. Secrets have no default: `make run`
generates development values under ./var, production sets them for real.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from runtime.node import ServeIngress
from runtime.providers.factory import ProviderConfig


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore", case_sensitive=False)

    # Redis holding tenants, users, call checkpoints and the call-event stream.
    redis_url: str = "redis://127.0.0.1:6379/0"
    # HS256 key for admin API tokens.
    jwt_secret: SecretStr = Field(min_length=16)
    # How long a minted admin token stays valid.
    jwt_ttl_s: int = Field(default=12 * 3600, ge=60)
    # Key from which the at-rest encryption key for tenant secrets is derived.
    clientsvia_secret_key: SecretStr = Field(min_length=16)
    # The URL Twilio calls; webhook signatures are checked against it, never the Host header.
    public_base_url: str = "http://127.0.0.1:8000"
    # Platform Twilio auth token, used for companies that have none of their own.
    twilio_auth_token: SecretStr | None = None
    # Provider keys: with none, the agent answers from knowledge and speaks with <Say>.
    gemini_api_key: SecretStr | None = None
    elevenlabs_api_key: SecretStr | None = None
    # "auto": real clients when keys are set; "doubles": offline doubles (tests, load).
    provider_mode: Literal["auto", "doubles"] = "auto"
    # Latency profile of the doubles: "zero" or "realistic" (LLM TTFT ~375 ms, TTS ~100 ms).
    double_profile: Literal["zero", "realistic"] = "zero"
    # Fault injection for the doubles (tests, chaos runs): "none", "error" or "hang".
    double_llm_failure: Literal["none", "error", "hang"] = "none"
    double_tts_failure: Literal["none", "error", "hang"] = "none"
    # Sentence embeddings for knowledge and hazard matching: "minilm" (the shipped
    # all-MiniLM-L6-v2 ONNX model, loaded at process start) or "hashed-words" (an offline
    # double for tests of the plumbing; it does not understand anything).
    embedding_model: Literal["minilm", "hashed-words"] = "minilm"
    # Name of the call-actor pool (one per deployment; tests run two side by side).
    call_pool_name: str = "clientsvia-call-pool"
    # Where call logs land as Parquet: a folder or an object-store URI (s3://, gs://).
    parquet_root: str = "var/parquet"
    # HTTP bind for Serve.
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    # What answers on the HTTP port (runtime/node.py): "haproxy" (Serve's HAProxy ingress,
    # straight to the replica; fastest) or "proxy" (Serve's Python proxy actor).
    serve_ingress: ServeIngress = "haproxy"
    # With "haproxy": how long a stopping API replica keeps serving while HAProxy drops it.
    serve_drain_s: float = Field(default=5.0, ge=0, le=300)
    # Requests with larger bodies get 413 before they are parsed.
    max_body_bytes: int = Field(default=256 * 1024, ge=1024)
    # Admin API requests per company per minute (webhooks have their own, higher limit).
    api_rate_per_minute: int = Field(default=600, ge=1)
    webhook_rate_per_minute: int = Field(default=3000, ge=1)
    # Serve replicas of the API/webhook deployment, and requests each handles at once.
    api_replicas: int = Field(default=1, ge=1)
    api_max_ongoing_requests: int = Field(default=500, ge=1)
    # Warm pool of idle call actors per node, and how many calls an actor serves before retiring.
    warm_pool_size: int = Field(default=4, ge=0)
    max_concurrent_calls: int = Field(default=300, ge=1)
    actor_max_uses: int = Field(default=200, ge=1)
    # Live calls one call-actor process hosts at once. 1 = one actor process per call (the
    # design's default). Each process costs ~76 MB USS and ~0.8 % of a core while idle and a
    # call only ~2 MB (docs/benchmarks.md), so raise it (e.g. 25-50) to reach 200+ calls per
    # node; warm_pool_size then counts free call slots, and actor_max_uses counts calls served
    # (raise it in proportion: each recycle costs an actor start, ~1.5 s of CPU).
    calls_per_actor: int = Field(default=1, ge=1, le=200)
    # bcrypt cost for user passwords.
    bcrypt_rounds: int = Field(default=12, ge=4, le=16)

    def provider_config(self) -> ProviderConfig:
        """What the provider factory needs: keys, mode and the doubles' behaviour."""
        def secret(value: SecretStr | None) -> str | None:
            return value.get_secret_value() if value is not None else None

        return ProviderConfig(
            gemini_api_key=secret(self.gemini_api_key),
            elevenlabs_api_key=secret(self.elevenlabs_api_key),
            mode=self.provider_mode,
            double_profile=self.double_profile,
            llm_failure=self.double_llm_failure,
            tts_failure=self.double_tts_failure,
            embedder=self.embedding_model,
        )

    def for_deployment(self) -> dict[str, object]:
        """Plain values to hand a Serve deployment (secrets included, never logged)."""
        values = self.model_dump()
        for name, value in values.items():
            if isinstance(value, SecretStr):
                values[name] = value.get_secret_value()
        return values
