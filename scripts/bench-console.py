#!/usr/bin/env python3
"""Drives `dialtone console` in a pseudo-terminal and measures what a person would feel.

- first frame: from spawn to the first screen that shows the panels (seen on the pty);
- key latency: from writing a key to the moment its echo ('§' typed into the note prompt)
  comes back on the pty, while the log file grows at the generator's rate;
- live redraws per second, ingestion counters and the console's own timings come from
  DIALTONE_BENCH_LOG, written when the console quits.
Usage: bench-console.py BINARY INCIDENT_ID LOGFILE BENCHLOG [KEYS]
"""
import fcntl, os, pty, select, struct, sys, termios, threading, time

binary, incident, logfile, benchlog = sys.argv[1:5]
keys = int(sys.argv[5]) if len(sys.argv) > 5 else 200

env = dict(os.environ, TERM="xterm-256color", LANG="C.UTF-8", DIALTONE_BENCH_LOG=benchlog)
t_spawn = time.monotonic()
pid, fd = pty.fork()
if pid == 0:
    os.execve(binary, [binary, "console", incident, "--log", logfile], env)
fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))

buf = bytearray()
lock = threading.Lock()
cond = threading.Condition(lock)
done = False

def reader():
    global done
    while True:
        try:
            r, _, _ = select.select([fd], [], [], 0.5)
            if not r:
                continue
            data = os.read(fd, 65536)
        except OSError:
            data = b""
        with cond:
            if not data:
                done = True
                cond.notify_all()
                return
            buf.extend(data)
            cond.notify_all()

threading.Thread(target=reader, daemon=True).start()

def wait_for(marker, start, timeout=10.0):
    """Time when `marker` appears in the output after byte offset `start`."""
    deadline = time.monotonic() + timeout
    with cond:
        while True:
            i = buf.find(marker, start)
            if i >= 0:
                return time.monotonic()
            left = deadline - time.monotonic()
            if left <= 0 or done:
                return None
            cond.wait(left)

first = wait_for(b"Telephony", 0)
first_ms = (first - t_spawn) * 1000 if first else float("nan")
time.sleep(3)  # let the backlog settle so keys are measured against the steady flood

os.write(fd, b"a")  # open the note prompt; '\xc2\xa7' (§) echoes without colliding with logs
time.sleep(0.3)
lat = []
for i in range(keys):
    if i and i % 60 == 0:
        os.write(fd, b"\x15")  # Ctrl-U keeps the prompt short
        time.sleep(0.05)
    with lock:
        start = len(buf)
    t0 = time.monotonic()
    os.write(fd, "§".encode())
    t1 = wait_for("§".encode(), start, timeout=2)
    if t1 is not None:
        lat.append((t1 - t0) * 1000)
    time.sleep(0.02 + (i % 7) * 0.01)
os.write(fd, b"\x1b")  # cancel the note
idle_from = (time.monotonic() - t_spawn + 0.5) * 1000
time.sleep(6)  # no keys: only live redraws now
idle_to = (time.monotonic() - t_spawn) * 1000
os.write(fd, b"qy")
for _ in range(100):
    if done:
        break
    time.sleep(0.1)
try:
    os.waitpid(pid, 0)
except ChildProcessError:
    pass

lat.sort()
def pct(p):
    return lat[min(len(lat) - 1, int(len(lat) * p / 100))] if lat else float("nan")
print("first frame (pty, spawn to panels): %.1f ms" % first_ms)
print("key to screen (pty echo), %d keys: p50 %.1f ms, p95 %.1f ms, max %.1f ms" % (len(lat), pct(50), pct(95), lat[-1] if lat else float("nan")))
try:
    lines = open(benchlog).read().split("\n")
except OSError:
    lines = []
vals = {}
for l in lines:
    if " " in l:
        k, v = l.split(" ", 1)
        vals.setdefault(k, []).append(v)
if "first_frame_ms" in vals:
    print("first frame (console's own clock, process start to drawn): %s ms" % vals["first_frame_ms"][0])
if "first_health_ms" in vals:
    print("first health (window read back, lights filled): %s ms" % vals["first_health_ms"][0])
ks = sorted(float(x) for x in vals.get("key_ms", []))
if ks:
    print("key handling inside the console (read to drawn): p50 %.2f ms, p95 %.2f ms" % (ks[len(ks) // 2], ks[min(len(ks) - 1, int(len(ks) * 0.95))]))
# Frames while no key was pressed (key presses draw at once and replace live frames).
frames = [float(x) for x in vals.get("live_frame_at", []) if idle_from <= float(x) <= idle_to]
if len(frames) > 2:
    span = (frames[-1] - frames[0]) / 1000
    gaps = sorted(b - a for a, b in zip(frames, frames[1:]))
    print("live redraws with no keys pressed: %.2f per second (min gap %.0f ms)" % ((len(frames) - 1) / span if span > 0 else 0, gaps[0]))
for k in ("lines_read", "lines_dropped", "lines_per_second"):
    if k in vals:
        print("%s: %s" % (k, vals[k][-1]))
