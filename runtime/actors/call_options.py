"""How long a call actor lets speech and streamed answers take (set per pool)."""

from __future__ import annotations

from dataclasses import dataclass

from runtime.actors.speech import DEFAULT_TTS_TIMEOUT_S


@dataclass(frozen=True)
class CallActorOptions:
    # Longest a single sentence may take to synthesize before it is spoken with <Say>.
    tts_timeout_s: float = DEFAULT_TTS_TIMEOUT_S
    # Longest a webhook waits for the next sentence of a streamed answer before it plays
    # a hold line and comes back (Twilio gives a webhook 15 s).
    answer_wait_s: float = 8.0
