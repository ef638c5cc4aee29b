"""The catalogues: every language has every message the delegate-facing code uses, compiled
copies are made when missing or stale, and each catalogue is read once per process."""

import os
import shutil

import pytest
from babel.support import Translations

from conference import catalogues
from conference.languages import TRANSLATED


@pytest.fixture(scope="module")
def used():
    """The messages the code and the templates use (extracted as the CLI does)."""
    return catalogues.extract()


def test_every_language_has_every_message_the_code_uses(used):
    assert len(used) > 200  # the extraction found the marked pages, forms and e-mails
    problems = catalogues.check(used)
    listed = "\n".join(f"{p.code}: {p.problem}: {p.message}" for p in problems[:40])
    assert not problems, f"{len(problems)} problems in the catalogues:\n{listed}"


def test_a_message_missing_or_unconfirmed_or_with_a_lost_placeholder_is_found(used, tmp_path):
    source = tmp_path / "translations"
    shutil.copytree(catalogues.SOURCE / "th", source / "th")
    path = catalogues.catalogue_path("th", source)
    catalogue = catalogues.read_catalogue(path, "th")
    del catalogue["Register"]
    catalogue["Dear %(name)s,"].flags.add("fuzzy")
    catalogue["Register for %(event)s"].string = "ลงทะเบียน"  # the event's name lost
    catalogues.write_catalogue(catalogue, path)

    problems = {
        (p.message, p.problem.split(":")[0]) for p in catalogues.check(used, source, ["th"])
    }
    assert ("Register", "missing") in problems
    assert ("Dear %(name)s,", "fuzzy") in problems
    assert any(message == "Register for %(event)s" for message, _ in problems)


def test_update_adds_new_messages_and_keeps_translations(tmp_path):
    source = tmp_path / "translations"
    shutil.copytree(catalogues.SOURCE / "vi", source / "vi")
    used = catalogues.extract()
    used.add("A message added today")
    catalogues.update(used, source, ["vi", "km"])
    vietnamese = catalogues.read_catalogue(catalogues.catalogue_path("vi", source), "vi")
    assert vietnamese["A message added today"].string == ""
    assert vietnamese["Register"].string  # kept
    khmer = catalogues.catalogue_path("km", source)
    assert khmer.exists()  # a language without a catalogue gets one


def test_catalogues_are_compiled_when_missing_or_stale_and_not_otherwise(tmp_path):
    source = tmp_path / "translations"
    shutil.copytree(catalogues.SOURCE / "ja", source / "ja")
    target = tmp_path / "compiled"
    [mo] = catalogues.compile_all(source, target)
    assert mo == catalogues.catalogue_path("ja", target, ".mo")
    assert catalogues.compile_all(source, target) == []  # up to date: nothing done
    po = catalogues.catalogue_path("ja", source)
    later = mo.stat().st_mtime + 10
    os.utime(po, (later, later))  # the catalogue changed since
    assert catalogues.compile_all(source, target) == [mo]
    with mo.open("rb") as compiled:
        assert Translations(compiled).gettext("Register") != "Register"


def test_every_language_has_a_catalogue_and_a_glossary():
    for code in TRANSLATED:
        from conference.languages import LANGUAGES

        assert catalogues.catalogue_path(LANGUAGES[code].locale).exists(), code
        assert (catalogues.SOURCE / "glossary" / f"{code}.md").exists(), code


def test_each_catalogue_is_read_once_per_process(app, monkeypatch):
    reads = []
    original = Translations.load.__func__

    def counting(cls, dirname=None, locales=None, domain=None):
        reads.append([str(locale) for locale in locales or ()])
        return original(cls, dirname, locales, domain)

    monkeypatch.setattr(Translations, "load", classmethod(counting))
    client = app.test_client()
    client.get("/?lang=km")
    client.get("/?lang=lo")
    first = len(reads)
    assert first <= 2  # one each at most (none if this process read them already)
    for _ in range(3):
        client.get("/?lang=km")
        client.get("/?lang=lo")
    assert len(reads) == first
