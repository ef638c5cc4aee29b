"""The check-in scanner page in Chromium at phone size: camera, keyboard wedge, search by
name, and the offline queue that syncs once the network returns.

Screenshots of each state land in test-artifacts/scanner_<state>.png, or in the folder
named by SCANNER_SCREENSHOTS.
"""

import os
import re
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from conference.extensions import db
from tests.browser.conftest import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS
from tests.browser.fake_camera import badge_video
from tests.factories import (
    PASSWORD,
    give_role,
    make_category,
    make_event,
    make_registration,
    make_user,
)

PHONE = {"width": 390, "height": 844}
SCREENSHOTS = Path(os.environ.get("SCANNER_SCREENSHOTS", ARTIFACTS))
RESULT = '[data-field="result"]'


@pytest.fixture
def door(live_server):
    """An event happening today, two confirmed delegates with badges, a check-in user."""
    from conference.badges.services import badge_token
    from conference.dbtypes import utcnow

    with live_server.app.app_context():
        today = utcnow().astimezone(ZoneInfo("Asia/Bangkok")).date()  # the event's day
        event = make_event(
            title="ASEAN+3 Regional Learning Cities Conference",
            start_date=today,
            end_date=today + timedelta(days=1),
        )
        delegate = make_registration(
            event, make_category(event, "Delegate", badge_colour="#1f77b4")
        )
        vip = make_registration(
            event,
            make_category(event, "VIP", badge_colour="#b8860b"),
            title="Dr",
            given_name="Somchai",
            family_name="Jaidee",
            native_name="สมชาย ใจดี",
            country="TH",
            organisation="Bangkok Metropolitan Administration",
        )
        staff = make_user("door@example.org", name="Door staff")
        give_role(event, staff, "checkin")
        info = SimpleNamespace(
            slug=event.slug,
            delegate_id=delegate.id,
            delegate_token=badge_token(delegate),
            vip_id=vip.id,
            vip_token=badge_token(vip),
        )
        db.session.commit()
        db.session.remove()
    return info


def check_ins(live_server, registration_id):
    from conference.checkin.models import CheckIn

    with live_server.app.app_context():
        count = db.session.scalar(
            select(func.count(CheckIn.id)).where(CheckIn.registration_id == registration_id)
        )
        db.session.remove()
    return count


def scan_logs(live_server, registration_id):
    from conference.checkin.models import ScanLog

    with live_server.app.app_context():
        rows = db.session.execute(
            select(ScanLog.action, ScanLog.client_ref).where(
                ScanLog.registration_id == registration_id
            )
        ).all()
        db.session.remove()
    return rows


@pytest.fixture
def phone(browser, request):
    """A phone-sized tab in the shared browser; a screenshot in test-artifacts/ on failure."""
    context = browser.new_context(viewport=PHONE, device_scale_factor=1, has_touch=True)
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    errors = []
    tab.on("pageerror", lambda error: errors.append(error))
    yield tab
    _screenshot_if_failed(request, tab)
    context.close()
    assert not errors, f"uncaught errors in the page: {errors}"


