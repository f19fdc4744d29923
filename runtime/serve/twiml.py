"""Every TwiML document the runtime sends, built with the `twilio` library in one place.

An `AgentReply` becomes: its sentences (<Play> of synthesized audio, or <Say> when
there is none) followed by what the agent does next: listen (<Gather>), keep
talking (<Redirect> to the continue URL while the rest of a long answer is
prepared), transfer (<Dial> with an action URL to come back to) or hang up.
"""

from __future__ import annotations

from dataclasses import dataclass

from twilio.twiml.voice_response import Gather, VoiceResponse

from runtime.actors.messages import AgentReply, CallRefused, Utterance

SAY_VOICE = "Polly.Joanna-Neural"  # used whenever a sentence has no synthesized audio
DIAL_TIMEOUT_S = 20


@dataclass(frozen=True)
class CallUrls:
    """Absolute public URLs of one company's call webhooks (Twilio follows them as given)."""

    turn: str
    resume: str
    dial: str
    audio_base: str

    def audio(self, token: str) -> str:
        return f"{self.audio_base}/{token}.wav"


def _speak(target: VoiceResponse | Gather, utterance: Utterance, urls: CallUrls, language: str
           ) -> None:
    if utterance.audio_token:
        target.play(urls.audio(utterance.audio_token))
    elif utterance.text:
        target.say(utterance.text, voice=SAY_VOICE, language=language)


def reply_twiml(reply: AgentReply, urls: CallUrls) -> str:
    response = VoiceResponse()
    action = reply.action.get("type")
    if reply.more:
        for utterance in reply.utterances:
            _speak(response, utterance, urls, reply.language)
        response.redirect(urls.resume, method="POST")
    elif action == "Listen":
        gather = Gather(
            input="speech",
            action=urls.turn,
            method="POST",
            speech_timeout="auto",
            action_on_empty_result=True,
            language=reply.language,
            hints=", ".join(reply.speech_hints) or None,
        )
        for utterance in reply.utterances:
            _speak(gather, utterance, urls, reply.language)
        response.append(gather)
    elif action == "Transfer":
        for utterance in reply.utterances:
            _speak(response, utterance, urls, reply.language)
        response.dial(
            reply.action["number"],
            caller_id=reply.action.get("caller_id") or None,
            action=urls.dial,
            method="POST",
            timeout=DIAL_TIMEOUT_S,
        )
    else:  # TakeMessage and Hangup both end the call once the agent has spoken
        for utterance in reply.utterances:
            _speak(response, utterance, urls, reply.language)
        response.hangup()
    return str(response)


def refused_twiml(refused: CallRefused) -> str:
    """Admission control's answer: never silence; forward when there is somewhere to go."""
    response = VoiceResponse()
    response.say(refused.message, voice=SAY_VOICE, language=refused.language)
    if refused.forward_to:
        response.dial(refused.forward_to, caller_id=refused.caller_id, timeout=DIAL_TIMEOUT_S)
    else:
        response.hangup()
    return str(response)


def message_twiml(message: str, language: str = "en-US") -> str:
    """A polite sentence and a hang-up (unknown number, inactive company, lost call)."""
    response = VoiceResponse()
    response.say(message, voice=SAY_VOICE, language=language)
    response.hangup()
    return str(response)


def empty_twiml() -> str:
    return str(VoiceResponse())
