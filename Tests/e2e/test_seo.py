"""The editor's "SEO и социални мрежи" panel in Chromium: counters and live previews as one types, the share picture
chosen from the media library, axe clean with the panel open; published, the public page's <title>, meta
description, Open Graph and X tags carry what was typed. Then "Покажи като обновена" ticked on the published article:
the page's date line says "Обновена" (without breaking after "•" on a 390 px phone) and dateModified follows."""

from __future__ import annotations

import json
import time
import urllib.parse

import lxml.html
import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from conftest import Server, own_site, signed_in
from test_accessibility import _axe_source, _describe, _violations
from test_browser import replaced
from test_browser import driver as browser  # noqa: F401  (the same headless Chromium fixture)
from test_gallery import upload_pictures
from test_paste import create_staff, sign_in

EMAIL = "e2e-seo@vestnik.bg"
PASSWORD = "търсачки-и-мрежи-23"
SEO_TITLE = "Бюджетът на София за 2027: транспорт, училища и ремонти по кварталите"  # past 60 characters
SEO_DESCRIPTION = "Общинският съвет прие бюджета за 2027 година: какво получават транспортът и училищата."
SOCIAL_TITLE = "Колко ще струва София през 2027"
SOCIAL_DESCRIPTION = "Всички числа на новия бюджет, накратко."


@pytest.fixture(scope="module")
def server(tmp_path_factory):  # noqa: F811
    """This module's own site (conftest.own_site)."""
    yield from own_site(tmp_path_factory)


@pytest.fixture(scope="module")
def editor_user(server: Server) -> str:
    return create_staff(server, EMAIL, PASSWORD, "editor", "Редактор на заглавия")


def _meta(tree, attribute: str, name: str) -> list[str]:
    return tree.xpath(f'//head/meta[@{attribute}="{name}"]/@content')


def _public_link(browser) -> str:
    link = WebDriverWait(browser, 20, ignored_exceptions=[StaleElementReferenceException]).until(
        lambda driver: driver.find_element(By.LINK_TEXT, "Виж на сайта").get_attribute("href"))
    return urllib.parse.urlparse(link).path


def _news_article(html: str) -> dict:
    tree = lxml.html.fromstring(html)
    for script in tree.xpath("//script[@type='application/ld+json']"):
        block = json.loads(script.text)
        if block.get("@type") == "NewsArticle":
            return block
    raise AssertionError("no NewsArticle")


