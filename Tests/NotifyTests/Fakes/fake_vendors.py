#!/usr/bin/env python3
"""Local stand-ins for the APIs dialtone talks to, on 127.0.0.1 only.

Each fake checks the request shape its vendor documents and answers the way the vendor does:
Slack incoming webhooks, PagerDuty Events API v2 (alerts deduplicated by dedup_key, change
events), Statuspage incidents, a generic webhook (deduplicated by Idempotency-Key), GitHub
issues and Jira issues. Tests steer failures through POST /_script and read what arrived
through GET /_log and GET /_state. Prints "PORT n" once listening.

Usage: fake_vendors.py [--statuspage-key KEY]
"""
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse, parse_qs

LOCK = threading.Lock()
LOG = []
SCRIPT = []  # [{"prefix": "/v2/enqueue", "status": 500, "headers": {...}, "hang": secs, "process": bool}]
STATE = {"slack_posts": 0, "pd_alerts": {}, "pd_changes": 0, "sp_incidents": {}, "hooks": set(),
         "gh_issues": [], "jira_issues": []}
SP_KEY = "sp-key"
for i, a in enumerate(sys.argv):
    if a == "--statuspage-key":
        SP_KEY = sys.argv[i + 1]

SP_STATUS = {"investigating", "identified", "monitoring", "resolved"}
SP_IMPACT = {"none", "minor", "major", "critical"}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body=None, headers=None, text=None):
        data = text.encode() if text is not None else (json.dumps(body).encode() if body is not None else b"")
        self.send_response(status)
        self.send_header("Content-Type", "text/plain" if text is not None else "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self.handle_any("GET")

    def do_POST(self):
        self.handle_any("POST")

    def do_PATCH(self):
        self.handle_any("PATCH")

    def handle_any(self, method):
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n else b""
        path = urlparse(self.path).path
        if path == "/_script":
            with LOCK:
                SCRIPT.extend(json.loads(raw))
            return self.reply(200, {"ok": True})
        if path == "/_log":
            with LOCK:
                return self.reply(200, LOG)
        if path == "/_state":
            with LOCK:
                return self.reply(200, {
                    "slack_posts": STATE["slack_posts"], "pd_alerts": STATE["pd_alerts"],
                    "pd_changes": STATE["pd_changes"], "sp_incidents": list(STATE["sp_incidents"].values()),
                    "hooks": len(STATE["hooks"]), "gh_issues": STATE["gh_issues"], "jira_issues": STATE["jira_issues"]})
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        with LOCK:
            LOG.append({"method": method, "path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()},
                        "body": body, "at": time.time()})
            step = None
            for i, s in enumerate(SCRIPT):
                if path.startswith(s["prefix"]):
                    step = SCRIPT.pop(i)
                    break
        if step is not None:
            if step.get("process"):
                # The far side acts on the request, then the answer never arrives in time.
                status, out = self.vendor(method, path, body)
                time.sleep(step.get("hang", 0))
                return self.reply(status, out)
            if "hang" in step:
                time.sleep(step["hang"])
            if "status" in step:
                return self.reply(step["status"], step.get("body", {}), step.get("headers"))
        status, out = self.vendor(method, path, body)
        if isinstance(out, str):
            return self.reply(status, text=out)
        return self.reply(status, out)

    def vendor(self, method, path, b):
        h = self.headers
        host = "http://127.0.0.1:%d" % self.server.server_address[1]
        with LOCK:
            if path.startswith("/services/"):
                if not isinstance(b, dict) or not isinstance(b.get("text"), str) or not b["text"]:
                    return 400, "invalid_payload"
                blocks = b.get("blocks", [])
                if not isinstance(blocks, list) or any(not isinstance(x, dict) or "type" not in x for x in blocks):
                    return 400, "invalid_blocks"
                STATE["slack_posts"] += 1
                return 200, "ok"
            if path == "/v2/enqueue":
                errs = []
                if not isinstance(b, dict):
                    return 400, {"status": "invalid event", "message": "Event object is invalid", "errors": ["not JSON"]}
                if not b.get("routing_key"):
                    errs.append("'routing_key' is missing or blank")
                action = b.get("event_action")
                if action not in ("trigger", "acknowledge", "resolve"):
                    errs.append("'event_action' is invalid")
                key = b.get("dedup_key")
                if action in ("acknowledge", "resolve") and not key:
                    errs.append("'dedup_key' is required")
                if action == "trigger":
                    p = b.get("payload") or {}
                    for f in ("summary", "source", "severity"):
                        if not p.get(f):
                            errs.append("'payload.%s' is missing or blank" % f)
                    if p.get("severity") not in ("critical", "error", "warning", "info"):
                        errs.append("'payload.severity' is invalid")
                if errs:
                    return 400, {"status": "invalid event", "message": "Event object is invalid", "errors": errs}
                a = STATE["pd_alerts"].get(key)
                if action == "trigger" and (a is None or a["status"] == "resolved"):
                    STATE["pd_alerts"][key] = {"status": "triggered", "triggers": 1}
                elif action == "trigger":
                    a["triggers"] += 1  # deduplicated into the open alert
                elif a is not None:
                    a["status"] = "acknowledged" if action == "acknowledge" else "resolved"
                return 202, {"status": "success", "message": "Event processed", "dedup_key": key}
            if path == "/v2/change/enqueue":
                if not isinstance(b, dict) or not b.get("routing_key") or not (b.get("payload") or {}).get("summary"):
                    return 400, {"status": "invalid event", "message": "Event object is invalid"}
                STATE["pd_changes"] += 1
                return 202, {"status": "success", "message": "Change event processed"}
            if path.startswith("/v1/pages/"):
                if h.get("Authorization") != "OAuth " + SP_KEY:
                    return 401, {"error": "Could not authenticate"}
                parts = path.split("/")  # '', v1, pages, PAGE, incidents, ID|unresolved
                if len(parts) == 4 and method == "GET":
                    return 200, {"id": parts[3], "name": "Fake status page"}
                if len(parts) == 5 and method == "POST":
                    inc = (b or {}).get("incident") or {}
                    if not inc.get("name") or inc.get("status") not in SP_STATUS or inc.get("impact_override", "none") not in SP_IMPACT:
                        return 422, {"error": "incident name, status and impact_override must be valid"}
                    iid = "sp%d" % (len(STATE["sp_incidents"]) + 1)
                    rec = {"id": iid, "name": inc["name"], "status": inc["status"], "impact": inc.get("impact_override", "none"),
                           "shortlink": host + "/s/" + iid, "metadata": inc.get("metadata", {}),
                           "incident_updates": [{"status": inc["status"], "body": inc.get("body", "")}]}
                    STATE["sp_incidents"][iid] = rec
                    return 201, rec
                if len(parts) == 6 and parts[5] == "unresolved" and method == "GET":
                    return 200, [i for i in STATE["sp_incidents"].values() if i["status"] != "resolved"]
                if len(parts) == 6 and method == "PATCH":
                    rec = STATE["sp_incidents"].get(parts[5])
                    if rec is None:
                        return 404, {"error": "Incident not found"}
                    inc = (b or {}).get("incident") or {}
                    if inc.get("status") not in SP_STATUS or inc.get("impact_override", "none") not in SP_IMPACT:
                        return 422, {"error": "status must be valid"}
                    rec["status"] = inc["status"]
                    rec["impact"] = inc.get("impact_override", rec["impact"])
                    rec["incident_updates"].append({"status": inc["status"], "body": inc.get("body", "")})
                    return 200, rec
                return 404, {"error": "not found"}
            if path == "/hook":
                STATE["hooks"].add(h.get("Idempotency-Key") or str(len(LOG)))
                return 200, {"ok": True}
            if path.startswith("/repos/"):
                if not (h.get("Authorization") or "").startswith("Bearer "):
                    return 401, {"message": "Requires authentication"}
                parts = path.split("/")  # '', repos, o, r, issues
                if len(parts) == 4 and method == "GET":
                    return 200, {"full_name": parts[2] + "/" + parts[3]}
                if len(parts) == 5 and method == "GET":
                    want = parse_qs(urlparse(self.path).query).get("labels", [""])[0]
                    return 200, [i for i in STATE["gh_issues"] if not want or any(l["name"] == want for l in i["labels"])]
                if len(parts) == 5 and method == "POST":
                    if not isinstance(b, dict) or not b.get("title"):
                        return 422, {"message": "Validation Failed"}
                    num = len(STATE["gh_issues"]) + 1
                    issue = {"number": num, "title": b["title"], "body": b.get("body", ""),
                             "html_url": "%s/%s/%s/issues/%d" % (host, parts[2], parts[3], num),
                             "labels": [{"name": l} for l in b.get("labels", [])]}
                    STATE["gh_issues"].append(issue)
                    return 201, issue
            if path.startswith("/rest/api/2/"):
                if not (h.get("Authorization") or "").startswith("Basic "):
                    return 401, {"errorMessages": ["You are not authenticated"]}
                if path.startswith("/rest/api/2/project/") and method == "GET":
                    return 200, {"key": path.rsplit("/", 1)[1]}
                if path == "/rest/api/2/issue" and method == "POST":
                    f = (b or {}).get("fields") or {}
                    if not (f.get("project") or {}).get("key") or not f.get("summary") or not (f.get("issuetype") or {}).get("name"):
                        return 400, {"errorMessages": [], "errors": {"summary": "required"}}
                    n = len(STATE["jira_issues"]) + 1
                    key = "%s-%d" % (f["project"]["key"], n)
                    STATE["jira_issues"].append({"key": key, "summary": f["summary"], "labels": f.get("labels", []),
                                                 "description": f.get("description", "")})
                    return 201, {"id": str(10000 + n), "key": key, "self": host + "/rest/api/2/issue/" + str(10000 + n)}
                if path == "/rest/api/2/search" and method == "POST":
                    jql = (b or {}).get("jql", "")
                    label = jql.split('"')[1] if '"' in jql else ""
                    return 200, {"issues": [{"key": i["key"]} for i in STATE["jira_issues"] if label in i["labels"]]}
            return 404, {"message": "Not Found"}


def main():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    print("PORT %d" % srv.server_address[1], flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
