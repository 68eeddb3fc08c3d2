"""secret: a string that never shows itself."""

from __future__ import annotations

import pickle

from mypref_harness.secret import Secret, as_secret, reveal


def test_secret_equality_is_by_value():
    assert Secret("abcd") == Secret("abcd")
    assert Secret("abcd") != Secret("abce")
    assert not Secret("")


def test_reveal_and_as_secret_pass_none_and_plain_strings_through():
    assert reveal(None) is None
    assert reveal("plain") == "plain"
    assert reveal(Secret("wrapped")) == "wrapped"
    assert as_secret(None) is None
    wrapped = Secret("already")
    assert as_secret(wrapped) is wrapped
    assert as_secret("text") == Secret("text")


def test_a_secret_never_shows_itself_but_survives_pickle():
    value = Secret("never-shown-1234")
    for text in (repr(value), str(value), f"{value}", f"{value:>30}"):
        assert "never-shown-1234" not in text
    assert pickle.loads(pickle.dumps(value)).reveal() == "never-shown-1234"  # noqa: S301 - our own bytes
