"""`parse_phone` checks Brazilian numbers against `phonenumbers`' metadata without parsing them
again: these properties prove it answers exactly what `phonenumbers.is_valid_number` answers."""

from __future__ import annotations

from unittest import mock

import phonenumbers
from hypothesis import given, settings
from hypothesis import strategies as st

from cobrador_desktop.domain import phone as phone_module
from cobrador_desktop.domain.errors import InvalidPhone
from cobrador_desktop.domain.phone import is_valid_brazilian_national, known_ddds, parse_phone

DIGIT = st.sampled_from("0123456789")
#: known DDDs and a few unused ones (20, 23, 25, 26, 29, 30, 36, 39, 40, 50, 52, 56-60, 70, 72...)
DDD = st.one_of(st.sampled_from(known_ddds()), st.integers(10, 99).map(str))


def _library_says(national: str) -> bool:
    return bool(phonenumbers.is_valid_number(phonenumbers.parse("+55" + national, None)))


def _subscriber(first: str, length: int) -> st.SearchStrategy[str]:
    return st.lists(DIGIT, min_size=length - 1, max_size=length - 1).map(
        lambda rest: first + "".join(rest))


SUBSCRIBER = st.one_of(
    st.sampled_from("0123456789").flatmap(lambda first: _subscriber(first, 9)),  # 9-digit
    st.sampled_from("0123456789").flatmap(lambda first: _subscriber(first, 8)),  # 8-digit
    st.sampled_from(["9", "7"]).flatmap(lambda first: _subscriber(first, 9)),
    st.sampled_from(["2", "3", "4", "5"]).flatmap(lambda first: _subscriber(first, 8)),
    st.sampled_from(["300", "400", "800", "900", "500"]).flatmap(
        lambda first: _subscriber(first, 7)))


@settings(max_examples=1500, deadline=None)
@given(ddd=DDD, subscriber=SUBSCRIBER)
def test_validity_is_the_library_s_on_ddd_plus_subscriber(ddd: str, subscriber: str) -> None:
    national = ddd + subscriber
    assert is_valid_brazilian_national(national) == _library_says(national)


@settings(max_examples=1000, deadline=None)
@given(st.lists(DIGIT, min_size=6, max_size=13).map("".join))
def test_validity_is_the_library_s_on_any_digits(national: str) -> None:
    assert is_valid_brazilian_national(national) == _library_says(national)


def _reference(text: str) -> tuple[str, str] | None:
    """`parse_phone` as it was: validated by parsing the E.164 with `phonenumbers`."""
    with mock.patch.object(phone_module, "is_valid_brazilian_national", _library_says):
        try:
            parsed = parse_phone(text)
        except InvalidPhone:
            return None
    return parsed.e164, parsed.kind.value


def _fast(text: str) -> tuple[str, str] | None:
    try:
        parsed = parse_phone(text)
    except InvalidPhone:
        return None
    return parsed.e164, parsed.kind.value


@st.composite
def writings(draw: st.DrawFn) -> str:
    """A Brazilian number written one of the ways shops write them."""
    ddd, subscriber = draw(DDD), draw(SUBSCRIBER)
    head, tail = subscriber[:-4], subscriber[-4:]
    style = draw(st.sampled_from([
        "({ddd}) {head}-{tail}", "{ddd} {head}-{tail}", "{ddd}{head}{tail}",
        "+55 {ddd} {head}-{tail}", "+55 ({ddd}) {head} {tail}", "+55{ddd}{head}{tail}",
        "55{ddd}{head}{tail}", "0{ddd} {head}-{tail}", "0xx{ddd} {head}-{tail}",
        "0 21 {ddd} {head}-{tail}", "{ddd}.{head}.{tail}", "0055 {ddd} {head}{tail}",
    ]))
    return style.format(ddd=ddd, head=head, tail=tail)


@settings(max_examples=1500, deadline=None)
@given(writings())
def test_parse_phone_gives_what_the_library_check_gave(text: str) -> None:
    assert _fast(text) == _reference(text)


def test_the_generated_numbers_include_valid_and_invalid_ones() -> None:
    # the properties above would prove little if every number were rejected (or accepted)
    assert _fast("(11) 98765-4321") == ("+5511987654321", "mobile")
    assert _fast("(11) 8765-4321") == ("+5511987654321", "mobile")  # old 8-digit mobile
    assert _fast("+55 21 3333-4444") == ("+552133334444", "landline")
    assert _fast("(11) 1234-5678") is None  # a subscriber starting 1 is no line
    assert _library_says("11987654321") and not _library_says("11187654321")
