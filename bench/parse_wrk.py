"""One markdown row from wrk --latency output: req/s, p50, p99, and the ratio
to the ceiling's req/s when given.

    parse_wrk.py NAME CONNS CEILING FILE [FILE...]

With several files (bench/run.sh's BENCH_REPEAT), the runs of one scenario:
the median req/s, p50 and p99, then the worst p99 and the longest single
request of all of them."""

import re
import statistics
import sys


def ms(value):
    number, unit = re.match(r"([0-9.]+)(us|ms|s)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def run(path):
    text = open(path).read()
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    return {
        "rps": float(re.search(r"Requests/sec:\s*([0-9.]+)", text).group(1)),
        "p50": ms(re.search(r"^\s*50%\s+(\S+)", text, re.M).group(1)),
        "p99": ms(re.search(r"^\s*99%\s+(\S+)", text, re.M).group(1)),
        # Latency  avg  stdev  max  +/- stdev
        "max": ms(re.search(r"^\s*Latency\s+\S+\s+\S+\s+(\S+)", text, re.M).group(1)),
        "errors": int(errors.group(1)) if errors else 0,
    }


name, conns, ceiling, *paths = sys.argv[1:]
runs = [run(p) for p in paths]
rps = statistics.median(r["rps"] for r in runs)
p50 = statistics.median(r["p50"] for r in runs)
p99 = statistics.median(r["p99"] for r in runs)
errors = sum(r["errors"] for r in runs)
ratio = f"{100 * rps / float(ceiling):.0f} %" if ceiling else "100 %"
note = f" ({errors} non-2xx!)" if errors else ""
if len(runs) == 1:
    print(f"| {name}{note} | {conns} | {rps:,.0f} | {p50:.2f} | {p99:.2f} | {ratio} |")
else:
    worst = max(r["p99"] for r in runs)
    longest = max(r["max"] for r in runs)
    print(
        f"| {name}{note} | {conns} | {rps:,.0f} | {p50:.2f} | {p99:.2f} | {worst:.2f} | {longest:.2f} | {ratio} |"
    )
