# Drives livekit-agents' own log setup and metrics logging helper with constructed metrics
# objects (no network, no provider). Usage: drive.py MODE  (dev | compact | json)
import sys, time, logging
from livekit.agents.cli import log as lklog
from livekit.agents.metrics import LLMMetrics, TTSMetrics, EOUMetrics, STTMetrics, log_metrics
from livekit.agents.metrics.base import Metadata

mode = sys.argv[1]
if mode == "json":
    lklog.setup_logging("INFO", devmode=False, console=False)
else:
    lklog.setup_logging("INFO", devmode=True, console=False, compact=(mode == "compact"))
logger = logging.getLogger("livekit.agents")
now = time.time()
llm_md = Metadata(model_name="gpt-4o-mini", model_provider="openai")
for i, ttft in enumerate([0.41, 0.52, -1.0, 1.87, 0.38, 0.44, 0.61, 0.47, 0.55, 0.39]):
    log_metrics(LLMMetrics(label="livekit.plugins.openai.llm.LLM", request_id=f"req_{i}", timestamp=now,
        duration=1.2 + i * 0.1, ttft=ttft, cancelled=False, completion_tokens=48, prompt_tokens=812,
        prompt_cached_tokens=0, total_tokens=860, tokens_per_second=39.7, metadata=llm_md))
    log_metrics(TTSMetrics(label="livekit.plugins.cartesia.tts.TTS", request_id=f"tts_{i}", timestamp=now,
        ttfb=0.187 + i * 0.05, duration=0.9, audio_duration=3.42, cancelled=False, characters_count=61,
        streamed=True, metadata=Metadata(model_name="sonic-2", model_provider="cartesia")))
    log_metrics(EOUMetrics(timestamp=now, end_of_utterance_delay=0.63 + i * 0.1, transcription_delay=0.31,
        on_user_turn_completed_delay=0.0, speech_id=f"sp_{i}"))
    log_metrics(STTMetrics(label="livekit.plugins.deepgram.stt.STT", request_id=f"stt_{i}", timestamp=now,
        duration=0.0, audio_duration=5.15, streamed=True, metadata=Metadata(model_name="nova-3", model_provider="deepgram")))
logger.warning("failed to generate LLM completion: message=Rate limit reached, status_code=429, retryable=True, request_id=req_x, retrying in 2s")
logger.error("failed to generate LLM completion after 3 attempts", extra={"llm": "livekit.plugins.openai.llm.LLM", "attempts": 3})
