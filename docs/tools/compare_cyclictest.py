#!/usr/bin/python3
"""Loop timing at 1 kHz: `controller bench` against cyclictest, run back to back on the same machine.

cyclictest (Debian's rt-tests) is the reference for what a thread can get from this kernel:
`cyclictest -t1 -p 80 -i 1000 -m` sleeps to absolute 1 ms deadlines at SCHED_FIFO 80 and measures how late it
wakes. `controller bench` runs the real control loop (same priority, same clock_nanosleep deadlines, plus
the policy, safety and bookkeeping of every tick) on a null robot and measures the same lateness. Each pair
runs --repeats times, alternating; the script prints both and the ratio of their p99s.

It also prints the inference figures of the same runs: the tick's work next to bare RunWithBinding calls
on the same policy at the same rate.

Needs rt-tests, root (or CAP_SYS_NICE) for SCHED_FIFO, and a Gaussian 2x256 policy with obs 32 and act 8,
which it trains if --policy is not given.
Usage: /usr/bin/python3 docs/tools/compare_cyclictest.py [--seconds 10] [--repeats 3] [--policy P]
"""
import argparse
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CONTROLLER = os.path.join(ROOT, "Controller", "bin", "Release", "net10.0", "controller.dll")
TRAINER = os.path.join(ROOT, "Trainer", "bin", "Release", "net10.0", "trainer.dll")


def build():
    for project in ("Controller", "Trainer"):
        subprocess.run(["dotnet", "build", os.path.join(ROOT, project), "-c", "Release", "-v", "quiet", "-nologo"], check=True, capture_output=True)
    # Build servers left running would compete for the cores being measured.
    subprocess.run(["dotnet", "build-server", "shutdown"], check=True, capture_output=True)


def percentile(histogram, q):
    total = sum(histogram.values())
    rank, seen = q * total, 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= rank:
            return value
    return max(histogram)


def cyclictest(seconds):
    out = subprocess.run(["cyclictest", "-t1", "-p", "80", "-i", "1000", "-m", "-q", "-D", str(seconds), "-h", "10000"],
                         check=True, capture_output=True, text=True).stdout
    histogram, maximum = {}, None
    for line in out.splitlines():
        if line.startswith("# Max Latencies:"):
            maximum = int(line.split()[-1])
        elif line and line[0].isdigit():
            value, count = line.split()[:2]
            if int(count):
                histogram[int(value)] = int(count)
    return {"p50": percentile(histogram, 0.5), "p99": percentile(histogram, 0.99), "p999": percentile(histogram, 0.999),
            "max": maximum if maximum is not None else max(histogram)}


def controller(policy, seconds):
    out = subprocess.run(["dotnet", CONTROLLER, "bench", "--policy", policy, "--rate", "1000", "--seconds", str(seconds), "--json"],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--policy")
    args = parser.parse_args()
    build()
    policy = args.policy or "/tmp/robotics-bench-policy.onnx"
    if not args.policy:
        subprocess.run(["dotnet", TRAINER, "bench", "train", "--out", "/tmp/robotics-bench-train", "--epochs", "1", "--export", policy],
                       check=True, capture_output=True)
    print(f"1 kHz, SCHED_FIFO 80, {args.seconds} s per run, {args.repeats} runs each (alternating); times in µs")
    ratios = []
    for repeat in range(args.repeats):
        reference = cyclictest(args.seconds)
        ours = controller(policy, args.seconds)
        late = ours["lateness_us"]
        ratio = late["p99"] / reference["p99"]
        ratios.append(ratio)
        print(f"run {repeat + 1}: cyclictest p50 {reference['p50']} p99 {reference['p99']} p99.9 {reference['p999']} max {reference['max']} | "
              f"controller lateness p50 {late['p50']:.1f} p99 {late['p99']:.1f} p99.9 {late['p999']:.1f} max {late['max']:.1f} | "
              f"p99 ratio {ratio:.2f} | overruns {ours['overruns']}, {ours['allocated_bytes_per_tick']} B/tick")
        work, bare = ours["work_us"], ours["bare_inference_us"]
        print(f"       tick work p50 {work['p50']:.2f} p99 {work['p99']:.2f} | bare RunWithBinding at 1 kHz p50 {bare['p50']:.2f} p99 {bare['p99']:.2f} | "
              f"the tick adds {ours['tick_overhead_us_p50']:.2f} (p50), {ours['tick_overhead_us_p99']:.2f} (p99)")
    ratios.sort()
    print(json.dumps({"median_p99_ratio": ratios[len(ratios) // 2], "p99_ratios": ratios}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
