"""The service workers' asset lists, generated from the pages' templates: every file the
scanner and the badge page load is kept for offline use, and the cache's name follows the
files' contents."""

import re

import pytest
from jinja2 import DictLoader, Environment

from conference.assets import fingerprint, page_assets, referenced_files, template_assets
from conference.registration.links import manage_token
from tests.factories import give_role, make_category, make_event, make_registration, make_user

STATIC_URL = re.compile(r'(?:src|href|data-[\w-]+)="(/static/[^"?#]+)')


def worker_list(script: str) -> tuple[str, list[str]]:
    cache = re.search(r'const CACHE = "([^"]+)"', script).group(1)
    assets = re.search(r'const ASSETS = "([^"]*)"', script).group(1).split()
    return cache, assets


def loaded_files(app, page: str) -> set[str]:
    """The static files a rendered page loads: its tags and data attributes, then what those
    modules import and those stylesheets use."""
    pending = [url.removeprefix("/static/") for url in STATIC_URL.findall(page)]
    found: set[str] = set()
    while pending:
        name = pending.pop()
        if name not in found:
            found.add(name)
            pending.extend(referenced_files(app.static_folder, name))
    return found


def test_the_scanner_worker_keeps_every_file_the_scanner_loads(app, client, db, login):
    event = make_event()
    staff = make_user()
    give_role(event, staff, "checkin")
    db.session.commit()
    login(staff)
    page = client.get(f"/events/{event.slug}/checkin")
    assert page.status_code == 200
    worker = client.get(f"/events/{event.slug}/checkin/sw.js")
    cache, assets = worker_list(worker.text)
    loaded = loaded_files(app, page.text)
    assert {"js/checkin/scanner.js", "js/checkin/verdict.js", "js/fold.js"} <= loaded
    assert "vendor/zxing-wasm-3.1.3/zxing_reader.wasm" in loaded
    assert {f"/static/{name}" for name in loaded} <= set(assets)
    assert re.fullmatch(r"checkin-scanner-[0-9a-f]{16}", cache)


def test_the_badge_worker_keeps_the_badge_page_and_every_file_it_loads(app, client, db):
    event = make_event()
    person = make_registration(event, make_category(event, "Delegate"))
    db.session.commit()
    base = f"/events/{event.slug}/manage/{manage_token(person)}"
    page = client.get(f"{base}/badge")
    assert page.status_code == 200
    worker = client.get(f"{base}/badge-sw.js")
    cache, assets = worker_list(worker.text)
    assert f'const PAGE = "{base}/badge";' in worker.text
    loaded = loaded_files(app, page.text)
    assert {"js/badge.js", "js/app.js", "css/fonts.css"} <= loaded
    assert {f"/static/{name}" for name in loaded} <= set(assets)
    assert re.fullmatch(r"my-badge-[0-9a-f]{16}", cache)


def test_static_files_are_found_through_extends_and_includes():
    env = Environment(
        autoescape=True,
        loader=DictLoader(
            {
                "base.html": "{{ url_for('static', filename='css/app.css') }}"
                "{% include 'part.html' %}{% block body %}{% endblock %}",
                "part.html": "{{ url_for('static', filename='favicon.svg') }}",
                "page.html": "{% extends 'base.html' %}{% block body %}"
                "{{ url_for('static', filename='js/page.js') }}"
                "{{ url_for('other', filename='not-static.js') }}{% endblock %}",
            }
        ),
    )
    assert sorted(template_assets(env, "page.html")) == ["css/app.css", "favicon.svg", "js/page.js"]


def test_modules_and_stylesheets_name_what_they_load(tmp_path):
    (tmp_path / "js" / "lib").mkdir(parents=True)
    (tmp_path / "css").mkdir()
    (tmp_path / "js" / "page.js").write_text(
        'import { a } from "./lib/a.js";\n'
        "import {\n  b,\n  c,\n} from './lib/b.js';\n"
        'import "./lib/side.js";\n'
        'export { d } from "../shared.js";\n'
        'const lazy = () => import("./lib/lazy.js");\n'
        'import { x } from "https://elsewhere.example/x.js";\n'
        '// taken from "./not-an-import.js"\n'
    )
    (tmp_path / "css" / "site.css").write_text(
        '@import "base.css";\n'
        'a { background: url("../img/a.png?v=1") }\n'
        "b { background: url(data:image/svg+xml,abc) }\n"
        "c { src: url(../fonts/f.ttf) format('truetype'), url(https://cdn.example/f.woff) }\n"
    )
    assert referenced_files(tmp_path, "js/page.js") == [
        "js/lib/a.js",
        "js/lib/b.js",
        "js/lib/side.js",
        "shared.js",
        "js/lib/lazy.js",
    ]
    assert referenced_files(tmp_path, "css/site.css") == [
        "css/base.css",
        "img/a.png",
        "fonts/f.ttf",
    ]


def test_a_file_named_but_missing_is_an_error(tmp_path):
    page = "{{ url_for('static', filename='js/p.js') }}"
    env = Environment(autoescape=True, loader=DictLoader({"p.html": page}))
    (tmp_path / "js").mkdir()
    (tmp_path / "js" / "p.js").write_text('import "./gone.js";\n')
    with pytest.raises(FileNotFoundError, match="js/gone.js"):
        page_assets(env, tmp_path, "p.html")


def test_the_version_changes_with_any_file_and_only_then(tmp_path):
    (tmp_path / "a.js").write_text("one")
    (tmp_path / "b.css").write_text("two")
    first = fingerprint(tmp_path, ["a.js", "b.css"])
    assert fingerprint(tmp_path, ["a.js", "b.css"]) == first
    (tmp_path / "b.css").write_text("three")
    assert fingerprint(tmp_path, ["a.js", "b.css"]) != first
