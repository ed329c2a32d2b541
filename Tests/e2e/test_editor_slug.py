"""The slug box follows the title as it is typed (issue 25), in Chromium: on a new article and on a draft whose slug is
still its title's own, every keystroke in the title rewrites the slug by the Transliteration Act (the same slug the
server makes: compared after saving); once someone edits the slug by hand it stays as typed, and after the first
publication the box no longer follows (a change of the public address is the editor's own choice, and a 301)."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from conftest import Server, own_site
from test_browser import replaced
from test_browser import driver as browser  # noqa: F401  (the same headless Chromium fixture)
from test_paste import create_staff, sign_in

EMAIL = "e2e-slug@vestnik.bg"
PASSWORD = "адрес-от-заглавието-5"


@pytest.fixture(scope="module")
def server(tmp_path_factory):  # noqa: F811
    """This module's own site (conftest.own_site): it publishes."""
    yield from own_site(tmp_path_factory)


def test_the_slug_box_follows_the_title_until_first_publication(browser, server: Server) -> None:
    create_staff(server, EMAIL, PASSWORD, "editor", "Адрес Редактор")
    wait = WebDriverWait(browser, 15)
    sign_in(browser, server, EMAIL, PASSWORD)
    browser.get(server.url("/newsroom/articles/new"))
    title = wait.until(EC.visibility_of_element_located((By.ID, "nr-title")))
    slug = browser.find_element(By.ID, "nr-slug")
    title.clear()
    title.send_keys("Гърция и България")
    assert slug.get_attribute("value") == "gartsia-i-bulgaria"
    title.send_keys(": срещата в „Шипка“ с Émile Zoé")
    assert slug.get_attribute("value") == "gartsia-i-bulgaria-sreshtata-v-shipka-s-emile-zoe"
    browser.find_element(By.CSS_SELECTOR, 'button[name=action][value=save]').click()
    wait.until(lambda driver: "saved=1" in driver.current_url)
    # The server made the same slug; the draft's box still follows.
    slug = browser.find_element(By.ID, "nr-slug")
    assert slug.get_attribute("value") == "gartsia-i-bulgaria-sreshtata-v-shipka-s-emile-zoe"
    title = browser.find_element(By.ID, "nr-title")
    title.clear()
    title.send_keys("Срещата на Гърция и Македония")
    assert slug.get_attribute("value") == "sreshtata-na-gartsia-i-makedonia"

    # Edited by hand: the box keeps what was typed whatever the title does.
    slug.clear()
    slug.send_keys("sreshta-v-solun")
    title.send_keys(" в Солун")
    assert slug.get_attribute("value") == "sreshta-v-solun"
    # The draft's saved page is showing (with its own notice): wait for the publication's page to replace it.
    before = browser.find_element(By.TAG_NAME, "html")
    browser.find_element(By.CSS_SELECTOR, 'button[name=action][value=publish]').click()
    wait.until(replaced(before))
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, ".nr-info")))
    assert browser.find_element(By.ID, "nr-slug").get_attribute("value") == "sreshta-v-solun"

    # Published: the box no longer follows.
    slug = browser.find_element(By.ID, "nr-slug")
    assert slug.get_attribute("data-follows") is None
    title = browser.find_element(By.ID, "nr-title")
    title.send_keys(" и Скопие")
    assert slug.get_attribute("value") == "sreshta-v-solun"


def test_a_draft_whose_slug_was_set_by_hand_does_not_follow(browser, server: Server) -> None:
    wait = WebDriverWait(browser, 15)
    sign_in(browser, server, EMAIL, PASSWORD)
    browser.get(server.url("/newsroom/articles/new"))
    title = wait.until(EC.visibility_of_element_located((By.ID, "nr-title")))
    title.clear()
    title.send_keys("Чернова с ръчен адрес")
    slug = browser.find_element(By.ID, "nr-slug")
    slug.clear()
    slug.send_keys("rachen-adres")
    browser.find_element(By.CSS_SELECTOR, 'button[name=action][value=save]').click()
    wait.until(lambda driver: "saved=1" in driver.current_url)
    # The server keeps a slug that is not the title's own, and says the box does not follow.
    slug = browser.find_element(By.ID, "nr-slug")
    assert slug.get_attribute("value") == "rachen-adres"
    assert slug.get_attribute("data-follows") is None
    browser.find_element(By.ID, "nr-title").send_keys(" и още")
    assert slug.get_attribute("value") == "rachen-adres"
