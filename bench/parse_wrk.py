"""One markdown row from wrk --latency output: req/s, p50, p99, and the ratio
to the ceiling's req/s when given."""

import re
import sys


def ms(value):
    number, unit = re.match(r"([0-9.]+)(us|ms|s)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


path, name, conns, ceiling = sys.argv[1:5]
text = open(path).read()
rps = float(re.search(r"Requests/sec:\s*([0-9.]+)", text).group(1))
p50 = ms(re.search(r"^\s*50%\s+(\S+)", text, re.M).group(1))
p99 = ms(re.search(r"^\s*99%\s+(\S+)", text, re.M).group(1))
errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
ratio = f"{100 * rps / float(ceiling):.0f} %" if ceiling else "100 %"
note = f" ({errors.group(1)} non-2xx!)" if errors else ""
print(f"| {name}{note} | {conns} | {rps:,.0f} | {p50:.2f} | {p99:.2f} | {ratio} |")
