#!/usr/bin/env python3
"""Bytes sent to the terminal per minute: the console following a live log vs htop, both in a
120x40 pseudo-terminal, no keys pressed. Usage: bench-terminal-bytes.py BINARY INCIDENT LOG [SECONDS]
(the log should be growing; scripts/bench-terminal-bytes.sh sets everything up)."""
import fcntl, os, pty, select, struct, sys, termios, time

binary, incident, logfile = sys.argv[1:4]
seconds = float(sys.argv[4]) if len(sys.argv) > 4 else 60

def measure(argv, env, settle=3.0):
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(argv[0], argv, env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    total = 0
    start = time.monotonic()
    counting_from = start + settle  # the first full paint is not steady state
    counted = 0
    while time.monotonic() - start < settle + seconds:
        r, _, _ = select.select([fd], [], [], 0.2)
        if r:
            try:
                data = os.read(fd, 65536)
            except OSError:
                break
            total += len(data)
            if time.monotonic() >= counting_from:
                counted += len(data)
    os.kill(pid, 15)
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass
    return counted * 60 / seconds

env = dict(os.environ, TERM="xterm-256color", LANG="C.UTF-8")
console = measure([binary, "console", incident, "--log", logfile], env)
htop = measure(["/usr/bin/htop", "-d", "10"], env)  # htop's default refresh, 1.0 s
print("bytes to the terminal per minute at 120x40: dialtone console %.0f, htop %.0f (ratio %.2f)" % (console, htop, console / htop if htop else float("nan")))
