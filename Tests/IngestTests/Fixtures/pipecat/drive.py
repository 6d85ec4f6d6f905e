# Drives pipecat-ai's own services and metrics logging (loguru) against a local stand-in
# OpenAI-compatible server (standin.py), so a real OpenAILLMService logs its TTFB,
# processing time, token usage and, for a refused request, its errors. Then the metrics
# helper of a TTS-named processor logs TTFB, TTFAT and text aggregation time.
import asyncio, sys
from loguru import logger
from pipecat.pipeline.pipeline import Pipeline
from pipecat.pipeline.runner import PipelineRunner
from pipecat.pipeline.worker import PipelineParams, PipelineWorker
from pipecat.frames.frames import LLMContextFrame, EndFrame
from pipecat.processors.aggregators.llm_context import LLMContext
from pipecat.services.openai.llm import OpenAILLMService
from pipecat.processors.metrics.frame_processor_metrics import FrameProcessorMetrics

port = int(sys.argv[1])
logger.remove()
logger.add(sys.stderr, level="DEBUG", colorize=False)

async def main():
    llm = OpenAILLMService(api_key="stand-in", base_url=f"http://127.0.0.1:{port}/v1", model="gpt-4o-mini")
    worker = PipelineWorker(Pipeline([llm]), params=PipelineParams(enable_metrics=True, enable_usage_metrics=True))
    async def feed():
        await asyncio.sleep(0.5)
        for word in ["hello", "fail", "book a table", "what time", "fail", "thanks", "tomorrow", "at six", "fail", "for two", "yes", "bye"]:
            ctx = LLMContext(messages=[{"role": "user", "content": word}])
            await worker.queue_frame(LLMContextFrame(context=ctx))
            await asyncio.sleep(0.3)
        await worker.queue_frame(EndFrame())
    runner = PipelineRunner(handle_sigint=False)
    await asyncio.gather(runner.run(worker), feed())

    m = FrameProcessorMetrics()
    await m.setup(None) if hasattr(m, "setup") else None
    m.set_processor_name("CartesiaTTSService#0")
    for _ in range(2):
        await m.start_ttfb_metrics(report_only_initial_ttfb=False) if "report_only_initial_ttfb" in m.start_ttfb_metrics.__code__.co_varnames else await m.start_ttfb_metrics()
        await asyncio.sleep(0.12)
        await m.stop_ttfb_metrics()
        await m.stop_ttfat_metrics()
        await m.start_text_aggregation_metrics()
        await asyncio.sleep(0.03)
        await m.stop_text_aggregation_metrics()

asyncio.run(main())