def test_seo_panel_to_the_page_and_the_updated_line(browser, server: Server, editor_user: str) -> None:  # noqa: F811
    wait = WebDriverWait(browser, 20)
    picture = upload_pictures(signed_in(server, EMAIL, PASSWORD), server, 1)[0]
    sign_in(browser, server, editor_user, PASSWORD)
    browser.get(server.url("/newsroom/articles/new"))
    browser.find_element(By.NAME, "title").send_keys("Бюджетът на София")
    browser.find_element(By.NAME, "lead").send_keys("Какво прие общинският съвет.")
    browser.execute_script(
        """
        const editor = document.getElementById('nr-editor');
        editor.innerHTML = '<p>Първи абзац за бюджета.</p><p>Втори абзац.</p>';
        editor.dispatchEvent(new Event('input'));
        """)
    panel = browser.find_element(By.ID, "nr-seo")
    assert panel.get_attribute("open") is None, "the panel starts closed"
    panel.find_element(By.TAG_NAME, "summary").click()
    # Before anything is typed the previews show what the page would use: the headline and the lead.
    assert browser.find_element(By.ID, "nr-serp-title").text == "Бюджетът на София | Вестник"
    assert browser.find_element(By.ID, "nr-serp-description").text == "Какво прие общинският съвет."

    browser.find_element(By.ID, "nr-seo-title").send_keys(SEO_TITLE)
    counter = browser.find_element(By.ID, "nr-seo-title-count")
    assert counter.text.startswith(f"{len(SEO_TITLE)} от 60"), counter.text
    assert "nr-over" in counter.get_attribute("class")
    browser.find_element(By.ID, "nr-seo-description").send_keys(SEO_DESCRIPTION)
    description_counter = browser.find_element(By.ID, "nr-seo-description-count")
    assert description_counter.text == f"{len(SEO_DESCRIPTION)} от 160 знака"
    assert "nr-over" not in description_counter.get_attribute("class")
    assert browser.find_element(By.ID, "nr-serp-title").text == SEO_TITLE
    assert browser.find_element(By.ID, "nr-serp-description").text == SEO_DESCRIPTION
    # The card takes the page's words until it has its own.
    assert browser.find_element(By.ID, "nr-card-description").text == SEO_DESCRIPTION
    browser.find_element(By.ID, "nr-social-title").send_keys(SOCIAL_TITLE)
    browser.find_element(By.ID, "nr-social-description").send_keys(SOCIAL_DESCRIPTION)
    assert browser.find_element(By.ID, "nr-card-title").text == SOCIAL_TITLE
    assert browser.find_element(By.ID, "nr-card-description").text == SOCIAL_DESCRIPTION

    # The share picture, from the media library's dialog.
    browser.find_element(By.ID, "nr-social-choose").click()
    wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, f'#nr-picker-grid button[data-hash="{picture["hash"]}"]'))).click()
    assert browser.find_element(By.ID, "nr-social-image").get_attribute("value") == picture["src"]
    card = browser.find_element(By.ID, "nr-card-picture")
    assert card.is_displayed() and card.get_attribute("src").endswith(picture["src"])

    violations = _violations(browser, _axe_source())
    assert not violations, _describe(violations)

    browser.find_element(By.CSS_SELECTOR, "button[name=action][value=publish]").click()
    wait.until(lambda driver: "saved=1" in driver.current_url)
    path = _public_link(browser)
    page = server.get(path)
    assert page.status == 200
    tree = lxml.html.fromstring(page.body)
    assert tree.findtext(".//title") == SEO_TITLE
    assert _meta(tree, "name", "description") == [SEO_DESCRIPTION]
    assert _meta(tree, "property", "og:title") == [SOCIAL_TITLE]
    assert _meta(tree, "name", "twitter:title") == [SOCIAL_TITLE]
    assert _meta(tree, "property", "og:description") == [SOCIAL_DESCRIPTION]
    assert _meta(tree, "name", "twitter:description") == [SOCIAL_DESCRIPTION]
    images = _meta(tree, "property", "og:image")
    assert len(images) == 1 and images[0].startswith(server.base_url + "/media/"), images
    assert _meta(tree, "property", "og:image:width") and _meta(tree, "property", "og:image:height")
    assert _meta(tree, "name", "twitter:image") == images
    article = _news_article(page.body)
    assert article["headline"] == "Бюджетът на София"
    published = article["datePublished"]
    assert article["dateModified"] == published
    assert not tree.xpath('//p[@class="dateline"]/span[@class="updated"]')

    # The editor keeps the fields; on the published article it offers "Покажи като обновена", unticked.
    box = browser.find_element(By.ID, "nr-mark-updated")
    assert not box.is_selected()
    assert browser.find_element(By.ID, "nr-seo-title").get_attribute("value") == SEO_TITLE
    time.sleep(1.1)  # the page's times are whole seconds: the update must come after the publication
    browser.execute_script(
        """
        const editor = document.getElementById('nr-editor');
        editor.insertAdjacentHTML('beforeend', '<p>Ново: кметът внесе поправка.</p>');
        editor.dispatchEvent(new Event('input'));
        """)
    box.click()
    # The address already says saved=1 (from the publication): wait for the save's own page to replace this one.
    before = browser.find_element(By.TAG_NAME, "html")
    browser.find_element(By.CSS_SELECTOR, "button[name=action][value=save]").click()
    wait.until(replaced(before))
    wait.until(lambda driver: "saved=1" in driver.current_url)
    page = server.get(path)
    tree = lxml.html.fromstring(page.body)
    updated = tree.xpath('//p[@class="dateline"]/span[@class="updated"]/time')
    assert len(updated) == 1 and updated[0].text_content().startswith("Обновена: "), page.body[:2000]
    article = _news_article(page.body)
    assert article["dateModified"] == updated[0].get("datetime") and article["dateModified"] > published
    assert _meta(tree, "property", "article:modified_time") == [article["dateModified"]]

    # On a phone the line wraps before "•", never after it.
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride", {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True})
    try:
        browser.get(server.url(path))
        dot, text = browser.execute_script(
            "const s = document.querySelector('.dateline .updated');"
            "return [s.querySelector('.dot').getBoundingClientRect().top, s.querySelector('time').getClientRects()[0].top];")
        assert abs(dot - text) < 2, "the date line breaks after the dot"
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
