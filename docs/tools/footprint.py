#!/usr/bin/python3
"""What a controller build costs a robot: start to first tick, and peak resident memory of the loop's process and of
the gateway's, for builds run side by side on the same machine in alternating rounds.

Each round starts `controller run --robot sim:reach --policy P --until-stopped` as systemd would: with a notification
socket in NOTIFY_SOCKET, so "start to first tick" is the time from exec to the READY=1 the controller sends once its loop
has ticked (what `systemctl start` waits for). It then lets the run go on for --seconds, with one telemetry client
(`controller telemetry`, 10 frames a second) when --grpc is on, reads each process's peak resident memory (VmHWM) from
/proc, and stops it with SIGTERM. Medians and the spread over rounds are printed per build, with each build's ratio
to the first.

The loop's lateness and tick work (p99, from the run's --json summary) are printed beside them: a build, or serving the
metrics, that cost the loop something shows there.

A build is LABEL=COMMAND, e.g.
  jit="dotnet Controller/bin/Release/net10.0/controller.dll"
  published=artifacts/publish/controller-linux-x64/controller
A label ending in +metrics also serves --metrics (with --grpc) and scrapes it ten times a second, as a busy Prometheus
would not: what exporting costs the loop.
Usage: /usr/bin/python3 docs/tools/footprint.py --policy P [--rounds 5] [--seconds 5] [--grpc] BUILD...
"""
import argparse
import json
import os
import threading
import urllib.request
import shlex
import signal
import socket
import statistics
import subprocess
import tempfile
import time

TOKEN = "footprint-benchmark-token"


def peak_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except FileNotFoundError:
        return None
    return None


def children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as listing:
            return [int(child) for child in listing.read().split()]
    except FileNotFoundError:
        return []


def scrape(url, stop):
    while not stop.wait(0.1):
        try:
            urllib.request.urlopen(url, timeout=5).read()
        except OSError:
            pass


def one_round(command, policy, seconds, grpc, port, metrics):
    folder = tempfile.mkdtemp(prefix="footprint-")
    address = os.path.join(folder, "notify")
    notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    notify.bind(address)
    notify.settimeout(120)
    arguments = ["run", "--robot", "sim:reach", "--policy", policy, "--until-stopped", "--json"]
    if grpc:
        arguments += ["--grpc", f"http://127.0.0.1:{port}", "--token", TOKEN]
    if metrics:
        arguments += ["--metrics", f"http://127.0.0.1:{port + 1}"]
    environment = dict(os.environ, NOTIFY_SOCKET=address)
    started = time.perf_counter()
    run = subprocess.Popen(command + arguments, env=environment, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    while True:
        message = notify.recv(4096).decode()
        if message.startswith("READY=1"):
            ready = time.perf_counter() - started
            break
    client = None
    if grpc:
        client = subprocess.Popen(command + ["telemetry", "--connect", f"http://127.0.0.1:{port}", "--token", TOKEN,
                                             "--seconds", str(seconds)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    stop = threading.Event()
    scraper = threading.Thread(target=scrape, args=(f"http://127.0.0.1:{port + 1}/metrics", stop)) if metrics else None
    if scraper:
        scraper.start()
    time.sleep(seconds)
    stop.set()
    if scraper:
        scraper.join()
    # A wrapper (`dotnet controller.dll`) is the loop's process itself: dotnet execs nothing, it hosts the runtime.
    loop = peak_kib(run.pid)
    gateway = sum(peak_kib(child) or 0 for child in children(run.pid)) if grpc else 0
    if client:
        client.wait(timeout=120)
    run.send_signal(signal.SIGTERM)
    output, _ = run.communicate(timeout=60)
    loop_summary = json.loads(output.strip().splitlines()[-1])
    notify.close()
    os.unlink(address)
    os.rmdir(folder)
    return ready * 1000, loop / 1024, gateway / 1024, loop_summary["lateness_us"]["p99"], loop_summary["work_us"]["p99"]


def summary(values):
    return f"{statistics.median(values):7.1f} ({min(values):.1f}–{max(values):.1f})"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--policy", required=True)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--grpc", action="store_true", help="serve gRPC (the gateway process) with one telemetry client")
    parser.add_argument("--port", type=int, default=50123)
    parser.add_argument("builds", nargs="+", metavar="LABEL=COMMAND")
    options = parser.parse_args()
    builds = [(label, shlex.split(command)) for label, command in (build.split("=", 1) for build in options.builds)]
    results = {label: [] for label, _ in builds}
    for _ in range(options.rounds):
        for label, command in builds:
            metrics = label.endswith("+metrics")
            results[label].append(one_round(command, os.path.abspath(options.policy), options.seconds, options.grpc or metrics, options.port, metrics))
    first = builds[0][0]
    columns = ["start→first tick ms", "loop peak MiB", "gateway peak MiB", "lateness p99 µs", "work p99 µs"]
    base = [statistics.median(r[i] for r in results[first]) for i in range(len(columns))]
    print(f"{options.rounds} rounds of {options.seconds:g} s, sim:reach with {os.path.basename(options.policy)}"
          f"{', gRPC with one telemetry client' if options.grpc else ''}; median (min–max)")
    print(f"{'build':<18}" + "".join(f"{c:>24}" for c in columns) + f"  ratios to {first}")
    for label, _ in builds:
        rows = results[label]
        values = [[r[i] for r in rows] for i in range(len(columns))]
        medians = [statistics.median(v) for v in values]
        ratios = " ".join(f"{m / b:.2f}" if b else "-" for m, b in zip(medians, base))
        print(f"{label:<18}" + "".join(f"{summary(v):>24}" for v in values) + f"  {ratios}")


if __name__ == "__main__":
    main()