def _screenshot_if_failed(request, tab):
    if getattr(request.node, "test_failed", False):
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
        tab.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def open_scanner(page, live_server, slug, station="Door A"):
    """Sign in as check-in staff, open the scanner and name the station."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(f"{live_server.url}/login")
    page.get_by_label("E-mail").fill("door@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/events/{slug}/checkin")
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Station").fill(station)
    dialog.get_by_role("button", name="Start scanning").click()
    expect(page.locator('[data-field="station"]')).to_have_text(station)
    expect(page.get_by_label("Badge code")).to_be_focused()
    # Settled: the offline list loaded and the service worker done installing (or refused),
    # so no request of theirs is cut off half-way by what the test does next.
    scanner = page.locator("#scanner")
    expect(scanner).to_have_attribute("data-offline-ready", "1")
    expect(scanner).to_have_attribute("data-worker", re.compile("ready|failed"))


def wedge_scan(page, text):
    """What a USB scanner does: types the code into whatever has the focus, then Enter."""
    page.keyboard.type(text)
    page.keyboard.press("Enter")


def result(page, colour):
    return page.locator(f'{RESULT}[data-colour="{colour}"]')


def test_camera_reads_a_printed_badge_green_then_amber(
    live_server, door, browser, request, tmp_path
):
    from conference.badges.pdf import render_badges_bytes
    from conference.badges.services import badge_for
    from conference.registration.models import Registration

    with live_server.app.app_context():
        delegate = db.session.get(Registration, door.delegate_id)
        pdf = render_badges_bytes([badge_for(delegate, door.delegate_token)])
        db.session.remove()
    video = badge_video(tmp_path / "badge.y4m", pdf)

    camera_browser = browser.browser_type.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=[
            *CHROMIUM_ARGS,
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
    context = camera_browser.new_context(viewport=PHONE, permissions=["camera"])
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        open_scanner(page, live_server, door.slug, station="Door A")
        expect(page.locator("#scanner")).to_have_attribute("data-camera", "on")

        green = result(page, "green")
        expect(green).to_be_visible(timeout=20_000)
        expect(green).to_contain_text("Checked in")
        expect(green).to_contain_text("Hà Trung Chiến")
        expect(green).to_contain_text("Mr Hà Trung Chiến")
        expect(green).to_contain_text("Delegate")
        expect(green).to_contain_text("Vietnam (VN)")
        page.screenshot(path=str(SCREENSHOTS / "scanner_green.png"), animations="disabled")

        # The badge leaves the picture and comes back: the second reading is amber.
        amber = result(page, "amber")
        expect(amber).to_be_visible(timeout=20_000)
        expect(amber).to_contain_text(re.compile(r"at \d\d:\d\d at Door A"))
        page.screenshot(path=str(SCREENSHOTS / "scanner_amber.png"), animations="disabled")
        assert check_ins(live_server, door.delegate_id) == 1
    finally:
        _screenshot_if_failed(request, page)
        context.close()
        camera_browser.close()


def test_offline_scans_are_checked_on_the_device_and_synced_once(live_server, door, phone):
    open_scanner(phone, live_server, door.slug, station="Door B")
    expect(phone.locator("#scanner")).to_have_attribute("data-offline-ready", "1")
    expect(phone.locator('[data-field="connection"]')).to_have_text("Online")

    phone.context.set_offline(True)
    expect(phone.locator('[data-field="connection"]')).to_contain_text("Offline")

    wedge_scan(phone, door.vip_token)
    green = result(phone, "green")
    expect(green).to_be_visible()
    expect(green).to_contain_text("สมชาย ใจดี")
    expect(green).to_contain_text("VIP")
    expect(green).to_contain_text("offline")
    phone.screenshot(path=str(SCREENSHOTS / "scanner_offline_green.png"), animations="disabled")
    expect(phone.locator('[data-field="queue"]')).to_have_text("1 waiting to sync")

    # The same badge again on this device, still offline: amber, and queued as a duplicate.
    wedge_scan(phone, door.vip_token)
    amber = result(phone, "amber")
    expect(amber).to_be_visible()
    expect(amber).to_contain_text("at Door B")
    expect(phone.locator('[data-field="queue"]')).to_have_text("2 waiting to sync")
    phone.locator(RESULT).click()
    expect(phone.locator(RESULT)).to_be_hidden()
    phone.screenshot(path=str(SCREENSHOTS / "scanner_offline.png"), animations="disabled")
    assert check_ins(live_server, door.vip_id) == 0

    phone.context.set_offline(False)
    expect(phone.locator('[data-field="queue"]')).to_have_text("0 waiting to sync", timeout=15_000)
    expect(phone.locator('[data-field="connection"]')).to_have_text("Online")
    assert check_ins(live_server, door.vip_id) == 1
    logs = scan_logs(live_server, door.vip_id)
    assert sorted(action for action, _ in logs) == ["checkin", "duplicate"]
    assert len({ref for _, ref in logs}) == 2  # each queued scan sent (and recorded) once


def test_an_offline_scan_synced_too_late_is_refused_once_and_shown_to_staff(
    live_server, door, phone
):
    """The server refuses a scan older than SCAN_MAX_AGE_HOURS (422 scan_too_old): final,
    so the device stops sending it and lists it with the server's reason."""
    from conference.dbtypes import utcnow

    open_scanner(phone, live_server, door.slug)
    phone.context.set_offline(True)
    expect(phone.locator('[data-field="connection"]')).to_contain_text("Offline")
    phone.clock.set_fixed_time(utcnow() - timedelta(hours=13))  # a device left offline
    wedge_scan(phone, door.vip_token)
    expect(result(phone, "green")).to_contain_text("offline")
    phone.locator(RESULT).click()
    expect(phone.locator('[data-field="queue"]')).to_have_text("1 waiting to sync")

    phone.clock.set_fixed_time(utcnow())
    phone.context.set_offline(False)
    expect(phone.locator('[data-field="queue"]')).to_have_text("0 waiting to sync", timeout=15_000)
    refused = phone.locator('[data-field="refused"]')
    expect(refused).to_contain_text("1 offline scan was refused by the server")
    refused.get_by_role("button").click()
    expect(phone.locator('[data-field="refused-list"]')).to_contain_text("more than 12 hours ago")
    assert check_ins(live_server, door.vip_id) == 0
    assert scan_logs(live_server, door.vip_id) == []  # refused before anything was recorded


