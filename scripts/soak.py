#!/usr/bin/env python3
"""Samples a process for the soak (scripts/soak.sh) and judges the samples.

  soak.py PID MINUTES LOGDIR SAMPLES.tsv CLK_TCK   sample every 10 s; truncate LOGDIR's files
                                                  every 60 s (copytruncate without the copy)
  soak.py --verdict SAMPLES.tsv                   print the per-minute table and the verdict

Goals (issue 7): RSS within 10% of its value at the first minute for the rest of the run, no
growth in open descriptors after the first minute, CPU under half a core on average.
"""
import os, sys, time

def read_sample(pid, tck):
    with open(f"/proc/{pid}/status") as f:
        status = dict(l.split(":", 1) for l in f if ":" in l)
    rss_kb = int(status["VmRSS"].split()[0])
    threads = int(status["Threads"].strip())
    fds = len(os.listdir(f"/proc/{pid}/fd"))
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / tck  # utime + stime, seconds
    return rss_kb, fds, threads, cpu

def sample(pid, minutes, logdir, out, tck):
    start = time.monotonic()
    next_cut = start + 60
    truncated_bytes = 0
    with open(out, "w") as f:
        f.write("t\trss_kb\tfds\tthreads\tcpu_s\tlog_bytes\n")
        while True:
            now = time.monotonic()
            t = now - start
            try:
                rss, fds, threads, cpu = read_sample(pid, tck)
            except (FileNotFoundError, ProcessLookupError):
                print(f"console exited after {t:.0f} s", file=sys.stderr)
                sys.exit(1)
            live = sum(os.path.getsize(os.path.join(logdir, n)) for n in os.listdir(logdir))
            f.write(f"{t:.1f}\t{rss}\t{fds}\t{threads}\t{cpu:.2f}\t{truncated_bytes + live}\n")
            f.flush()
            if t >= minutes * 60:
                return
            if now >= next_cut:
                for n in os.listdir(logdir):
                    p = os.path.join(logdir, n)
                    truncated_bytes += os.path.getsize(p)
                    os.truncate(p, 0)
                next_cut += 60
            time.sleep(10)

def verdict(path):
    rows = []
    with open(path) as f:
        next(f)
        for line in f:
            t, rss, fds, threads, cpu, logb = line.split("\t")
            rows.append((float(t), int(rss), int(fds), int(threads), float(cpu), int(logb)))
    if len(rows) < 8:
        print("too few samples for a verdict")
        return 1
    print(f"{'minute':>6} {'RSS MiB':>8} {'fds':>4} {'threads':>7} {'CPU %':>6} {'log MiB/s':>9}")
    prev = rows[0]
    for r in rows[1:]:
        if int(r[0] // 60) != int(prev[0] // 60) or r is rows[-1]:
            dt = r[0] - prev[0]
            print(f"{r[0] / 60:6.1f} {r[1] / 1024:8.1f} {r[2]:4d} {r[3]:7d} "
                  f"{100 * (r[4] - prev[4]) / dt:6.1f} {(r[5] - prev[5]) / dt / 1048576:9.2f}")
            prev = r
    base = next(r for r in rows if r[0] >= 60)
    after = [r for r in rows if r[0] >= base[0]]
    top = max(r[1] for r in after)
    low = min(r[1] for r in after)
    fd_max = max(r[2] for r in after)
    span = rows[-1][0] - base[0]
    cpu = (rows[-1][4] - base[4]) / span if span > 0 else 0
    ok_rss = top <= base[1] * 1.10 and low >= base[1] * 0.90
    ok_fd = fd_max <= base[2]
    ok_cpu = cpu < 0.5
    print(f"RSS at 1 min {base[1] / 1024:.1f} MiB; after it {low / 1024:.1f} to {top / 1024:.1f} MiB"
          f" ({100 * (top - base[1]) / base[1]:+.1f}% at most): {'PASS' if ok_rss else 'FAIL'}")
    print(f"descriptors at 1 min {base[2]}, at most {fd_max} after: {'PASS' if ok_fd else 'FAIL'}")
    print(f"CPU after the first minute {100 * cpu:.1f}% of one core: {'PASS' if ok_cpu else 'FAIL'}")
    return 0 if ok_rss and ok_fd and ok_cpu else 1

if __name__ == "__main__":
    if sys.argv[1] == "--verdict":
        sys.exit(verdict(sys.argv[2]))
    pid, minutes, logdir, out, tck = sys.argv[1:6]
    sample(int(pid), float(minutes), logdir, out, int(tck))
