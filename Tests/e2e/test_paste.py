"""Pasting from Word, LibreOffice and Google Docs in Chromium: each committed clipboard sample
(Tests/e2e/fixtures/paste/, see its README for where each came from) is pasted into the editor as the browser
delivers a paste (a `paste` event whose DataTransfer holds the sample as text/html), the article is saved, and the
stored body must be exactly fixtures/paste/expected.html: headings, both lists and the table with its header row kept,
nothing else. What a paste loses is named in the editor's notice. A published table reaches the page (and the full-text
feeds: FeedTests.tablesReachThePageAndTheFeed, as feeds carry summaries by default)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from conftest import own_site, REPO_ROOT, Server
from test_browser import driver as browser  # noqa: F401  (the same headless Chromium fixture)

BINARY = Path(os.environ.get("VESTNIK_BIN", REPO_ROOT / ".build" / "debug" / "vestnik"))
FIXTURES = Path(__file__).parent / "fixtures" / "paste"
EMAIL = "e2e-paste@vestnik.bg"
PASSWORD = "поставяне-от-офиса-7"


def create_staff(server: Server, email: str, password: str, role: str, name: str) -> str:
    """A newsroom account made with the command line on the server's own database (shared with test_more_links)."""
    database = server.log_path.parent / "e2e.sqlite"
    result = subprocess.run(
        [str(BINARY), "user", "create", "--database", str(database), "--email", email, "--name", name, "--role", role,
         "--password-stdin"],
        input=password + "\n", capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return email


@pytest.fixture(scope="module")
def server(tmp_path_factory):  # noqa: F811
    """This module's own site (conftest.own_site)."""
    yield from own_site(tmp_path_factory)


@pytest.fixture(scope="module")
def editor_user(server: Server) -> str:
    return create_staff(server, EMAIL, PASSWORD, "chief", "Поставящ Редактор")


def sign_in(browser, server: Server, email: str, password: str = PASSWORD) -> None:
    """The browser signed in as `email` (if it is not already)."""
    browser.get(server.url("/newsroom/login"))
    if browser.find_elements(By.NAME, "password"):
        browser.find_element(By.NAME, "email").send_keys(email)
        browser.find_element(By.NAME, "password").send_keys(password)
        browser.find_element(By.CSS_SELECTOR, "form.nr-form button[type=submit]").click()
    WebDriverWait(browser, 15).until(EC.presence_of_element_located((By.CSS_SELECTOR, ".nr-user")))


def paste(browser, html: str) -> None:
    """A paste as Chromium delivers one from the system clipboard, the caret in the editor's empty paragraph."""
    browser.execute_script(
        """
        const editor = document.getElementById('nr-editor');
        editor.innerHTML = '<p><br></p>';  // an autosave of an earlier test may have come back into the new-article form
        editor.focus();
        const range = document.createRange();
        range.setStart(editor.firstChild, 0);
        range.collapse(true);
        getSelection().removeAllRanges();
        getSelection().addRange(range);
        const data = new DataTransfer();
        data.setData('text/html', arguments[0]);
        data.setData('text/plain', 'plain text that must not be used');
        editor.dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true}));
        """,
        html,
    )


def new_article_with_paste(browser, server: Server, user: str, title: str, sample: str) -> None:
    """A new article titled `title` whose empty body gets fixtures/paste/<sample>.html pasted."""
    sign_in(browser, server, user)
    browser.get(server.url("/newsroom/articles/new"))
    field = browser.find_element(By.NAME, "title")
    field.clear()
    field.send_keys(title)
    WebDriverWait(browser, 15).until(EC.visibility_of_element_located((By.ID, "nr-editor")))
    paste(browser, (FIXTURES / f"{sample}.html").read_text(encoding="utf-8"))


@pytest.mark.parametrize("sample", ["word", "libreoffice", "google-docs"])
def test_office_paste_keeps_headings_lists_and_tables(browser, server: Server, editor_user: str, sample: str) -> None:
    wait = WebDriverWait(browser, 15)
    new_article_with_paste(browser, server, editor_user, f"Поставено от {sample}", sample)

    # In the editor already: the lists and the table with its header row.
    shape = browser.execute_script(
        """
        const e = document.getElementById('nr-editor');
        return [e.querySelectorAll('ul > li').length, e.querySelectorAll('ol > li').length,
                e.querySelectorAll('table thead th').length, e.querySelectorAll('table tbody td').length];
        """)
    assert shape == [3, 3, 2, 4], shape
    notices = browser.find_elements(By.ID, "nr-paste-notice")
    if sample == "word":
        # The underlined word keeps its text and loses the underline: said, not done silently.
        assert notices and "подчертаване" in notices[0].text
    else:
        assert not notices or not notices[0].text

    browser.find_element(By.CSS_SELECTOR, 'button[name=action][value=save]').click()
    wait.until(lambda driver: "saved=1" in driver.current_url)
    stored = browser.find_element(By.ID, "nr-body").get_attribute("value")
    expected = (FIXTURES / "expected.html").read_text(encoding="utf-8")
    assert stored.strip() == expected.strip()


def test_a_pasted_table_is_published_to_the_page(browser, server: Server, editor_user: str) -> None:
    wait = WebDriverWait(browser, 15)
    sign_in(browser, server, editor_user)
    browser.get(server.url("/newsroom/articles/new"))
    title = browser.find_element(By.NAME, "title")
    title.clear()
    title.send_keys("Таблица от LibreOffice на сайта")
    browser.find_element(By.NAME, "lead").send_keys("Бюджетът в една таблица.")
    wait.until(EC.visibility_of_element_located((By.ID, "nr-editor")))
    paste(browser, (FIXTURES / "libreoffice.html").read_text(encoding="utf-8"))
    browser.find_element(By.CSS_SELECTOR, 'button[name=action][value=publish]').click()
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, ".nr-info")))
    link = browser.find_element(By.LINK_TEXT, "Виж на сайта").get_attribute("href")
    page = server.get(link[len(server.base_url):])
    assert page.status == 200
    table = ("<table><thead><tr><th>Перо</th><th>Млн. лв.</th></tr></thead><tbody><tr><td>Транспорт</td><td>612</td></tr>"
             "<tr><td>Образование</td><td>540</td></tr></tbody></table>")
    assert table in page.body
    assert "<ul><li>Транспорт</li><li>Образование</li><li>Чистота</li></ul>" in page.body


