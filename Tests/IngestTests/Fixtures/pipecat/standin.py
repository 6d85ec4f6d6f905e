# A stand-in for an OpenAI-compatible chat completions endpoint on 127.0.0.1 (dialtone test
# fixture helper): requests whose last user message contains "fail" get HTTP 500, the rest a
# short streamed answer with a usage chunk.
import json, sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

class H(BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        text = json.dumps(body.get("messages", []))
        if "fail" in text:
            self.send_response(500); self.send_header("Content-Type", "application/json"); self.end_headers()
            self.wfile.write(b'{"error":{"message":"stand-in upstream failure","type":"server_error"}}')
            return
        self.send_response(200); self.send_header("Content-Type", "text/event-stream"); self.end_headers()
        def chunk(d):
            self.wfile.write(b"data: " + json.dumps(d).encode() + b"\n\n"); self.wfile.flush()
        base = {"id": "c1", "object": "chat.completion.chunk", "created": 0, "model": "stand-in"}
        for w in ["Sure, ", "I can ", "help."]:
            chunk(base | {"choices": [{"index": 0, "delta": {"content": w}, "finish_reason": None}]})
        chunk(base | {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
        chunk(base | {"choices": [], "usage": {"prompt_tokens": 42, "completion_tokens": 5, "total_tokens": 47}})
        self.wfile.write(b"data: [DONE]\n\n")

ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
