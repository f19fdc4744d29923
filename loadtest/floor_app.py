"""The benchmark floor: the same dialogue work as the runtime, in one process, no Ray, no Redis.

It serves the runtime's Twilio webhook paths with the same signature check, the same
`DialoguePolicy` over the same company snapshots (with the same sentence embedder and
meaning scores: the caller's words are embedded here as in a call actor), the same
provider doubles and the same TwiML rendering; calls live in a dict and synthesized WAVs in
another. Whatever the runtime spends beyond this floor is the price of actors, the
directory, checkpoints and events. `python -m loadtest.floor_app --config FILE --port N`
serves it with uvicorn.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi import Path as PathParam

from runtime.actors.messages import AgentReply, Utterance
from runtime.actors.speech import RenderedSentence, playback_pieces, voice_request
from runtime.conversation import (
    AgentTurn,
    CallContext,
    CompanySnapshot,
    ConversationState,
    DialoguePolicy,
    action_to_dict,
)
from runtime.conversation.company_reading import CompanyReading
from runtime.meaning.entry_vectors import embed_entries
from runtime.meaning.scorer import CatalogVectors, EmbeddingMeaning
from runtime.providers.audio import wav_from_mulaw
from runtime.providers.base import LanguageModel, SpeechSynthesizer, VoiceRequest
from runtime.providers.factory import (
    ProviderConfig,
    build_embedder,
    build_language_model,
    build_synthesizer,
)
from runtime.serve.errors import ApiError, install_error_handlers
from runtime.serve.twilio_auth import twilio_form, verify_signature
from runtime.serve.twiml import CallUrls, empty_twiml, message_twiml, reply_twiml

PREFIX = "/api/twilio"
SPEECH_HINTS = 20
LOST_CALL = "Sorry, we lost track of this call. Please call us back. Goodbye."


@dataclass(frozen=True)
class FloorConfig:
    """What the floor serves: the public URL signatures cover, the token, the companies."""

    public_base_url: str
    twilio_auth_token: str
    snapshots: dict[str, CompanySnapshot]
    providers: ProviderConfig = field(default_factory=lambda: ProviderConfig(mode="doubles"))

    def to_json(self) -> str:
        return json.dumps({
            "public_base_url": self.public_base_url,
            "twilio_auth_token": self.twilio_auth_token,
            "double_profile": self.providers.double_profile,
            "embedder": self.providers.embedder,
            "snapshots": [snapshot.to_dict() for snapshot in self.snapshots.values()],
        })

    @classmethod
    def from_json(cls, text: str) -> FloorConfig:
        data = json.loads(text)
        snapshots = [CompanySnapshot.from_dict(item) for item in data["snapshots"]]
        return cls(
            public_base_url=data["public_base_url"],
            twilio_auth_token=data["twilio_auth_token"],
            snapshots={snapshot.company_id: snapshot for snapshot in snapshots},
            providers=ProviderConfig(mode="doubles", double_profile=data["double_profile"],
                                     embedder=data.get("embedder", "minilm")),
        )


@dataclass
class FloorCall:
    policy: DialoguePolicy
    state: ConversationState
    context: CallContext
    voice: VoiceRequest | None


class FloorAgent:
    """Calls in a dict, audio in a dict: the dialogue work and nothing else."""

    def __init__(self, config: FloorConfig) -> None:
        self.config = config
        self._llm: LanguageModel | None = build_language_model(config.providers)
        self._tts: SpeechSynthesizer | None = build_synthesizer(config.providers)
        self.calls: dict[str, FloorCall] = {}
        self.audio: dict[str, bytes] = {}
        self._phrases: dict[tuple[str, str], bytes] = {}  # greetings: synthesized once
        embedder = build_embedder(config.providers)
        catalog = CatalogVectors.of(embedder)
        # Per company, as a call actor's company view keeps them: the entries' vectors and
        # the policy's reading, built once; each turn embeds the caller's words.
        self._meanings = {company_id: EmbeddingMeaning(
            embedder, embed_entries(embedder, snapshot.knowledge), catalog)
            for company_id, snapshot in config.snapshots.items()}
        self._readings = {company_id: CompanyReading.of(snapshot)
                          for company_id, snapshot in config.snapshots.items()}

    def begin(self, snapshot: CompanySnapshot, params: dict[str, str]) -> AgentTurn:
        call_sid = params["CallSid"]
        ctx = CallContext(call_sid=call_sid, caller_number=params.get("From", ""),
                          called_number=params.get("To", ""), started_at=datetime.now(UTC))
        policy = DialoguePolicy(snapshot, self._llm, meaning=self._meanings[snapshot.company_id],
                                reading=self._readings[snapshot.company_id])
        call = FloorCall(policy, ConversationState.new(), ctx, voice_request(snapshot.voice, None))
        self.calls[call_sid] = call
        return call.policy.greet(call.state, ctx)

    async def reply(self, call: FloorCall, turn: AgentTurn, *, cached: bool = False
                    ) -> AgentReply:
        sentences = [sentence async for sentence in turn.sentences()]
        wavs = await asyncio.gather(*(self._speak(s, call.voice, cached) for s in sentences))
        utterances = self._publish([RenderedSentence(text, wav)
                                    for text, wav in zip(sentences, wavs, strict=True)])
        snapshot = call.policy.snapshot
        return AgentReply(
            call_sid=call.context.call_sid, utterances=tuple(utterances),
            action=action_to_dict(turn.outcome.action), more=False,
            language=snapshot.settings.language,
            speech_hints=(snapshot.company_name, *snapshot.services)[:SPEECH_HINTS],
            tier=str(turn.outcome.tier),
        )

    async def _speak(self, text: str, voice: VoiceRequest | None, cached: bool) -> bytes | None:
        if self._tts is None or voice is None:
            return None
        key = (voice.voice_id, text)
        wav = self._phrases.get(key) if cached else None
        if wav is None:
            wav = wav_from_mulaw(b"".join([chunk async for chunk in self._tts.stream(text, voice)]))
            if cached:
                self._phrases[key] = wav
        return wav

    def _publish(self, spoken: list[RenderedSentence]) -> list[Utterance]:
        """As the runtime does: each run of synthesized sentences is one file, one <Play>."""
        utterances: list[Utterance] = []
        for piece in playback_pieces(spoken):
            token = None
            if piece.wav is not None:
                token = secrets.token_urlsafe(18)
                self.audio[token] = piece.wav
            utterances.append(Utterance(piece.text, token))
        return utterances


def call_urls(public_base_url: str, company_id: str) -> CallUrls:
    base = public_base_url.rstrip("/") + PREFIX
    calls = f"{base}/calls/{company_id}"
    return CallUrls(turn=f"{calls}/turn", resume=f"{calls}/continue", dial=f"{calls}/dial",
                    audio_base=f"{base}/audio")


def xml(document: str) -> Response:
    return Response(content=document, media_type="application/xml")


def create_floor_app(config: FloorConfig) -> FastAPI:
    agent = FloorAgent(config)
    api = FastAPI(title="ClientsVia benchmark floor")
    api.state.agent = agent
    install_error_handlers(api)

    async def verified(request: Request, company_id: str) -> tuple[CompanySnapshot, dict[str, str]]:
        params = await twilio_form(request)
        verify_signature(request, params, config.twilio_auth_token, config.public_base_url)
        snapshot = config.snapshots.get(company_id)
        if snapshot is None:
            raise ApiError(404, "NOT_FOUND", "no such company")
        return snapshot, params

    async def answer(company_id: str, call: FloorCall | None, turn: AgentTurn | None,
                     cached: bool = False) -> Response:
        if call is None or turn is None:
            return xml(message_twiml(LOST_CALL))
        reply = await agent.reply(call, turn, cached=cached)
        return xml(reply_twiml(reply, call_urls(config.public_base_url, company_id)))

    @api.post(PREFIX + "/webhook/{company_id}")
    async def incoming(request: Request, company_id: str = PathParam(max_length=64)) -> Response:
        snapshot, params = await verified(request, company_id)
        turn = agent.begin(snapshot, params)
        return await answer(company_id, agent.calls[params["CallSid"]], turn, cached=True)

    @api.post(PREFIX + "/calls/{company_id}/turn")
    async def turn(request: Request, company_id: str = PathParam(max_length=64)) -> Response:
        _, params = await verified(request, company_id)
        call = agent.calls.get(params.get("CallSid", ""))
        if call is None:
            return await answer(company_id, None, None)
        speech = (params.get("SpeechResult") or "").strip()
        confidence = float(params["Confidence"]) if params.get("Confidence") else None
        agent_turn = (call.policy.respond(call.state, call.context, speech, confidence) if speech
                      else call.policy.on_silence(call.state, call.context))
        return await answer(company_id, call, agent_turn)

    @api.post(PREFIX + "/calls/{company_id}/continue")
    async def resume(request: Request, company_id: str = PathParam(max_length=64)) -> Response:
        await verified(request, company_id)
        return xml(message_twiml(LOST_CALL))  # the floor never streams: nothing to continue

    @api.post(PREFIX + "/calls/{company_id}/dial")
    async def dial(request: Request, company_id: str = PathParam(max_length=64)) -> Response:
        _, params = await verified(request, company_id)
        call = agent.calls.get(params.get("CallSid", ""))
        if call is None:
            return await answer(company_id, None, None)
        status = params.get("DialCallStatus", "failed")
        return await answer(company_id, call,
                            call.policy.after_dial(call.state, call.context, status))

    @api.post(PREFIX + "/status/{company_id}")
    async def status(request: Request, company_id: str = PathParam(max_length=64)) -> Response:
        _, params = await verified(request, company_id)
        if params.get("CallStatus") in {"completed", "busy", "failed", "no-answer", "canceled"}:
            agent.calls.pop(params.get("CallSid", ""), None)
        return xml(empty_twiml())

    @api.get(PREFIX + "/audio/{token}.wav")
    async def audio(token: str = PathParam(max_length=64)) -> Response:
        wav = agent.audio.pop(token, None)  # Twilio fetches each <Play> once
        if wav is None:
            raise ApiError(404, "NOT_FOUND", "no such audio")
        return Response(content=wav, media_type="audio/wav")

    return api


def main(argv: list[str] | None = None) -> None:
    import uvicorn

    parser = argparse.ArgumentParser(prog="python -m loadtest.floor_app", description=__doc__)
    parser.add_argument("--config", type=Path, required=True, help="FloorConfig JSON file")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    app = create_floor_app(FloorConfig.from_json(args.config.read_text()))
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
