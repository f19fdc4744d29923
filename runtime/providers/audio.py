"""Telephone audio: G.711 μ-law samples and the WAV files Twilio's `<Play>` downloads.

Twilio plays WAV μ-law 8 kHz without transcoding (mp3 inside a `<Gather>` is slow), and
ElevenLabs' `ulaw_8000` output is exactly those samples, so wrapping is a header and no
re-encoding.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Sequence

from runtime.providers.base import SpeechSynthesizer, VoiceRequest

SAMPLE_RATE = 8000
FRAME_BYTES = 160  # 20 ms of μ-law at 8 kHz: the unit Twilio Media Streams work in
MULAW_SILENCE = 0xFF
WAVE_FORMAT_MULAW = 7

_MULAW_BIAS = 0x84
_MULAW_CLIP = 8159


def mulaw_encode_sample(sample: int) -> int:
    """One 16-bit linear PCM sample to its G.711 μ-law byte (the ITU reference algorithm)."""
    value = sample >> 2  # the reference works on 14-bit samples
    mask = 0x7F if value < 0 else 0xFF
    value = min(abs(value), _MULAW_CLIP) + (_MULAW_BIAS >> 2)
    segment = max(value.bit_length() - 6, 0)
    if segment >= 8:
        return 0x7F ^ mask
    return ((segment << 4) | ((value >> (segment + 1)) & 0x0F)) ^ mask


def mulaw_decode_sample(byte: int) -> int:
    """One G.711 μ-law byte to 16-bit linear PCM."""
    byte = ~byte & 0xFF
    magnitude = (((byte & 0x0F) << 3) + _MULAW_BIAS) << ((byte >> 4) & 0x07)
    return _MULAW_BIAS - magnitude if byte & 0x80 else magnitude - _MULAW_BIAS


def mulaw_encode(samples: Iterable[int]) -> bytes:
    return bytes(mulaw_encode_sample(s) for s in samples)


def _riff_chunk(chunk_id: bytes, payload: bytes) -> bytes:
    """id, little-endian size, payload, and a pad byte when the size is odd."""
    pad = b"\x00" if len(payload) % 2 else b""
    return chunk_id + struct.pack("<I", len(payload)) + payload + pad


def wav_from_mulaw(ulaw: bytes) -> bytes:
    """A RIFF/WAVE file (format 7, μ-law, 8 kHz, mono, 8-bit) holding `ulaw` as its data."""
    # Non-PCM formats carry cbSize (a WAVEFORMATEX of 18 bytes) and a `fact` chunk
    # with the number of samples per channel.
    fmt = struct.pack("<HHIIHHH", WAVE_FORMAT_MULAW, 1, SAMPLE_RATE, SAMPLE_RATE, 1, 8, 0)
    fact = struct.pack("<I", len(ulaw))
    body = (
        b"WAVE"
        + _riff_chunk(b"fmt ", fmt)
        + _riff_chunk(b"fact", fact)
        + _riff_chunk(b"data", ulaw)
    )
    return b"RIFF" + struct.pack("<I", len(body)) + body


def is_wav(data: bytes) -> bool:
    """Does `data` start like a RIFF/WAVE file?"""
    return len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WAVE"


def _data_chunk(wav: bytes) -> bytes:
    offset = 12
    while offset + 8 <= len(wav):
        chunk_id, size = wav[offset : offset + 4], struct.unpack_from("<I", wav, offset + 4)[0]
        if chunk_id == b"data":
            return wav[offset + 8 : offset + 8 + size]
        offset += 8 + size + (size % 2)
    raise ValueError("not a WAV file with a data chunk")


def wav_duration_s(wav: bytes) -> float:
    """Seconds of audio in a file made by `wav_from_mulaw` (size of the data chunk / rate)."""
    return len(_data_chunk(wav)) / SAMPLE_RATE


def join_wavs(wavs: Sequence[bytes]) -> bytes:
    """Files made by `wav_from_mulaw`, played one after the other, as one such file."""
    if len(wavs) == 1:
        return wavs[0]
    return wav_from_mulaw(b"".join(_data_chunk(wav) for wav in wavs))


async def synthesize_wav(tts: SpeechSynthesizer, text: str, voice: VoiceRequest) -> bytes:
    """The whole utterance as one WAV file, for `<Play>` (which downloads files whole)."""
    chunks = [chunk async for chunk in tts.stream(text, voice)]
    return wav_from_mulaw(b"".join(chunks))
