"""Reading TwiML as Twilio does: typed verbs, defaults, URL resolution, malformed documents."""

from __future__ import annotations

import re

import pytest
from twilio.twiml.voice_response import Connect as ConnectNoun
from twilio.twiml.voice_response import Dial as DialNoun
from twilio.twiml.voice_response import VoiceResponse

from loadtest.twiml_reader import (
    Connect,
    Dial,
    Gather,
    Hangup,
    MalformedTwiML,
    Pause,
    Play,
    Redirect,
    Reject,
    Say,
    parse_twiml,
)

DOC_URL = "https://voice.example.com/api/twilio/voice?leg=1"


def test_a_greeting_document_reads_as_typed_verbs_with_resolved_urls() -> None:
    response = VoiceResponse()
    gather = response.gather(
        input="speech",
        action="turn",
        speech_timeout="auto",
        timeout=4,
        hints="heat pump, furnace",
        action_on_empty_result=True,
    )
    gather.play("/audio/greeting.wav")
    gather.say("How can we help?", voice="Polly.Joanna-Neural")
    response.pause(length=2)
    response.redirect("../status/again", method="GET")
    response.hangup()

    verbs = parse_twiml(str(response), DOC_URL)

    assert verbs == (
        Gather(
            action="https://voice.example.com/api/twilio/turn",
            method="POST",
            input=("speech",),
            speech_timeout="auto",
            timeout=4,
            hints=("heat pump", "furnace"),
            action_on_empty_result=True,
            prompts=(
                Play(url="https://voice.example.com/audio/greeting.wav"),
                Say(text="How can we help?", voice="Polly.Joanna-Neural"),
            ),
        ),
        Pause(length=2),
        Redirect(url="https://voice.example.com/api/status/again", method="GET"),
        Hangup(),
    )


def test_a_gather_without_action_posts_back_to_the_document_url() -> None:
    verbs = parse_twiml(b"<Response><Gather/></Response>", DOC_URL)

    assert verbs == (Gather(action=DOC_URL),)
    assert not verbs[0].listens_for_speech  # type: ignore[union-attr]


def test_dial_reads_numbers_caller_id_and_action() -> None:
    response = VoiceResponse()
    dial = DialNoun(caller_id="+12395550100", action="after-dial", timeout=20)
    dial.number("+12395550111")
    dial.number("+12395550112")
    response.append(dial)
    response.dial("+12395550113")

    verbs = parse_twiml(str(response), DOC_URL)

    assert verbs == (
        Dial(
            numbers=("+12395550111", "+12395550112"),
            caller_id="+12395550100",
            action="https://voice.example.com/api/twilio/after-dial",
            timeout=20,
        ),
        Dial(numbers=("+12395550113",)),
    )


def test_say_keeps_the_words_inside_ssml_and_reject_keeps_its_reason() -> None:
    document = (
        "<Response><Say>We are <emphasis>open</emphasis>\n until 5.</Say>"
        '<Reject reason="busy"/></Response>'
    )

    assert parse_twiml(document, DOC_URL) == (
        Say(text="We are open until 5."),
        Reject(reason="busy"),
    )


def test_connect_is_kept_opaque() -> None:
    response = VoiceResponse()
    connect = ConnectNoun()
    connect.conversation_relay(url="wss://voice.example.com/relay", tts_provider="ElevenLabs")
    response.append(connect)

    (verb,) = parse_twiml(str(response), DOC_URL)

    assert verb == Connect(
        target="ConversationRelay",
        url="wss://voice.example.com/relay",
        attributes={"url": "wss://voice.example.com/relay", "ttsProvider": "ElevenLabs"},
    )


@pytest.mark.parametrize(
    ("document", "complaint"),
    [
        ("Sorry, something went wrong", "not XML"),
        ("<Response><Say>unclosed</Response>", "not XML"),
        ("<Reply><Say>hi</Say></Reply>", "root element is <Reply>"),
        ("<Response><Dance/></Response>", "unknown or unsupported verb <Dance>"),
        ("<Response><Gather><Dial>+1</Dial></Gather></Response>", "cannot be nested in <Gather>"),
        ("<Response><Redirect/></Response>", "<Redirect> has no URL"),
        ("<Response><Play>  </Play></Response>", "<Play> has no URL"),
        ('<Response><Redirect method="PUT">/x</Redirect></Response>', "must be GET or POST"),
        ('<Response><Pause length="two"/></Response>', "not a whole number"),
        ('<Response><Gather actionOnEmptyResult="yes"/></Response>', "must be true or false"),
        ("<Response><Dial/></Response>", "no number to call"),
        ("<Response><Connect/></Response>", "exactly one noun"),
    ],
)
def test_malformed_documents_are_refused_with_a_reason(document: str, complaint: str) -> None:
    with pytest.raises(MalformedTwiML, match=re.escape(complaint)):
        parse_twiml(document, DOC_URL)