# The real captures (fixtures/paste/README.md, "Real captures"): each with the body it must save as, and whether the
# paste loses something the notice must name (the underlined run).
REAL = {"word-mac-lexical": False, "google-docs-formatting-lexical": True, "google-docs-list-lexical": False,
        "google-docs-table-lexical": False}


@pytest.mark.parametrize("sample", sorted(REAL))
def test_real_office_captures(browser, server: Server, editor_user: str, sample: str) -> None:
    """Clipboard HTML copied out of Word for Mac and Google Docs (not written by us): Word's list paragraphs and
    conditional comments, Google Docs' `docs-internal-guid` wrapper (bold: normal), `<p dir="ltr">` and styled runs
    are saved as the plain structure they stand for, exactly `<sample>.expected.html`."""
    wait = WebDriverWait(browser, 15)
    new_article_with_paste(browser, server, editor_user, f"Истинско поставяне {sample}", sample)
    notices = browser.find_elements(By.ID, "nr-paste-notice")
    if REAL[sample]:
        assert notices and "подчертаване" in notices[0].text
    else:
        assert not notices or not notices[0].text, notices[0].text
    browser.find_element(By.CSS_SELECTOR, 'button[name=action][value=save]').click()
    wait.until(lambda driver: "saved=1" in driver.current_url)
    stored = browser.find_element(By.ID, "nr-body").get_attribute("value")
    expected = (FIXTURES / f"{sample}.expected.html").read_text(encoding="utf-8")
    assert stored.strip() == expected.strip()
