"""Runs a real livekit-agents AgentSession offline and records what LiveKit itself writes:
its OpenTelemetry spans and OTLP log records (sent by the SDK's OTLP/HTTP protobuf exporters
to a capture server on 127.0.0.1, or to BASE_URL if given) and its metrics log lines (its own
`cli.log.setup_logging` and `metrics.log_metrics`), in both of LiveKit's forms at once: the
production JSON formatter on stdout and the dev-mode coloured text in OUT_DIR/dev.log. One
session gives all three, so their figures can be compared one by one.

Usage: livekit-session.py OUT_DIR [BASE_URL]
  OUT_DIR  where traces-N.pb / logs-N.pb (the request bodies, as sent) and dev.log are written
  BASE_URL send to this receiver (`dialtone receive`) instead of capturing, to try it by hand

Nothing reaches a network: the speech, model and voice providers are dialtone's scripted
implementations of LiveKit's own STT, LLM and TTS base classes (the way a plugin implements
them), so LiveKit's request spans, retries, metrics and turn handling all run for real. The
script: four user turns. The first turn's reply calls a tool, which answers; the second
turn's first LLM attempt gets a 429 and LiveKit retries; the third turn's tool call fails and
its TTS attempt fails once with a 503 and is retried; the fourth turn's LLM fails every
attempt with a 500."""

import asyncio
import json
import logging
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from livekit import rtc
from livekit.agents import (
    DEFAULT_API_CONNECT_OPTIONS,
    NOT_GIVEN,
    APIConnectOptions,
    APIStatusError,
    Agent,
    AgentSession,
    RunContext,
    ToolError,
    function_tool,
    llm,
    metrics,
    stt,
    tts,
)
from livekit.agents.cli import log as lklog
from livekit.agents.telemetry import set_tracer_provider
from livekit.agents.voice import io
from livekit.agents.voice.agent_session import SessionConnectOptions
from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk._logs import LoggerProvider, LoggingHandler
from opentelemetry.sdk._logs.export import BatchLogRecordProcessor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

OUT = sys.argv[1]
BASE = sys.argv[2].rstrip("/") if len(sys.argv) > 2 else None

# Seconds from the session's start: (speech starts, speech ends, transcript, STT's delay).
USER_TURNS = [
    (0.5, 1.6, "where is my order", 0.21),
    (5.5, 6.4, "can you check again", 0.34),
    (10.5, 11.3, "and order B2", 0.18),
    (15.5, 16.5, "one more thing", 0.25),
]
# Per LLM request: (status codes of failing attempts before it answers, time to first token,
# reply). A reply that is a dict is a call of the lookup_order tool with those arguments.
LLM_REPLIES = [
    ([], 0.30, {"order_id": "A1"}),
    ([], 0.32, "Your order shipped yesterday."),
    ([429], 0.47, "It is out for delivery today."),
    ([], 0.26, {"order_id": "B2"}),
    ([], 0.28, "I could not find that order."),
    ([500, 500, 500], 0.0, None),
]
# Per TTS request: (status codes of failing attempts, time to first audio).
TTS_PLANS = [([], 0.15), ([], 0.22), ([503], 0.19)]


class Capture(BaseHTTPRequestHandler):
    """Keeps each OTLP request body as it arrived and answers as an OTLP server does (an
    empty protobuf export response)."""

    counts = {"traces": 0, "logs": 0}
    lock = threading.Lock()

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        kind = "traces" if self.path == "/v1/traces" else "logs"
        with self.lock:
            self.counts[kind] += 1
            n = self.counts[kind]
        with open(os.path.join(OUT, f"{kind}-{n}.pb"), "wb") as f:
            f.write(body)
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


class ScriptedSTT(stt.STT):
    def __init__(self, t0: float):
        super().__init__(
            capabilities=stt.STTCapabilities(streaming=True, interim_results=False, offline_recognize=False)
        )
        self.t0 = t0
        self.next_turn = 0

    @property
    def model(self) -> str:
        return "scripted-stt"

    @property
    def provider(self) -> str:
        return "dialtone"

    async def _recognize_impl(self, buffer, *, language=NOT_GIVEN, conn_options=DEFAULT_API_CONNECT_OPTIONS):
        raise NotImplementedError("streaming only")

    def stream(self, *, language=NOT_GIVEN, conn_options=DEFAULT_API_CONNECT_OPTIONS):
        return ScriptedSTTStream(stt=self, conn_options=conn_options)


