#!/usr/bin/env python3
"""bench/perf-report.py — self and inclusive time per function from `perf record -g` samples of the vestnik binary.

    python3 bench/perf-report.py perf.data BINARY [TOP]
    FOCUS=REGEX python3 bench/perf-report.py …   also splits the time of the functions whose (mangled or demangled)
                                                 name matches REGEX by the functions they call directly
    CALLERS=REGEX python3 bench/perf-report.py … also splits the samples that land in functions matching REGEX
                                                 (say, swift_retain|swift_release) by the nearest caller that does not
    TIME=70%-100% python3 bench/perf-report.py …  only the samples of that part of the run (`perf script --time`;
                                                 the import's last phase, its "Още:" lists, apart from the posts)

perf 6.1 (Debian 12) reads no symbols from Swift 6.3 release binaries ("build id … not found, continuing without
symbols"), so this resolves the binary's frames itself: `nm -n` of the binary, its load address from the samples'
mmap events, and `swift demangle --simplified`. Inclusive counts each function once per sample (recursion is not
counted twice). Used by bench/profile.sh.
"""
import bisect
import collections
import os
import re
import subprocess
import sys

data, binary = sys.argv[1], os.path.realpath(sys.argv[2])
top = int(sys.argv[3]) if len(sys.argv) > 3 else 60

addresses, names = [], []
for line in subprocess.run(["nm", "-n", "--defined-only", binary], capture_output=True, text=True).stdout.splitlines():
    parts = line.split(maxsplit=2)
    if len(parts) == 3 and parts[1] in "tTwW":
        addresses.append(int(parts[0], 16))
        names.append(parts[2])

window = ["--time", os.environ["TIME"]] if os.environ.get("TIME") else []
script = subprocess.run(["perf", "script", "-i", data, "--show-mmap-events", "-F", "ip,sym,dso"] + window,
                        capture_output=True, text=True).stdout
base = None
mmap = re.compile(r"PERF_RECORD_MMAP2? .*\[(0x[0-9a-f]+)\((0x[0-9a-f]+)\) @ (0x[0-9a-f]+|0) .*\]: r-xp (\S+)")
frame = re.compile(r"^\s*([0-9a-f]+) (.*) \((.*)\)$")
samples, current = [], []
for line in script.splitlines():
    m = mmap.search(line)
    if m:
        if os.path.realpath(m.group(4)) == binary:
            base = int(m.group(1), 16) - int(m.group(3), 16)
        continue
    f = frame.match(line)
    if f:
        ip, sym, dso = int(f.group(1), 16), f.group(2), f.group(3)
        if os.path.realpath(dso) == binary:
            # perf prints the binary's unresolved frames as addresses in the file already, or as run-time ones
            vaddr = ip if ip <= addresses[-1] + 0x100000 or base is None else ip - base
            i = bisect.bisect_right(addresses, vaddr) - 1
            sym = names[i] if i >= 0 else hex(ip)
        else:
            sym = re.sub(r"\+0x[0-9a-f]+$", "", sym)
            if sym == "[unknown]":
                sym = f"[{os.path.basename(dso)}]"
        current.append(sym)
    elif not line.strip() and current:
        samples.append(current)
        current = []
if current:
    samples.append(current)

total = len(samples) or 1
self_count = collections.Counter(s[0] for s in samples)
incl_count = collections.Counter()
for s in samples:
    incl_count.update(set(s))

# FOCUS: for each sample inside a matching function (its outermost matching frame), the function it called from there.
focus = os.environ.get("FOCUS")
callees = collections.Counter()
leaves = collections.Counter()


def demangled_names() -> dict:
    """Every frame's name, demangled (FOCUS and CALLERS match either form)."""
    every = sorted(set(n for s in samples for n in s))
    return dict(zip(every, subprocess.run(["swift", "demangle", "--simplified"], input="\n".join(every),
                                          capture_output=True, text=True).stdout.splitlines()))


if focus:
    plain = demangled_names()
    pattern = re.compile(focus)
    for s in samples:
        hits = [i for i, n in enumerate(s) if pattern.search(n) or pattern.search(plain.get(n, ""))]
        if hits:
            i = hits[-1]
            callees[s[i - 1] if i > 0 else "(itself)"] += 1
            leaves[s[0]] += 1

# CALLERS: for each sample that landed in a matching function, the nearest frame outside the matching ones.
callers_pattern = os.environ.get("CALLERS")
callers = collections.Counter()
if callers_pattern:
    plain = demangled_names()
    pattern = re.compile(callers_pattern)
    matches = lambda n: bool(pattern.search(n) or pattern.search(plain.get(n, "")))
    for s in samples:
        if matches(s[0]):
            callers[next((n for n in s if not matches(n)), "(none)")] += 1

wanted = [n for n, _ in callers.most_common(top)] + [n for n, _ in self_count.most_common(top)] + [n for n, _ in incl_count.most_common(top * 2)]
wanted += [n for n, _ in callees.most_common(top)] + [n for n, _ in leaves.most_common(top)]
demangled = dict(zip(wanted, subprocess.run(["swift", "demangle", "--simplified"], input="\n".join(wanted),
                                             capture_output=True, text=True).stdout.splitlines()))


def show(name: str) -> str:
    text = demangled.get(name, name)
    return text if len(text) <= 150 else text[:147] + "..."


print(f"{total} samples")
print("\n## self (where the samples landed)")
for name, n in self_count.most_common(top):
    print(f"{100 * n / total:6.2f}%  {show(name)}")
print("\n## inclusive (the function and what it called)")
for name, n in incl_count.most_common(top * 2):
    print(f"{100 * n / total:6.2f}%  {show(name)}")
if focus:
    print(f"\n## inside {focus}, by the function called directly (share of all samples)")
    for name, n in callees.most_common(top):
        print(f"{100 * n / total:6.2f}%  {show(name)}")
    print(f"\n## inside {focus}, where the samples landed")
    for name, n in leaves.most_common(top):
        print(f"{100 * n / total:6.2f}%  {show(name)}")
if callers_pattern:
    print(f"\n## samples in {callers_pattern}, by the nearest caller outside it (share of all samples)")
    for name, n in callers.most_common(top):
        print(f"{100 * n / total:6.2f}%  {show(name)}")
