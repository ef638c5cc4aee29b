"""Files are written whole or not at all."""

import pytest

from conference.files import atomic_write


def test_the_file_appears_only_when_complete(tmp_path):
    target = tmp_path / "badges.pdf"
    with atomic_write(target) as out:
        out.write(b"%PDF-1.4 first half")
        assert not target.exists()
        assert (tmp_path / "badges.pdf.part").exists()
        out.write(b" second half")
    assert target.read_bytes() == b"%PDF-1.4 first half second half"
    assert list(tmp_path.iterdir()) == [target]


def test_a_failure_keeps_the_old_file_and_leaves_no_partial(tmp_path):
    target = tmp_path / "programme.pdf"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError), atomic_write(target, durable=True) as out:
        out.write(b"half of the new")
        raise RuntimeError("the renderer failed")
    assert target.read_bytes() == b"old"
    assert list(tmp_path.iterdir()) == [target]


def test_a_chosen_partial_name_is_used_and_cleaned(tmp_path):
    target = tmp_path / "7.pdf"
    partial = tmp_path / "7.2.part"
    with pytest.raises(KeyboardInterrupt), atomic_write(target, partial) as out:
        out.write(b"x")
        assert partial.exists()
        raise KeyboardInterrupt
    assert not partial.exists() and not target.exists()
