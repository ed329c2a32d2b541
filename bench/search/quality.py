#!/usr/bin/env python3
"""Search quality over the demo site: precision@5 and mean reciprocal rank of the judged queries.

Starts the built binary on a fresh SQLite file (it loads the demo site), asks /api/search for every query in
judgments.json, and compares the results with the judged files (matched by title).

    swift build && python3 bench/search/quality.py [--binary .build/debug/vestnik] [--output FILE]
"""
from __future__ import annotations

import argparse
import json
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def title_of(demo_file: Path) -> str:
    text = demo_file.read_text(encoding="utf-8")
    match = re.search(r"^title:\s*(.+)$", text, re.M)
    title = match.group(1).strip()
    if title.startswith('"') and title.endswith('"'):
        title = title[1:-1]
    return title


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=str(ROOT / ".build" / "debug" / "vestnik"))
    parser.add_argument("--output")
    args = parser.parse_args()
    judgments = json.loads((Path(__file__).parent / "judgments.json").read_text(encoding="utf-8"))["queries"]
    demo = ROOT / "content" / "demo"
    port = free_port()
    with tempfile.TemporaryDirectory() as folder:
        server = subprocess.Popen(
            [args.binary, "serve", "--database", f"{folder}/quality.sqlite", "--port", str(port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(120):
                try:
                    urllib.request.urlopen(base + "/", timeout=2)
                    break
                except OSError:
                    time.sleep(0.5)
            precisions, reciprocal_ranks, lines = [], [], []
            for judged in judgments:
                wanted = [title_of(demo / f"{name}.md") for name in judged["relevant"]]
                url = base + "/api/search?" + urllib.parse.urlencode({"q": judged["q"]})
                results = json.load(urllib.request.urlopen(url, timeout=10))["results"]
                titles = [r["title"] for r in results]
                top5 = titles[:5]
                precision = sum(1 for t in top5 if t in wanted) / 5
                rank = next((i + 1 for i, t in enumerate(titles) if t in wanted), None)
                precisions.append(precision)
                reciprocal_ranks.append(1 / rank if rank else 0.0)
                lines.append(f"{judged['q']!r:45} P@5 {precision:.2f}  first relevant at {rank or '-'}")
        finally:
            server.terminate()
            server.wait(timeout=10)
    ideal = sum(min(5, len(j["relevant"])) / 5 for j in judgments) / len(judgments)
    summary = (
        f"{len(judgments)} judged queries: mean P@5 {sum(precisions) / len(precisions):.3f} "
        f"(best possible with these judgments {ideal:.3f}), MRR {sum(reciprocal_ranks) / len(reciprocal_ranks):.3f}"
    )
    print("\n".join(lines))
    print(summary)
    if args.output:
        Path(args.output).write_text("\n".join(lines + [summary]) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
