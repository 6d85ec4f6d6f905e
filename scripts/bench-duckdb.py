"""The DuckDB side of scripts/bench-ingest.sh: the figures dialtone's `watch --once` reports for
the turn file, computed by DuckDB over the final 5-minute window of event time: the count, the
p95 of each latency (stt, llm, tts, total), the mean total latency, the mean ASR confidence and
the tool-call success rate. Prints them and, on stderr, the seconds it took including the
import. Usage: python bench-duckdb.py FILE [THREADS]"""
import sys
import time

t0 = time.time()
import duckdb  # noqa: E402  (the import is part of what a user waits for)

path = sys.argv[1]
con = duckdb.connect()
if len(sys.argv) > 2:
    con.execute(f"SET threads = {int(sys.argv[2])}")
query = f"""
WITH t AS MATERIALIZED (
  SELECT CAST("timestamp" AS TIMESTAMP) AS ts, latency_ms, asr_confidence, tool_calls
  FROM read_json('{path}', format = 'newline_delimited')),
m AS (SELECT max(ts) AS hi, count(*) AS n FROM t)
SELECT any_value(m.n) AS lines, count(*) AS turns_in_window,
  quantile_cont(latency_ms.stt, 0.95) AS stt_p95, quantile_cont(latency_ms.llm, 0.95) AS llm_p95,
  quantile_cont(latency_ms.tts, 0.95) AS tts_p95, quantile_cont(latency_ms.total, 0.95) AS total_p95,
  avg(latency_ms.total) AS total_mean, avg(asr_confidence) AS asr_mean,
  100.0 * sum(len(list_filter(tool_calls, lambda x: x.success))) / sum(len(tool_calls)) AS tool_success_pct
FROM t, m WHERE t.ts > m.hi - INTERVAL 5 MINUTE
"""
print(con.sql(query).fetchall())
print(f"{time.time() - t0:.3f}", file=sys.stderr)
