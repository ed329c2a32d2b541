"""The command line as a person uses it: import reports bad files and fails, bad databases fail in one line."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from conftest import REPO_ROOT

BINARY = Path(os.environ.get("VESTNIK_BIN", REPO_ROOT / ".build" / "debug" / "vestnik"))


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(BINARY), *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_import_reports_malformed_files_and_exits_non_zero(tmp_path: Path) -> None:
    content = tmp_path / "content"
    content.mkdir()
    (content / "good.md").write_text(
        "---\ntitle: Добра статия\nsection: Свят\npublished: 2026-11-25T08:00:00+02:00\n---\nТекст.\n", encoding="utf-8"
    )
    (content / "bad.md").write_text("---\ntitle: Лоша\nsection: Свят\nstatus: maybe\n---\nТекст.\n", encoding="utf-8")
    database = tmp_path / "import.sqlite"
    result = run("import", str(content), "--database", str(database), cwd=tmp_path)
    assert result.returncode != 0
    assert f"{content / 'bad.md'}: line 4: status must be draft or published" in result.stderr
    assert "Imported 1 new and 0 updated articles; 1 failed." in result.stdout
    # Importing again updates instead of duplicating.
    again = run("import", str(content / "good.md"), "--database", str(database), cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert "Imported 0 new and 1 updated articles; 0 failed." in again.stdout


@pytest.mark.parametrize(
    "database",
    ["/no/such/folder/vestnik.sqlite", "postgres://nobody:secret@127.0.0.1:1/nothing"],
)
def test_an_unusable_database_is_one_clear_line_and_a_failure(tmp_path: Path, database: str) -> None:
    result = run("serve", "--database", database, "--port", "1", cwd=tmp_path)
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("vestnik: error: cannot")
    assert "secret" not in result.stderr


def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    bogus = tmp_path / "not-a-database.sqlite"
    bogus.write_bytes(b"this is plain text, not SQLite" * 100)
    result = run("migrate", "--database", str(bogus), cwd=tmp_path)
    assert result.returncode != 0
    assert "vestnik: error: cannot" in result.stderr


def test_settings_choose_the_language(tmp_path: Path) -> None:
    database = str(tmp_path / "settings.sqlite")
    assert run("setting", "site.locale", "en", "--database", database, cwd=tmp_path).returncode == 0
    shown = run("setting", "site.locale", "--database", database, cwd=tmp_path)
    assert shown.stdout.strip() == "en"
    refused = run("setting", "site.locale", "fr", "--database", database, cwd=tmp_path)
    assert refused.returncode != 0


def test_user_create_refuses_a_common_password(tmp_path: Path) -> None:
    database = str(tmp_path / "users.sqlite")
    args = ("user", "create", "--email", "chief@vestnik.bg", "--name", "Мария", "--role", "chief", "--database", database)
    common = subprocess.run(
        [str(BINARY), *args, "--password-stdin"], cwd=tmp_path, input="Password123\n", capture_output=True, text=True, timeout=120
    )
    assert common.returncode != 0
    assert "one of the most common passwords" in common.stderr
    fine = subprocess.run(
        [str(BINARY), *args, "--password-stdin"], cwd=tmp_path, input="много-тайна-парола\n", capture_output=True, text=True, timeout=120
    )
    assert fine.returncode == 0, fine.stderr
