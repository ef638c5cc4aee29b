"""The PDF structure check runs in a child process that a hostile file cannot hang or
exhaust: no app, no database."""

import io
import resource
import tempfile

import pytest

from conference.papers import pdf_probe
from conference.papers.pdf_probe import Verdict, probe

from . import samples


def test_a_real_pdf_passes_with_its_page_count():
    assert probe(io.BytesIO(samples.handwritten_pdf(pages=4))) == Verdict("ok", 4)


def test_the_upload_s_temporary_file_is_handed_over_and_left_at_its_start():
    with tempfile.TemporaryFile() as spool:
        spool.write(samples.pdf_bytes())
        spool.seek(7)
        assert probe(spool).ok
        assert spool.tell() == 0


@pytest.mark.parametrize(
    ("build", "reason"),
    [
        (samples.svg_with_pdf_marker, "not_pdf"),
        (samples.executable_with_pdf_marker, "not_pdf"),
        (samples.html_after_pdf_marker, "not_pdf"),
        (samples.encrypted_pdf, "encrypted"),
        (lambda: samples.handwritten_pdf(pages=0), "no_pages"),
    ],
)
def test_what_is_not_a_readable_pdf_is_named(build, reason):
    assert probe(io.BytesIO(build())).reason == reason


def test_the_check_is_stopped_at_its_time_limit():
    # "too_slow" is the verdict only of a child stopped at its limit (it would otherwise
    # run far longer than the limit on this file).
    verdict = probe(io.BytesIO(samples.long_array_pdf()), seconds=1)
    assert verdict.reason == "too_slow"


def test_the_check_is_stopped_at_its_memory_limit_and_this_process_is_untouched():
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    verdict = probe(io.BytesIO(samples.long_array_pdf()), seconds=60, memory=256 << 20)
    assert verdict.reason == "too_large"
    # The parse needs ~400 MB; none of it was spent here.
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 50 * 1024


def test_the_default_limits_are_ten_seconds_and_768_mib():
    assert (pdf_probe.SECONDS, pdf_probe.MEMORY) == (10, 768 * 1024 * 1024)