def test_scanner_page_opens_again_offline(live_server, door, phone):
    open_scanner(phone, live_server, door.slug)
    expect(phone.locator("#scanner")).to_have_attribute("data-offline-ready", "1")
    # Installed means the page and its files are in the worker's cache.
    expect(phone.locator("#scanner")).to_have_attribute("data-worker", "ready")
    # The worker caches the page on install; a reload puts the page under its control.
    phone.reload()
    expect(phone.locator("#scanner")).to_have_attribute("data-offline-ready", "1")

    phone.context.set_offline(True)
    phone.reload()
    expect(phone.locator("#scanner")).to_have_attribute("data-offline-ready", "1")
    expect(phone.locator('[data-field="connection"]')).to_contain_text("Offline")
    wedge_scan(phone, door.delegate_token)
    expect(result(phone, "green")).to_be_visible()
    expect(phone.locator('[data-field="queue"]')).to_have_text("1 waiting to sync")


def test_wedge_garbage_is_refused_in_red_with_the_reason(live_server, door, phone):
    open_scanner(phone, live_server, door.slug)
    wedge_scan(phone, "not-a-badge-at-all")
    red = result(phone, "red")
    expect(red).to_be_visible()
    expect(red).to_contain_text("Refused")
    expect(red).to_contain_text("This is not a badge code")
    phone.screenshot(path=str(SCREENSHOTS / "scanner_red.png"), animations="disabled")
    # The wedge kept the focus: the next scan goes straight in and replaces the answer.
    wedge_scan(phone, door.delegate_token)
    expect(result(phone, "green")).to_be_visible()
    wedge_scan(phone, door.delegate_token)
    expect(result(phone, "amber")).to_contain_text(re.compile(r"at \d\d:\d\d at Door A"))
    assert check_ins(live_server, door.delegate_id) == 1


def test_forgotten_badge_found_by_name_without_diacritics(live_server, door, phone):
    open_scanner(phone, live_server, door.slug)
    expect(phone.locator("#scanner")).to_have_attribute("data-offline-ready", "1")
    phone.get_by_label("Search by name").fill("chien")
    phone.get_by_role("button", name="Check in Mr Hà Trung Chiến").click()
    green = result(phone, "green")
    expect(green).to_be_visible()
    expect(green).to_contain_text("Hà Trung Chiến")
    assert check_ins(live_server, door.delegate_id) == 1

    # Offline, the device searches its own list, in any script.
    phone.locator(RESULT).click()
    phone.context.set_offline(True)
    phone.get_by_label("Search by name").fill("ใจดี")
    expect(phone.locator('[data-field="search-status"]')).to_contain_text("this device's list")
    phone.get_by_role("button", name="Check in Dr Somchai Jaidee").click()
    expect(result(phone, "green")).to_be_visible()
    expect(phone.locator('[data-field="queue"]')).to_have_text("1 waiting to sync")


