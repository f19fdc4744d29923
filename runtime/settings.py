"""Runtime configuration, read once from the environment and passed down explicitly.

Every option is documented next to its default. Secrets have no default: `make run`
generates development values under ./var, production sets them for real.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from runtime.node import ServeIngress
from runtime.providers.calendar_factory import CalendarConfig
from runtime.providers.factory import ProviderConfig

MIN_JWT_SECRET_BYTES = 32


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore", case_sensitive=False)

    # Redis holding tenants, users, call checkpoints and the call-event stream.
    redis_url: str = "redis://127.0.0.1:6379/0"
    # HS256 key for admin API tokens: at least 32 bytes (RFC 7518 3.2: as long as the hash).
    jwt_secret: SecretStr
    # How long a minted admin token stays valid.
    jwt_ttl_s: int = Field(default=12 * 3600, ge=60)
    # Key from which the at-rest encryption key for tenant secrets is derived.
    clientsvia_secret_key: SecretStr = Field(min_length=16)
    # The URL Twilio calls; webhook signatures are checked against it, never the Host header.
    public_base_url: str = "http://127.0.0.1:8000"
    # Platform Twilio auth token, used for companies that have none of their own.
    twilio_auth_token: SecretStr | None = None
    # Platform Twilio account SID: webhooks for companies without their own account must
    # carry it as AccountSid (unset: only companies' own accountSid is checked).
    twilio_account_sid: str | None = Field(default=None, pattern=r"^AC[0-9a-fA-F]{32}$")
    # Offline Twilio double (PROVIDER_MODE=doubles): the numbers each account SID owns.
    double_twilio_numbers: dict[str, list[str]] = Field(default_factory=dict)
    # Provider keys: with none, the agent answers from knowledge and speaks with <Say>.
    gemini_api_key: SecretStr | None = None
    elevenlabs_api_key: SecretStr | None = None
    # Google OAuth client for companies connecting Google Calendar (redirect URI:
    # PUBLIC_BASE_URL + /api/integrations/google-calendar/callback), and how long a booking
    # waits for the calendar before deciding on the company's own rules.
    google_client_id: str | None = None
    google_client_secret: SecretStr | None = None
    calendar_timeout_s: float = Field(default=2.0, gt=0, le=10)
    # Fault injection for the offline calendar double: "none", "error" or "hang".
    double_calendar_failure: Literal["none", "error", "hang"] = "none"
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
    # Where a node's processes share what each would otherwise compute alike at start (the
    # model's rewritten graph, the catalog's vectors; runtime/node_cache.py): a folder only
    # this user may write (created 0700), "" for $XDG_CACHE_HOME/clientsvia/node-cache
    # (~/.cache/...), or "off" (every process computes its own).
    node_cache_dir: str = ""
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
    # With "haproxy" on a node started here (`clientsvia run`, benchmarks): where HAProxy's
    # stats page and Prometheus exporter listen. Loopback by default; "0.0.0.0" exposes them.
    haproxy_admin_host: str = "127.0.0.1"
    haproxy_stats_port: int = Field(default=8404, ge=1, le=65535)
    haproxy_metrics_port: int = Field(default=9101, ge=1, le=65535)
    # With "haproxy": MB of HAProxy shared memory keeping `<Play>` files it served, so a
    # company's greeting and common answers are fetched from the replica once, not on every
    # call (`runtime.haproxy_edge`); 0 turns it off.
    audio_edge_cache_mb: int = Field(default=32, ge=0, le=4096)
    # With "haproxy": how long a stopping API replica keeps serving while HAProxy drops it.
    serve_drain_s: float = Field(default=5.0, ge=0, le=300)
    # With "haproxy": Serve's per-request HTTP metrics (HAProxy logs each request to Serve's
    # HAProxy manager, which parses it into Ray metrics). Off: HAProxy's own exporter
    # (haproxy_metrics_port) already counts requests and response times per backend.
    serve_request_metrics: bool = False
    # Requests with larger bodies get 413 before they are parsed.
    max_body_bytes: int = Field(default=256 * 1024, ge=1024)
    # Admin API requests, and incoming calls, per company per minute (counted in Redis, shared
    # by every replica). A live call's turns and status callbacks are never limited.
    api_rate_per_minute: int = Field(default=600, ge=1)
    new_call_rate_per_minute: int = Field(default=600, ge=1)
    # Serve replicas of the API/webhook deployment, and requests each handles at once.
    api_replicas: int = Field(default=1, ge=1)
    api_max_ongoing_requests: int = Field(default=500, ge=1)
    # Free call slots the pool keeps ahead of new calls: at least warm_pool_size, more when
    # calls arrive fast (the recent rate times an actor's start time, and a share of the
    # recent peak of concurrent calls), at most warm_pool_max (runtime/actors/pool_sizing).
    warm_pool_size: int = Field(default=50, ge=0)
    warm_pool_max: int = Field(default=100, ge=0)
    max_concurrent_calls: int = Field(default=300, ge=1)
    # One company's concurrent calls (a company may set a lower ceiling of its own); the last
    # 10 % of the pool's slots go only to companies under their fair share of it.
    max_calls_per_company: int = Field(default=100, ge=1)
    # Calls one actor serves before it is retired and replaced (each recycle is an actor
    # start, ~1.4 s and ~1.8 s of CPU, so it grows with calls_per_actor).
    actor_max_uses: int = Field(default=1000, ge=1)
    # Live calls one call-actor process hosts at once, each with its own state, lock and
    # checkpoint. A process costs ~240 MB (the embedding model is ~166 MB of it) and ~1.4 s
    # to start; a call ~2-3 MB: 25 keeps 300 calls in ~12 processes (docs/benchmarks.md).
    # 1 is one process per call (the design's isolation, at 240 MB and a start per call).
    calls_per_actor: int = Field(default=25, ge=1, le=200)
    # Call-event stream (analytics.emitter): past this many undrained entries (~575 B
    # each) emitting is refused, never trimmed away; the LogSink reports lag (log line,
    # metric, /health) past these thresholds.
    call_events_max_backlog: int = Field(default=1_000_000, ge=1000)
    call_events_lag_alarm_entries: int = Field(default=100_000, ge=1)
    call_events_lag_alarm_s: float = Field(default=300.0, gt=0)
    # Analytics (call logs, dashboards) run in the process that answers webhooks: DuckDB
    # and Polars threads and DuckDB memory per replica, queries at once (each on its own
    # thread, the rest wait) and how much nicer those threads run (runtime/serve/analytics_pool);
    # de-duplicated partition days kept in memory per replica (analytics/day_rows; 0: none).
    analytics_threads: int = Field(default=1, ge=1, le=64)
    analytics_memory_mb: int = Field(default=512, ge=64)
    analytics_cache_mb: int = Field(default=256, ge=0)
    analytics_concurrency: int = Field(default=2, ge=1, le=64)
    analytics_nice: int = Field(default=10, ge=0, le=19)
    # bcrypt cost for user passwords.
    bcrypt_rounds: int = Field(default=12, ge=4, le=16)
    # Failed sign-ins allowed per account / per client address (15 min) before lockouts
    # that double with each further failure (2 s up to 15 min); counted in Redis.
    login_free_failures_per_account: int = Field(default=5, ge=1)
    login_free_failures_per_address: int = Field(default=20, ge=1)
    # Header whose last hop is the client address (e.g. X-Forwarded-For), when a load
    # balancer you run sets it; unset: the TCP peer (all clients look alike behind a proxy).
    client_ip_header: str | None = None
    # Console sign-ins (/console): a session ends after this long without a request, and
    # in any case this long after sign-in (tenancy/console_sessions.py).
    console_session_idle_s: int = Field(default=30 * 60, ge=60)
    console_session_absolute_s: int = Field(default=12 * 3600, ge=60)
    # Staff notifications (SMS, email) go out for real only with NOTIFY_MODE=live; the
    # default records what would be sent (runtime/providers/notify_doubles.py).
    notify_mode: Literal["doubles", "live"] = "doubles"
    smtp_host: str | None = None
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_start_tls: bool = True
    notify_from_email: str = "notifications@clientsvia.local"
    notify_max_attempts: int = Field(default=5, ge=1, le=20)
    notify_texts_per_number_per_hour: int = Field(default=30, ge=1)
    notify_texts_per_company_per_hour: int = Field(default=500, ge=1)

    @field_validator("jwt_secret")
    @classmethod
    def _jwt_secret_long_enough(cls, value: SecretStr) -> SecretStr:
        if len(value.get_secret_value().encode()) < MIN_JWT_SECRET_BYTES:
            raise ValueError(f"JWT_SECRET must be at least {MIN_JWT_SECRET_BYTES} bytes; "
                             "generate one with: openssl rand -base64 48")
        return value

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

    def calendar_config(self) -> CalendarConfig:
        secret = self.google_client_secret
        return CalendarConfig(
            mode=self.provider_mode, client_id=self.google_client_id,
            client_secret=secret.get_secret_value() if secret is not None else None,
            public_base_url=self.public_base_url, timeout_s=self.calendar_timeout_s,
            double_failure=self.double_calendar_failure,
        )

    def for_deployment(self) -> dict[str, object]:
        """Plain values to hand a Serve deployment or a Ray actor, secrets left out.

        Ray keeps constructor arguments in its control state (and its tools show them), so
        secrets travel in the environment of every Ray process instead (`start_ray` exports
        them on this machine; on a cluster each `ray start` does). `from_deployment`
        rebuilds the settings from these values plus that environment.
        """
        return {name: value for name, value in self.model_dump().items()
                if name not in SECRET_FIELDS}

    @classmethod
    def from_deployment(cls, values: dict[str, Any]) -> Settings:
        try:
            return cls(**values)
        except ValidationError as exc:
            missing = sorted({str(error["loc"][0]).upper() for error in exc.errors()
                              if error["loc"] and error["loc"][0] in SECRET_FIELDS})
            if not missing:
                raise
            raise RuntimeError(
                f"{', '.join(missing)} must be set in the environment of every Ray process "
                "(secrets never travel as deployment or actor arguments)") from exc

    def secret_environment(self) -> dict[str, str]:
        """The configured secrets as environment variables, for the Ray processes."""
        values = {name: getattr(self, name) for name in SECRET_FIELDS}
        return {name.upper(): value.get_secret_value() for name, value in values.items()
                if value is not None}


SECRET_FIELDS = frozenset(name for name, field in Settings.model_fields.items()
                          if "SecretStr" in str(field.annotation))
