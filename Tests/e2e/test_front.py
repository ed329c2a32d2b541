"""Front-page curation in a real browser, on a server of its own (the demo site; the shared server's home page stays
as other tests expect it): an editor makes a layout of the home page, drags a story into the lead slot (HTML5 drag
and drop, sent by a small script: Selenium's ActionChains cannot drive HTML5 drag events), pins and reorders stories
with the keyboard alone (the buttons are plain form posts), previews the page, schedules the layout for the next
minute, and the public home page changes at that minute (the scheduler publishes it, the page cache drops the page)."""

from __future__ import annotations

import datetime
import re
import time
from zoneinfo import ZoneInfo

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

from conftest import _stop, create_user, start_server
from test_browser import replaced
from test_browser import driver as browser  # noqa: F401  (the same headless Chromium fixture)

EMAIL = "e2e-front@vestnik.bg"
PASSWORD = "първа-страница-в-браузъра-18"

# HTML5 drag and drop as a browser raises it: dragstart on the story, dragover and drop on the zone at a point,
# dragend. The newsroom's script reads the drop and sends the same form the buttons send.
DRAG = """
const [source, target, y] = arguments;
const data = new DataTransfer();
const fire = (element, type, clientY) => element.dispatchEvent(
    new DragEvent(type, {bubbles: true, cancelable: true, dataTransfer: data, clientY: clientY}));
fire(source, 'dragstart', 0);
fire(target, 'dragenter', y);
fire(target, 'dragover', y);
fire(target, 'drop', y);
fire(source, 'dragend', y);
"""


@pytest.fixture(scope="module")
def front_server(tmp_path_factory):
    srv = start_server(tmp_path_factory.mktemp("vestnik-front"))
    create_user(srv.log_path.parent / "e2e.sqlite", EMAIL, PASSWORD, role="editor", name="Редактор на първа страница")
    try:
        yield srv
    finally:
        _stop(srv.process)


def lead_of(html: str) -> str:
    """The href of the lead zone's story."""
    zone = html.split('class="zone zone-lead"', 1)[1].split("</section>", 1)[0]
    return re.search(r'<a href="([^"]+)"', zone).group(1)


def pins(browser, zone: str) -> list[str]:
    return [item.get_attribute("data-article")
            for item in browser.find_elements(By.CSS_SELECTOR, f".nr-zone[data-zone={zone}] .nr-pin")]


def test_an_editor_arranges_previews_and_schedules_the_home_page(browser, front_server) -> None:
    server = front_server
    public_lead = lead_of(server.get("/").body)
    wait = WebDriverWait(browser, 20)
    browser.get(server.url("/newsroom/login"))
    browser.find_element(By.NAME, "email").send_keys(EMAIL)
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "form.nr-form button[type=submit]").click()
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, ".nr-user")))

    # A new layout of the home page (the first page listed); the newsroom's navigation links the page.
    assert browser.find_elements(By.CSS_SELECTOR, ".nr-nav a[href='/newsroom/front']")
    browser.get(server.url("/newsroom/front"))
    home = browser.find_elements(By.CSS_SELECTOR, "section.nr-front-page")[0]
    home.find_element(By.NAME, "name").send_keys("Сутрешна")
    home.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, ".nr-front")))
    assert "Сутрешна" in browser.find_element(By.TAG_NAME, "h1").text

    # Drag the oldest published story into the lead slot.
    candidates = browser.find_elements(By.CSS_SELECTOR, ".nr-candidate")
    assert len(candidates) >= 4
    dragged = candidates[-1].get_attribute("data-article")
    lead_zone = browser.find_element(By.CSS_SELECTOR, ".nr-zone[data-zone=lead]")
    box = lead_zone.rect
    browser.execute_script(DRAG, candidates[-1], lead_zone, box["y"] + 5)
    wait.until(replaced(lead_zone))
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, ".nr-zone[data-zone=lead] .nr-pin")))
    assert pins(browser, "lead") == [dragged]

    # The keyboard alone: pin two stories into the top zone, then move the second up.
    keyed = []
    for _ in range(2):
        candidate = browser.find_elements(By.CSS_SELECTOR, ".nr-candidate")[0]
        keyed.append(candidate.get_attribute("data-article"))
        select = candidate.find_element(By.NAME, "zone")
        Select(select).select_by_value("top")
        button = candidate.find_element(By.CSS_SELECTOR, "button[value=place]")
        button.send_keys(Keys.ENTER)
        wait.until(replaced(button))
    assert pins(browser, "top") == keyed
    up = browser.find_element(By.CSS_SELECTOR, f".nr-pin[data-article='{keyed[1]}'] button[value=up]")
    up.send_keys(Keys.ENTER)
    wait.until(replaced(up))
    assert pins(browser, "top") == [keyed[1], keyed[0]]

    # The preview is the real home page with this layout; the public page has not changed.
    layout_url = browser.current_url.split("?")[0].split("#")[0]
    browser.get(layout_url + "/preview")
    preview_lead = browser.find_element(By.CSS_SELECTOR, ".zone-lead .lead-story a").get_attribute("href")
    dragged_path = preview_lead.replace(server.base_url, "")
    assert dragged_path != public_lead
    hrefs = [a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, ".home-main a, .home-side .today a")]
    article_hrefs = [h for h in hrefs if h and h.count("/") == 4 and "/tema/" not in h and "/tag/" not in h]
    assert len(article_hrefs) == len(set(article_hrefs)), "a story appears twice on the page"
    assert lead_of(server.get("/").body) == public_lead

    # Scheduled for the next whole minute (Sofia time), at least 15 seconds away.
    sofia = ZoneInfo("Europe/Sofia")
    now = datetime.datetime.now(sofia)
    at = (now + datetime.timedelta(seconds=75)).replace(second=0, microsecond=0)
    if (at - now).total_seconds() > 75:
        at -= datetime.timedelta(minutes=1)
    browser.get(layout_url)
    field = wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "#nr-front-schedule input[name=at]")))
    browser.execute_script("arguments[0].value = arguments[1];", field, at.strftime("%Y-%m-%dT%H:%M"))
    browser.find_element(By.CSS_SELECTOR, "#nr-front-schedule button[type=submit]").click()
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, ".nr-info")))

    changed_at = None
    deadline = at + datetime.timedelta(seconds=30)
    while datetime.datetime.now(sofia) < deadline:
        if lead_of(server.get("/").body) == dragged_path:
            changed_at = datetime.datetime.now(sofia)
            break
        time.sleep(0.5)
    assert changed_at is not None, server.log_tail()
    assert at <= changed_at <= at + datetime.timedelta(seconds=10), (at, changed_at)
    page = server.get("/").body
    top = page.split('class="zone zone-top"', 1)[1].split("</section>", 1)[0]
    top_paths = re.findall(r'<h3 class="card-title"><a href="([^"]+)"', top)
    assert len(top_paths) == 3
    browser.get(server.url("/newsroom/audit"))
    assert "публикува подредба" in browser.find_element(By.TAG_NAME, "main").text
