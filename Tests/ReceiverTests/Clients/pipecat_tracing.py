"""Pipecat's own OpenTelemetry tracing, exported over OTLP/HTTP (protobuf) to dialtone's
receiver. Usage: pipecat_tracing.py BASE_URL.

Pipecat's setup_tracing installs the tracer provider, and its service_attributes helpers
set the attributes its service decorators set (gen_ai.*, metrics.ttfb in seconds) on spans
named as those decorators and its turn observer name them: turn, stt, llm, tts. Running a
whole pipeline would need real providers; the spans and attributes are Pipecat's own."""
import sys
import time

from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from pipecat.utils.tracing.service_attributes import (
    add_llm_span_attributes,
    add_stt_span_attributes,
    add_tts_span_attributes,
)
from pipecat.utils.tracing.setup import setup_tracing

base = sys.argv[1].rstrip("/")
if not setup_tracing("pipecat-agent", exporter=OTLPSpanExporter(endpoint=base + "/v1/traces")):
    sys.exit("pipecat setup_tracing failed")
tracer = trace.get_tracer("pipecat")

with tracer.start_as_current_span("conversation"):
    for n, (stt, ttft, tts, latency) in enumerate([(0.31, 0.52, 0.21, 1.2), (0.28, 0.61, 0.19, 1.4)], 1):
        with tracer.start_as_current_span("turn") as turn:
            turn.set_attribute("turn.number", n)
            turn.set_attribute("turn.type", "conversation")
            with tracer.start_as_current_span("stt") as s:
                add_stt_span_attributes(s, service_name="DeepgramSTTService", model="nova-3",
                                        transcript="where is my order", is_final=True, ttfb=stt)
            with tracer.start_as_current_span("llm") as s:
                add_llm_span_attributes(s, service_name="OpenAILLMService", model="gpt-4o",
                                        stream=True, ttfb=ttft)
                time.sleep(0.01)
            with tracer.start_as_current_span("tts") as s:
                add_tts_span_attributes(s, service_name="CartesiaTTSService", model="sonic-2",
                                        voice_id="voice-1", character_count=42, ttfb=tts)
            turn.set_attribute("turn.user_bot_latency_seconds", latency)
            turn.set_attribute("turn.was_interrupted", False)

ok = trace.get_tracer_provider().force_flush()
trace.get_tracer_provider().shutdown()
sys.exit(0 if ok else 1)