def test_offline_refusals_match_the_server(live_server, door, phone):
    """Offline, the device refuses what the server would: with the same reasons."""
    from conference.badges.services import badge_token, reissue_badge
    from conference.registration.models import Registration
    from conference.registration.places import change_status

    with live_server.app.app_context():
        event = db.session.get(Registration, door.delegate_id).event
        reissued = make_registration(event, make_category(event, "Speaker"), given_name="Lan")
        old_token = badge_token(reissued)
        reissue_badge(reissued)
        cancelled = make_registration(event, make_category(event, "Press"), given_name="Minh")
        cancelled_token = badge_token(cancelled)
        change_status(cancelled, "cancel", notify_delegate=False)
        pending = make_registration(
            event, make_category(event, "Observer", requires_approval=True), given_name="Hoa"
        )
        pending_token = badge_token(pending)
        elsewhere = make_event(start_date=date.today(), end_date=date.today())
        other_token = badge_token(make_registration(elsewhere, make_category(elsewhere, "D")))
        db.session.commit()
        db.session.remove()
    # One changed character in the signature: a forgery.
    forged = door.delegate_token[:-3] + ("A" if door.delegate_token[-3] != "A" else "B")
    forged += door.delegate_token[-2:]

    open_scanner(phone, live_server, door.slug)
    phone.context.set_offline(True)
    expect(phone.locator('[data-field="connection"]')).to_contain_text("Offline")
    red = result(phone, "red")
    for token, reason in [
        (old_token, "replaced by a newer one"),
        (cancelled_token, "This registration is cancelled."),
        (pending_token, "not confirmed (pending approval)"),
        (other_token, "This badge is for another event."),
        (forged, "altered or forged"),
        (door.delegate_token[:60], "incomplete"),
        ("A" * 500, "This is not a badge code."),
    ]:
        wedge_scan(phone, token)
        expect(red).to_contain_text(reason)
        if token == cancelled_token:
            shot = SCREENSHOTS / "scanner_red_cancelled.png"
            phone.screenshot(path=str(shot), animations="disabled")
        phone.locator(RESULT).click()
    expect(phone.locator('[data-field="queue"]')).to_have_text("0 waiting to sync")


def test_a_stale_csrf_token_is_renewed_without_losing_the_scan(live_server, door, phone):
    open_scanner(phone, live_server, door.slug)
    phone.locator("#scanner").evaluate("(el) => { el.dataset.csrf = 'stale'; }")
    wedge_scan(phone, door.delegate_token)
    expect(result(phone, "green")).to_be_visible()
    expect(phone.locator('[data-field="queue"]')).to_have_text("0 waiting to sync")
    assert check_ins(live_server, door.delegate_id) == 1


def test_room_mode_admits_the_signed_up_and_refuses_the_others(live_server, door, phone):
    """Room check-in for a session for signed-up delegates only, online and then offline."""
    from datetime import datetime

    from conference.agenda.models import AgendaSession, AgendaSignup, Room
    from conference.agenda.publishing import publish
    from conference.dbtypes import utcnow
    from conference.registration.models import Registration

    with live_server.app.app_context():
        event = db.session.get(Registration, door.delegate_id).event
        today = utcnow().astimezone(event.tz).date()
        room = Room(event_id=event.id, name="Room B", capacity=40)
        session = AgendaSession(
            event_id=event.id,
            kind="parallel",
            title="Son La: no one left behind",
            room=room,
            starts_at=datetime.combine(today, datetime.min.time(), event.tz).replace(hour=14),
            ends_at=datetime.combine(today, datetime.min.time(), event.tz).replace(hour=15),
            signed_up_only=True,
        )
        db.session.add_all([room, session])
        db.session.flush()
        db.session.add(AgendaSignup(registration_id=door.delegate_id, session_id=session.id))
        publish(event)  # room mode offers the sessions of the published agenda
        db.session.commit()
        session_id = session.id
        db.session.remove()

    open_scanner(phone, live_server, door.slug, station="Room B door")
    mode = phone.locator('[data-field="mode"]')
    expect(mode).to_contain_text("Entrance (day)")
    mode.click()
    dialog = phone.get_by_role("dialog")
    dialog.get_by_label("Checking in for").select_option(
        label="Room: 14:00–15:00 Room B — Son La: no one left behind (signed-up only)"
    )
    phone.screenshot(path=str(SCREENSHOTS / "scanner_room_choose.png"), animations="disabled")
    dialog.get_by_role("button", name="Start scanning").click()
    expect(mode).to_contain_text("Room: Son La: no one left behind")
    expect(mode).to_contain_text("signed-up delegates only")
    expect(phone.locator("#scanner")).to_have_attribute("data-mode", f"session:{session_id}")
    phone.screenshot(path=str(SCREENSHOTS / "scanner_room_mode.png"), animations="disabled")

    wedge_scan(phone, door.vip_token)  # the VIP did not sign up
    red = result(phone, "red")
    expect(red).to_contain_text("Not signed up")
    expect(red).to_contain_text("Not signed up for “Son La: no one left behind”")
    expect(red).to_contain_text("สมชาย ใจดี")
    phone.screenshot(
        path=str(SCREENSHOTS / "scanner_room_not_signed_up.png"), animations="disabled"
    )
    phone.locator(RESULT).click()

    wedge_scan(phone, door.delegate_token)
    green = result(phone, "green")
    expect(green).to_contain_text("Checked in")
    expect(green).to_contain_text("Room: Son La: no one left behind")
    phone.locator(RESULT).click()
    assert check_ins(live_server, door.delegate_id) == 1

    # The mode is remembered, like the station.
    phone.reload()
    expect(phone.locator("#scanner")).to_have_attribute("data-offline-ready", "1")
    expect(mode).to_contain_text("Room: Son La: no one left behind")

    # Offline, the device applies the same rule with the sign-ups it keeps.
    phone.context.set_offline(True)
    expect(phone.locator('[data-field="connection"]')).to_contain_text("Offline")
    wedge_scan(phone, door.vip_token)
    red = result(phone, "red")
    expect(red).to_contain_text("Not signed up for “Son La: no one left behind”")
    expect(red).to_contain_text("offline")
    phone.locator(RESULT).click()
    wedge_scan(phone, door.delegate_token)
    expect(result(phone, "amber")).to_contain_text("at Room B door")
    expect(phone.locator('[data-field="queue"]')).to_have_text("1 waiting to sync")

    phone.context.set_offline(False)
    expect(phone.locator('[data-field="queue"]')).to_have_text("0 waiting to sync", timeout=15_000)
    assert check_ins(live_server, door.delegate_id) == 1  # the room's, still only one
    assert check_ins(live_server, door.vip_id) == 0
    logs = scan_logs(live_server, door.vip_id)
    assert [action for action, _ in logs] == ["refused"]  # the online refusal, in the log


