"""Hand-picked "Още:" links in Chromium: the journalist places a block at the cursor with an article chosen in the
picker, publishes, sees which automatic links the page gets, pins one and removes another; the public page shows
the chosen article after the paragraph it was placed at, keeps the pinned one and never shows the removed one."""

from __future__ import annotations

import json
import re
import time

import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from conftest import own_site, Server
from test_browser import driver as browser  # noqa: F401  (the same headless Chromium fixture)
from test_paste import create_staff, sign_in

EMAIL = "e2e-more@vestnik.bg"
PASSWORD = "още-връзки-на-ръка-3"


@pytest.fixture(scope="module")
def server(tmp_path_factory):  # noqa: F811
    """This module's own site (conftest.own_site)."""
    yield from own_site(tmp_path_factory)


@pytest.fixture(scope="module")
def editor_user(server: Server) -> str:
    return create_staff(server, EMAIL, PASSWORD, "editor", "Редактор на връзки")


def asides(html: str) -> list[str]:
    return re.findall(r'<aside class="more".*?</aside>', html, flags=re.S)


def test_place_pin_and_remove_more_links(browser, server: Server, editor_user: str) -> None:
    wait = WebDriverWait(browser, 20)
    sign_in(browser, server, editor_user, PASSWORD)
    browser.get(server.url("/newsroom/articles/new"))
    title = browser.find_element(By.NAME, "title")
    title.clear()
    title.send_keys("Бюджетът на София с ръчни връзки")
    browser.find_element(By.NAME, "lead").send_keys("Какво прие общинският съвет.")
    wait.until(EC.visibility_of_element_located((By.ID, "nr-more")))
    # Five paragraphs; the caret goes into the third.
    browser.execute_script(
        """
        const editor = document.getElementById('nr-editor');
        editor.innerHTML = [1, 2, 3, 4, 5].map(n => '<p>Абзац ' + n + ' на бюджета.</p>').join('');
        editor.focus();
        const range = document.createRange();
        range.setStart(editor.children[2].firstChild, 3);
        range.collapse(true);
        getSelection().removeAllRanges();
        getSelection().addRange(range);
        editor.dispatchEvent(new Event('input'));
        """)
    time.sleep(0.3)  # selectionchange is delivered after the script
    browser.find_element(By.ID, "nr-more-place").click()
    wait.until(EC.visibility_of_element_located((By.ID, "nr-more-picker")))
    first = wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, "#nr-more-results button[data-id]")))
    picked = int(first.get_attribute("data-id"))
    picked_url = first.get_attribute("data-url")
    first.click()
    plan = json.loads(browser.find_element(By.ID, "nr-more-plan").get_attribute("value"))
    assert {"after": 3, "links": [picked]} in plan["blocks"]
    # The site's automatic blocks stay in the plan, for the ranking to fill.
    assert any(block["links"] == [0, 0] for block in plan["blocks"])
    # A paragraph written above moves the block with its paragraph (now the 4th).
    browser.execute_script(
        """
        const editor = document.getElementById('nr-editor');
        const p = document.createElement('p');
        p.textContent = 'Нов встъпителен абзац.';
        editor.insertBefore(p, editor.firstChild);
        editor.dispatchEvent(new Event('input'));
        """)
    plan = json.loads(browser.find_element(By.ID, "nr-more-plan").get_attribute("value"))
    assert {"after": 4, "links": [picked]} in plan["blocks"]

    browser.find_element(By.CSS_SELECTOR, 'button[name=action][value=publish]').click()
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, ".nr-info")))
    assert "/newsroom/articles/" in browser.current_url
    # Published: the panel says which articles the automatic places will hold.
    wait.until(lambda driver: driver.find_element(By.ID, "nr-more").get_attribute("data-ready"))
    automatic = browser.find_elements(By.CSS_SELECTOR, '.nr-more-link[data-automatic="1"][data-id]')
    assert len(automatic) >= 2, browser.find_element(By.ID, "nr-more").text
    pinned = int(automatic[0].get_attribute("data-id"))
    removed = int(automatic[1].get_attribute("data-id"))
    pinned_url = automatic[0].get_attribute("data-url")
    removed_url = automatic[1].get_attribute("data-url")
    assert pinned != picked and removed != picked
    ready = browser.find_element(By.ID, "nr-more").get_attribute("data-ready")
    automatic[0].find_element(By.XPATH, ".//button[1]").click()  # "Закачи"
    wait.until(lambda driver: driver.find_element(By.ID, "nr-more").get_attribute("data-ready") != ready)
    target = browser.find_element(By.CSS_SELECTOR, f'.nr-more-link[data-automatic="1"][data-id="{removed}"]')
    target.find_element(By.XPATH, ".//button[last()]").click()  # "Махни"
    plan = json.loads(browser.find_element(By.ID, "nr-more-plan").get_attribute("value"))
    assert pinned in [link for block in plan["blocks"] for link in block["links"]]
    assert removed in plan["excluded"]
    browser.find_element(By.CSS_SELECTOR, 'button[name=action][value=save]').click()
    wait.until(lambda driver: "saved=1" in driver.current_url)

    link = WebDriverWait(browser, 20, ignored_exceptions=[StaleElementReferenceException]).until(
        lambda driver: driver.find_element(By.LINK_TEXT, "Виж на сайта").get_attribute("href"))
    public = server.get(link[len(server.base_url):])
    assert public.status == 200
    page = public.body
    blocks = asides(page)
    assert blocks
    # The picked article stands after the paragraph it was placed at ("Абзац 3", now the 4th).
    third = page.index("Абзац 3 на бюджета.")
    fourth = page.index("Абзац 4 на бюджета.")
    between = [block for block in blocks if third < page.index(block) < fourth]
    assert between, blocks
    assert f'href="{picked_url}"' in between[0]
    assert f'href="{pinned_url}"' in "".join(blocks)
    assert f'href="{removed_url}"' not in "".join(blocks)

