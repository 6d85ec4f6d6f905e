#!/usr/bin/env python3
"""Local stand-ins for what dialtone's checks talk to, on 127.0.0.1 only.

  standin.py llm          HTTP: /ok answers 200, /limited 429 with Retry-After, /hang never
                          answers, /echo returns the request headers (to test redaction).
  standin.py tls CERT KEY HTTPS with the given certificate, answering 200 to everything.

Prints the port it listens on as its first line, then serves until killed.
"""
import http.server
import ssl
import sys
import time


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path.startswith("/hang"):
            time.sleep(3600)
            return
        if self.path.startswith("/limited"):
            body = b'{"error":{"type":"rate_limit_exceeded"}}'
            self.send_response(429)
            self.send_header("Retry-After", "20")
        elif self.path.startswith("/echo"):
            body = "\n".join(f"{k}: {v}" for k, v in self.headers.items()).encode()
            self.send_response(200)
        else:
            body = b'{"object":"list","data":[]}'
            self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def main():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    if sys.argv[1] == "tls":
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(sys.argv[2], sys.argv[3])
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
