#!/usr/bin/env python3
"""Journal benchmark driver (run by scripts/bench-journal.sh).

gen DIR EVENTS LAYOUT LOGIN   writes one incident of EVENTS events under DIR/incidents
                              (LAYOUT legacy: journal.jsonl; segments: journal.d/LOGIN/journal.jsonl
                              with its hash chain)
genmany DIR COUNT LAYOUT LOGIN  COUNT incidents of 20 events each
time LABEL RUNS -- CMD...     runs CMD RUNS times; prints first and median wall ms
attach LABEL BIN ID           spawns `BIN console ID` on a pty and times it to the first frame
"""
import hashlib, json, os, pty, select, shutil, statistics, struct, subprocess, sys, time, fcntl, termios

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PLAYBOOK = os.path.join(ROOT, "Playbooks", "voice-agent.yaml")
ALPHA = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
START_MS = 1795236314000  # 2026-11-21T04:45:14Z


def ulid(ms, n):
    out = ""
    t = ms
    for _ in range(10):
        out = ALPHA[t & 31] + out
        t >>= 5
    r = n
    tail = ""
    for _ in range(16):
        tail = ALPHA[r & 31] + tail
        r >>= 5
    return out + tail


def iso(ms):
    s, m = divmod(ms, 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(s)) + ".%03dZ" % m


def line(e):
    env = ('{"v":1,"id":%s,"recorded_at":%s,"occurred_at":null,"actor":%s,"role":null,"kind":%s,"payload":%s'
           % (json.dumps(e["id"]), json.dumps(e["at"]), json.dumps(e["actor"]), json.dumps(e["kind"]),
              json.dumps(e["payload"], sort_keys=True, separators=(",", ":"))))
    if e.get("automatic"):
        env += ',"automatic":true'
    if e.get("prev"):
        env += ',"prev":%s' % json.dumps(e["prev"])
    return env + "}"


def events(count, login, title):
    yield {"kind": "opened", "actor": login, "payload": {"playbook": "voice-agent", "severity": 2, "sources": [], "title": title}}
    for i in range(1, count):
        if i % 7 == 0:
            to = "critical" if (i // 7) % 2 else "ok"
            yield {"kind": "alert", "actor": "dialtone", "automatic": True,
                   "payload": {"from": "ok" if to == "critical" else "critical", "message": "Audio %s" % to.upper(),
                               "stack": "audio", "to": to}}
        elif i % 50 == 0:
            yield {"kind": "status_update", "actor": login, "payload": {"status": "investigating", "text": "update %d: carrier B holding" % i}}
        else:
            yield {"kind": "note", "actor": login, "payload": {"text": "note %d: calls to +1 555 0100 drop after 4 s; checking trunk 10.0.0.%d" % (i, i % 250)}}


def gen(base, count, layout, login, title):
    slug = "-".join(title.lower().split())
    d = os.path.join(base, "incidents", "20261121-" + slug)
    os.makedirs(d, exist_ok=True)
    os.chmod(d, 0o2770)
    shutil.copy(PLAYBOOK, os.path.join(d, "playbook.yaml"))
    if layout == "segments":
        seg = os.path.join(d, "journal.d")
        os.makedirs(os.path.join(seg, login), exist_ok=True)
        os.chmod(seg, 0o3770)
        os.chmod(os.path.join(seg, login), 0o2750)
        path = os.path.join(seg, login, "journal.jsonl")
    else:
        path = os.path.join(d, "journal.jsonl")
    prev = None
    with open(path, "w") as f:
        for i, e in enumerate(events(count, login, title)):
            ms = START_MS + i * 50
            e["id"] = ulid(ms, i)
            e["at"] = iso(ms)
            if layout == "segments":
                e["prev"] = prev
            text = line(e)
            prev = hashlib.sha256(text.encode()).hexdigest()
            f.write(text + "\n")
    os.chmod(path, 0o640 if layout == "segments" else 0o660)
    return os.path.basename(d)


def timed(label, runs, cmd):
    ts = []
    for _ in range(runs):
        t = time.monotonic()
        r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        ts.append((time.monotonic() - t) * 1000)
        if r.returncode != 0:
            print("%s: failed: %s" % (label, r.stderr.decode()[:300]))
            return
    rest = ts[1:] or ts
    print("%-34s first %8.1f ms   median of next %d %8.1f ms" % (label, ts[0], len(rest), statistics.median(rest)))


def attach(label, binary, incident, runs=3):
    ts = []
    for _ in range(runs):
        env = dict(os.environ, TERM="xterm-256color", LANG="C.UTF-8")
        t = time.monotonic()
        pid, fd = pty.fork()
        if pid == 0:
            os.execve(binary, [binary, "console", incident], env)
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        buf = b""
        seen = None
        deadline = t + 60
        while time.monotonic() < deadline:
            r, _, _ = select.select([fd], [], [], 0.2)
            if r:
                try:
                    buf += os.read(fd, 65536)
                except OSError:
                    break
                if b"Telephony" in buf and b"Output" in buf:
                    seen = time.monotonic()
                    break
        os.kill(pid, 15)
        try:
            while True:
                r, _, _ = select.select([fd], [], [], 0.5)
                if not r or not os.read(fd, 65536):
                    break
        except OSError:
            pass
        os.waitpid(pid, 0)
        os.close(fd)
        if seen is None:
            print("%s: no first frame" % label)
            return
        ts.append((seen - t) * 1000)
    print("%-34s first %8.1f ms   median of next %d %8.1f ms" % (label, ts[0], len(ts) - 1, statistics.median(ts[1:] or ts)))


if __name__ == "__main__":
    a = sys.argv[1:]
    if a[0] == "gen":
        print(gen(a[1], int(a[2]), a[3], a[4], "bench %s events" % a[2]))
    elif a[0] == "genmany":
        for i in range(int(a[2])):
            gen(a[1], 20, a[3], a[4], "many %04d" % i)
    elif a[0] == "time":
        timed(a[1], int(a[2]), a[4:])
    elif a[0] == "attach":
        attach(a[1], a[2], a[3])