def test_offline_a_room_mode_of_another_day_is_refused_like_the_server_does(
    live_server, door, phone
):
    """A session takes room check-ins only on the event-local day it starts on: a device
    left offline in yesterday's room mode refuses, in the server's words, and queues nothing."""
    from datetime import datetime

    from conference.agenda.models import AgendaSession, Room
    from conference.agenda.publishing import publish
    from conference.dbtypes import utcnow
    from conference.registration.models import Registration

    with live_server.app.app_context():
        event = db.session.get(Registration, door.delegate_id).event
        start = datetime.combine(
            utcnow().astimezone(event.tz).date(), datetime.min.time(), event.tz
        )
        room = Room(event_id=event.id, name="Lotus Room", capacity=40)
        session = AgendaSession(
            event_id=event.id,
            kind="parallel",
            title="Learning cities for all",
            room=room,
            starts_at=start.replace(hour=14),
            ends_at=start.replace(hour=15),
        )
        db.session.add_all([room, session])
        db.session.flush()
        publish(event)
        db.session.commit()
        session_id = session.id
        db.session.remove()

    open_scanner(phone, live_server, door.slug, station="Lotus Room door")
    phone.locator('[data-field="mode"]').click()
    dialog = phone.get_by_role("dialog")
    dialog.get_by_label("Checking in for").select_option(str(session_id))
    dialog.get_by_role("button", name="Start scanning").click()
    expect(phone.locator("#scanner")).to_have_attribute("data-mode", f"session:{session_id}")

    # Offline since today, still in today's room mode tomorrow morning.
    phone.context.set_offline(True)
    expect(phone.locator('[data-field="connection"]')).to_contain_text("Offline")
    phone.clock.set_fixed_time(start + timedelta(days=1, hours=9))
    wedge_scan(phone, door.delegate_token)
    red = result(phone, "red")
    expect(red).to_contain_text("Not today")
    expect(red).to_contain_text(
        f"“Learning cities for all” is on {start:%A} {start.day} {start:%B} "
        "(14:00–15:00, Asia/Bangkok), not today: choose one of today's sessions."
    )
    expect(red).to_contain_text("offline")
    phone.locator(RESULT).click()
    expect(phone.locator('[data-field="queue"]')).to_have_text("0 waiting to sync")
    assert check_ins(live_server, door.delegate_id) == 0
