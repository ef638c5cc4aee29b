"""The delegate's badge page in Chromium: its service worker keeps the page and every file
it loads as it installs, so the badge opens again without the network."""

from playwright.sync_api import expect

from conference.extensions import db
from conference.registration.links import manage_token
from tests.factories import make_category, make_event, make_registration


def test_badge_page_opens_offline_with_its_files(live_server, page):
    with live_server.app.app_context():
        event = make_event()
        person = make_registration(
            event, make_category(event, "Delegate"), native_name="สมชาย ใจดี", country="TH"
        )
        url = f"{live_server.url}/events/{event.slug}/manage/{manage_token(person)}/badge"
        db.session.commit()
        db.session.remove()

    page.goto(url)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    cached = page.evaluate(
        """async () => {
          const [name] = (await caches.keys()).filter((n) => n.startsWith("my-badge-"));
          const cache = await caches.open(name);
          return (await cache.keys()).map((request) => new URL(request.url).pathname);
        }"""
    )
    assert {"/static/js/badge.js", "/static/js/app.js", "/static/css/app.css"} <= set(cached)
    assert url.removeprefix(live_server.url) in cached

    page.context.set_offline(True)
    page.reload()
    expect(page.locator(".my-badge-qr svg")).to_be_visible()
    expect(page.locator(".native-name")).to_have_text("สมชาย ใจดี")
    # The stylesheet came from the cache too: Bootstrap's classes still apply.
    assert (
        page.evaluate("getComputedStyle(document.querySelector('.text-center')).textAlign")
        == "center"
    )