class ScriptedSTTStream(stt.RecognizeStream):
    async def _run(self) -> None:
        drain = asyncio.create_task(self._drain())
        try:
            s = self._stt
            while s.next_turn < len(USER_TURNS):
                start, end, text, delay = USER_TURNS[s.next_turn]
                s.next_turn += 1
                await asyncio.sleep(max(0.0, s.t0 + start - time.time()))
                self._event_ch.send_nowait(stt.SpeechEvent(type=stt.SpeechEventType.START_OF_SPEECH))
                await asyncio.sleep(max(0.0, s.t0 + end + delay - time.time()))
                data = stt.SpeechData(language="en", text=text, start_time=start, end_time=end, confidence=0.93)
                rid = f"stt-{s.next_turn}"
                self._event_ch.send_nowait(
                    stt.SpeechEvent(type=stt.SpeechEventType.FINAL_TRANSCRIPT, request_id=rid, alternatives=[data])
                )
                self._event_ch.send_nowait(
                    stt.SpeechEvent(type=stt.SpeechEventType.END_OF_SPEECH, speech_end_time=s.t0 + end)
                )
                self._event_ch.send_nowait(
                    stt.SpeechEvent(
                        type=stt.SpeechEventType.RECOGNITION_USAGE,
                        request_id=rid,
                        recognition_usage=stt.RecognitionUsage(audio_duration=end - start),
                    )
                )
            await drain
        finally:
            drain.cancel()

    async def _drain(self) -> None:
        async for _ in self._input_ch:
            pass


class ScriptedLLM(llm.LLM):
    def __init__(self):
        super().__init__()
        self.calls = 0

    @property
    def model(self) -> str:
        return "scripted-llm"

    @property
    def provider(self) -> str:
        return "dialtone"

    def chat(self, *, chat_ctx, tools=None, conn_options=DEFAULT_API_CONNECT_OPTIONS, **kwargs):
        plan = LLM_REPLIES[min(self.calls, len(LLM_REPLIES) - 1)]
        self.calls += 1
        return ScriptedLLMStream(self, plan, chat_ctx=chat_ctx, tools=tools or [], conn_options=conn_options)


class ScriptedLLMStream(llm.LLMStream):
    def __init__(self, owner, plan, **kwargs):
        super().__init__(owner, **kwargs)
        self.failures, self.ttft, self.reply = plan
        self.attempt = 0

    async def _run(self) -> None:
        self.attempt += 1
        rid = f"chatcmpl-{self._llm.calls}-{self.attempt}"
        if self.attempt <= len(self.failures):
            await asyncio.sleep(0.05)
            code = self.failures[self.attempt - 1]
            raise APIStatusError(
                "Rate limit reached" if code == 429 else "upstream error",
                status_code=code, request_id=rid, body=None, retryable=True,
            )
        await asyncio.sleep(self.ttft)
        if isinstance(self.reply, dict):
            call = llm.FunctionToolCall(name="lookup_order", arguments=json.dumps(self.reply), call_id=f"call-{rid}")
            self._event_ch.send_nowait(llm.ChatChunk(id=rid, delta=llm.ChoiceDelta(role="assistant", tool_calls=[call])))
            self._event_ch.send_nowait(
                llm.ChatChunk(id=rid, usage=llm.CompletionUsage(completion_tokens=12, prompt_tokens=88, total_tokens=100))
            )
            return
        words = self.reply.split(" ")
        for i, w in enumerate(words):
            delta = llm.ChoiceDelta(role="assistant", content=w if i == 0 else " " + w)
            self._event_ch.send_nowait(llm.ChatChunk(id=rid, delta=delta))
            await asyncio.sleep(0.03)
        usage = llm.CompletionUsage(completion_tokens=len(words) + 3, prompt_tokens=96, total_tokens=len(words) + 99)
        self._event_ch.send_nowait(llm.ChatChunk(id=rid, usage=usage))


class ScriptedTTS(tts.TTS):
    def __init__(self):
        super().__init__(capabilities=tts.TTSCapabilities(streaming=False), sample_rate=24000, num_channels=1)
        self.calls = 0

    @property
    def model(self) -> str:
        return "scripted-tts"

    @property
    def provider(self) -> str:
        return "dialtone"

    def synthesize(self, text, *, conn_options=DEFAULT_API_CONNECT_OPTIONS):
        plan = TTS_PLANS[min(self.calls, len(TTS_PLANS) - 1)]
        self.calls += 1
        return ScriptedChunkedStream(plan, tts=self, input_text=text, conn_options=conn_options)


