/// Simulated voice-agent fleet: deterministic log writers for the demo, tests and benchmarks.
