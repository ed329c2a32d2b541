"""Shared by bench/banner.py and bench/live.py: a `vestnik serve` of their own on 127.0.0.1 (a fresh demo database
in a temporary folder, a free port), its CPU time and memory from /proc, and a signed-in editor's HTTP session."""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TICKS = os.sysconf("SC_CLK_TCK")


class Server:
    def __init__(self, binary: str, *extra: str) -> None:
        self.binary = binary
        self.work = Path(tempfile.mkdtemp(prefix="vestnik-bench-"))
        self.database = self.work / "bench.sqlite"
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = open(self.work / "server.log", "wb")
        self.process = subprocess.Popen(
            [binary, "serve", "--database", str(self.database), "--hostname", "127.0.0.1", "--port", str(self.port), *extra],
            cwd=self.work, stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(self.base + "/", timeout=5).read()
                return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    sys.exit(f"server did not start; see {self.work / 'server.log'}")
                time.sleep(0.5)

    def stop(self) -> None:
        """By its PID: TERM, then KILL after 15 s."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime

    def memory_mib(self) -> dict[str, int]:
        out = {}
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith(("VmRSS", "VmHWM")):
                name, value = line.split(":")
                out[name] = int(value.split()[0]) // 1024
        return out

    def editor(self, email: str = "bench@vestnik.bg", password: str = "bench-password-18") -> "Editor":
        subprocess.run(
            [self.binary, "user", "create", "--database", str(self.database), "--email", email, "--name", "Bench",
             "--role", "editor", "--password-stdin"], input=password + "\n", text=True, capture_output=True, check=True,
            timeout=120)
        editor = Editor(self.base)
        editor.post("/newsroom/login", {"csrf": editor.token("/newsroom/login"), "email": email, "password": password})
        return editor


class Editor:
    """A newsroom session (cookies kept), posting forms with the CSRF token of the page they are on."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str) -> str:
        return self.opener.open(self.base + path, timeout=30).read().decode()

    def token(self, path: str) -> str:
        return re.search(r'name="csrf" value="([^"]+)"', self.get(path)).group(1)

    def post(self, path: str, fields: dict) -> None:
        self.opener.open(self.base + path, data=urllib.parse.urlencode(fields).encode(), timeout=30).read()


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