class ScriptedChunkedStream(tts.ChunkedStream):
    def __init__(self, plan, **kwargs):
        super().__init__(**kwargs)
        self.failures, self.ttfb = plan
        self.attempt = 0

    async def _run(self, output_emitter) -> None:
        self.attempt += 1
        if self.attempt <= len(self.failures):
            await asyncio.sleep(0.04)
            raise APIStatusError("service unavailable", status_code=self.failures[self.attempt - 1], body=None)
        output_emitter.initialize(
            request_id=f"tts-{self._tts.calls}-{self.attempt}", sample_rate=24000, num_channels=1, mime_type="audio/pcm"
        )
        await asyncio.sleep(self.ttfb)
        # 60 ms of silence per character, as a voice would take about that long to say it
        output_emitter.push(b"\x00\x00" * int(24000 * 0.06 * len(self.input_text)))


class SilenceInput(io.AudioInput):
    """A microphone that hears nothing: 20 ms frames in real time."""

    def __init__(self):
        super().__init__(label="dialtone-silence")

    async def __anext__(self) -> rtc.AudioFrame:
        await asyncio.sleep(0.02)
        return rtc.AudioFrame(data=b"\x00\x00" * 320, sample_rate=16000, num_channels=1, samples_per_channel=320)


class PacedOutput(io.AudioOutput):
    """A speaker that plays in real time: playback finishes when the audio would have."""

    def __init__(self):
        super().__init__(label="dialtone-paced", capabilities=io.AudioOutputCapabilities(pause=False))
        self.started = 0.0
        self.pushed = 0.0
        self.timer = None

    async def capture_frame(self, frame: rtc.AudioFrame) -> None:
        await super().capture_frame(frame)
        if not self.pushed:
            self.started = time.time()
            self.on_playback_started(created_at=self.started)
        self.pushed += frame.duration

    def flush(self) -> None:
        super().flush()
        if not self.pushed:
            return
        played = self.pushed

        def done():
            self.pushed = 0.0
            self.on_playback_finished(playback_position=played, interrupted=False)

        self.timer = asyncio.get_running_loop().call_later(max(0.0, played - (time.time() - self.started)), done)

    def clear_buffer(self) -> None:
        if not self.pushed:
            return
        if self.timer:
            self.timer.cancel()
        played, self.pushed = min(self.pushed, time.time() - self.started), 0.0
        self.on_playback_finished(playback_position=played, interrupted=True)


class OrderAgent(Agent):
    def __init__(self):
        super().__init__(instructions="You answer questions about orders.")

    @function_tool
    async def lookup_order(self, context: RunContext, order_id: str) -> str:
        """Looks an order up by its id."""
        if order_id != "A1":
            raise ToolError(f"no order {order_id}")
        return "shipped yesterday"


async def main() -> None:
    t0 = time.time()
    session = AgentSession(
        stt=ScriptedSTT(t0),
        llm=ScriptedLLM(),
        tts=ScriptedTTS(),
        vad=None,
        turn_handling={"turn_detection": "stt", "endpointing": {"min_delay": 0.4, "max_delay": 3.0}},
        conn_options=SessionConnectOptions(
            llm_conn_options=APIConnectOptions(max_retry=2, retry_interval=0.1),
            tts_conn_options=APIConnectOptions(max_retry=2, retry_interval=0.1),
        ),
    )
    # LiveKit's documented way to log the metrics it collects.
    session.on("metrics_collected", lambda ev: metrics.log_metrics(ev.metrics))
    session.input.audio = SilenceInput()
    session.output.audio = PacedOutput()
    await session.start(OrderAgent())
    await asyncio.sleep(max(0.0, t0 + USER_TURNS[-1][1] + 3.0 - time.time()))
    await session.aclose()


os.makedirs(OUT, exist_ok=True)
# LiveKit's setup adds one handler on the stdout of the moment: JSON to the real stdout, then
# the dev form to a file standing in for stdout while the second handler is made.
lklog.setup_logging("INFO", devmode=False, console=False)
stdout, sys.stdout = sys.stdout, open(os.path.join(OUT, "dev.log"), "w", encoding="utf-8")
lklog.setup_logging("INFO", devmode=True, console=False)
sys.stdout = stdout

server = None
if BASE is None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Capture)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    BASE = f"http://127.0.0.1:{server.server_port}"

resource = Resource.create({"service.name": "livekit-agent", "host.name": "agent-host-1"})
tracer_provider = TracerProvider(resource=resource)
tracer_provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=BASE + "/v1/traces")))
set_tracer_provider(tracer_provider)
logger_provider = LoggerProvider(resource=resource)
logger_provider.add_log_record_processor(BatchLogRecordProcessor(OTLPLogExporter(endpoint=BASE + "/v1/logs")))
logging.getLogger("livekit.agents").addHandler(LoggingHandler(level=logging.INFO, logger_provider=logger_provider))

asyncio.run(main())
ok = tracer_provider.force_flush() and logger_provider.force_flush()
tracer_provider.shutdown()
logger_provider.shutdown()
if server:
    server.shutdown()
sys.exit(0 if ok else 1)
