"""Sends logs and spans to dialtone's receiver with the OpenTelemetry Python SDK's own
OTLP/HTTP (protobuf) exporters, as an agent process would. Usage: otel_export.py BASE_URL.

Logs: one LiveKit-style JSON body, one Python logging record with LiveKit's metrics in
`extra` (the SDK turns them into attributes), one Pipecat loguru line. Spans: named and
attributed as Pipecat's tracing names them (stt_/llm_/tts_ service spans with metrics.ttfb
in seconds and gen_ai.request.model), one failing. Exits non-zero if an export fails."""
import json
import logging
import sys
import time

from opentelemetry.exporter.otlp.proto.http import Compression
from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk._logs import LoggerProvider, LoggingHandler
from opentelemetry.sdk._logs.export import SimpleLogRecordProcessor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.trace import Status, StatusCode

base = sys.argv[1].rstrip("/")
resource = Resource.create(
    {"service.name": "voice-agent", "host.name": "agent-host-3", "k8s.pod.name": "agent-7f9c"}
)

# Logs go gzip-compressed, spans uncompressed: both paths of a real exporter.
log_exporter = OTLPLogExporter(endpoint=base + "/v1/logs", compression=Compression.Gzip)
logs = LoggerProvider(resource=resource)
logs.add_log_record_processor(SimpleLogRecordProcessor(log_exporter))
log = logging.getLogger("livekit.agents")
log.setLevel(logging.INFO)
log.propagate = False
log.addHandler(LoggingHandler(level=logging.INFO, logger_provider=logs))

now = time.time()
stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + "Z"
log.info(json.dumps({"message": "LLM metrics", "level": "INFO", "timestamp": stamp,
                     "ttft": 0.25, "duration": 0.9}))
log.info("LLM metrics", extra={"ttft": 0.35, "duration": 1.1})
local = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(now))
log.warning(local + ".123 | DEBUG    | pipecat.processors.metrics:start_ttfb_metrics:51 - "
            "CartesiaTTSService#0 TTFB: 0.21")

tracer_provider = TracerProvider(resource=resource)
tracer_provider.add_span_processor(SimpleSpanProcessor(OTLPSpanExporter(endpoint=base + "/v1/traces")))
tracer = tracer_provider.get_tracer("pipecat")
with tracer.start_as_current_span("turn") as turn:
    turn.set_attribute("turn.number", 1)
    with tracer.start_as_current_span("stt_deepgramsttservice") as s:
        s.set_attribute("metrics.ttfb", 0.3)
    with tracer.start_as_current_span("llm_openaillmservice") as s:
        s.set_attribute("gen_ai.system", "openai")
        s.set_attribute("gen_ai.request.model", "gpt-4o")
        s.set_attribute("metrics.ttfb", 0.42)
    with tracer.start_as_current_span("llm_openaillmservice") as s:
        s.set_attribute("gen_ai.request.model", "gpt-4o")
        s.set_status(Status(StatusCode.ERROR, "upstream 500"))
    with tracer.start_as_current_span("tts_cartesiattsservice") as s:
        s.set_attribute("metrics.ttfb", 0.18)

ok = logs.force_flush() and tracer_provider.force_flush()
logs.shutdown()
tracer_provider.shutdown()
sys.exit(0 if ok else 1)
