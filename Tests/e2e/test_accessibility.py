"""axe-core in headless Chromium on the public pages and the newsroom's pages a desk uses all day.

axe-core itself comes from PyPI's `axe-playwright-python` (its `axe.min.js`, axe 4.12), installed without its
Playwright dependency (`pip install --no-deps`, see .ci/run): only the script is used, injected through Selenium.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from conftest import Server, article_links, create_user
from test_browser import driver as browser  # noqa: F401  (the same headless Chromium fixture)

EMAIL = "e2e-axe@vestnik.bg"
PASSWORD = "достъпна-парола-42"


def _axe_source() -> str:
    spec = importlib.util.find_spec("axe_playwright_python")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("axe-core not installed: pip install --no-deps axe-playwright-python==0.1.8")
    return (Path(list(spec.submodule_search_locations)[0]) / "axe.min.js").read_text()


@pytest.fixture(scope="module")
def axe_source() -> str:
    return _axe_source()


@pytest.fixture(scope="module")
def signed_in_browser(browser, server: Server):  # noqa: F811
    create_user(server.log_path.parent / "e2e.sqlite", EMAIL, PASSWORD, role="chief", name="Достъпен Главен")
    browser.get(server.url("/newsroom/login"))
    browser.find_element(By.NAME, "email").send_keys(EMAIL)
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "form.nr-form button[type=submit]").click()
    WebDriverWait(browser, 15).until(EC.presence_of_element_located((By.CSS_SELECTOR, ".nr-user")))
    return browser


def _violations(browser, axe_source: str) -> list[dict]:  # noqa: F811
    browser.execute_script(axe_source)
    result = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then(r => done(JSON.stringify(r.violations)),"
        " e => done(JSON.stringify([{id: 'axe-error', help: String(e), nodes: []}])));"
    )
    return json.loads(result)


def _describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        targets = [" ".join(node.get("target", [])) for node in violation.get("nodes", [])][:5]
        lines.append(f"{violation['id']}: {violation.get('help', '')} at {targets}")
    return "\n".join(lines)


def _public_paths(server: Server) -> list[str]:
    home = server.get("/").body
    article = article_links(home)[0]
    section = "/" + article.strip("/").split("/")[0]
    return ["/", article, section, "/tarsene?q=бюджет"]


def test_public_pages_have_no_axe_violations(browser, server: Server, axe_source: str) -> None:  # noqa: F811
    browser.set_window_size(1280, 900)
    failures = []
    for path in _public_paths(server):
        browser.get(server.url(path))
        violations = _violations(browser, axe_source)
        if violations:
            failures.append(f"{path}\n{_describe(violations)}")
    assert not failures, "\n\n".join(failures)


def test_public_article_on_a_phone_has_no_axe_violations(browser, server: Server, axe_source: str) -> None:  # noqa: F811
    article = _public_paths(server)[1]
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride", {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True}
    )
    try:
        browser.get(server.url(article))
        # The first screen: the headline starts within 200 px, and the date line never leaves "•" at a line's end.
        headline_top = browser.execute_script("return document.querySelector('.headline').getBoundingClientRect().top")
        assert headline_top < 200, f"the headline starts {headline_top:.0f} px down on a 390 px phone"
        dot, count = browser.execute_script(
            "return ['.dateline .dot', '.dateline .reads-count'].map(s => document.querySelector(s).getBoundingClientRect().top)"
        )
        assert abs(dot - count) < 2, "the date line breaks after the dot"
        violations = _violations(browser, axe_source)
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    assert not violations, _describe(violations)


def test_login_page_has_no_axe_violations(browser, server: Server, axe_source: str) -> None:  # noqa: F811
    browser.delete_all_cookies()
    browser.get(server.url("/newsroom/login"))
    violations = _violations(browser, axe_source)
    assert not violations, _describe(violations)


@pytest.mark.parametrize(
    "path", ["/newsroom", "/newsroom/articles/new", "/newsroom/media", "/newsroom/users", "/newsroom/password"]
)
def test_newsroom_pages_have_no_axe_violations(signed_in_browser, server: Server, axe_source: str, path: str) -> None:
    signed_in_browser.get(server.url(path))
    assert "/newsroom/login" not in signed_in_browser.current_url
    violations = _violations(signed_in_browser, axe_source)
    assert not violations, _describe(violations)


def test_gallery_page_has_no_axe_violations(browser, tmp_path, axe_source: str) -> None:  # noqa: F811
    """An article with a gallery (test_gallery.gallery_article), with its viewer closed and open, on a site of its
    own: the article it publishes must not become the shared site's newest, which other tests read as the first."""
    from conftest import _stop, start_server

    server = start_server(tmp_path)
    try:
        _gallery_page_violations(browser, server, axe_source)
    finally:
        _stop(server.process)


def _gallery_page_violations(browser, server: Server, axe_source: str) -> None:
    from test_gallery import gallery_article

    create_user(server.log_path.parent / "e2e.sqlite", "e2e-axe-gallery@vestnik.bg", PASSWORD, role="editor",
                name="Достъпна Галерия")
    path = gallery_article(server, "e2e-axe-gallery@vestnik.bg", PASSWORD, "Достъпна галерия")
    browser.set_window_size(1280, 900)
    browser.get(server.url(path))
    closed = _violations(browser, axe_source)
    browser.execute_script("document.querySelector('.gallery-open').click()")
    WebDriverWait(browser, 10).until(
        lambda d: d.execute_script("const v = document.querySelector('dialog.gallery-viewer'); return v && v.open"))
    opened = _violations(browser, axe_source)
    assert not closed and not opened, f"closed:\n{_describe(closed)}\n\nopen:\n{_describe(opened)}"
