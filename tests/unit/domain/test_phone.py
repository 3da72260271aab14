"""Brazilian phones: every writing to E.164, the 9th digit, DDD -> UF/zone, WhatsApp ids."""

from __future__ import annotations

import random
import re

import pytest

from cobrador_desktop.domain.errors import InvalidPhone
from cobrador_desktop.domain.phone import (
    BrPhone,
    PhoneKind,
    e164_candidates_for_wa_id,
    known_ddds,
    parse_phone,
    timezones_for_ddd,
    uf_for_ddd,
    ufs_for_ddd,
    wa_id_for,
    wa_id_matches,
)

MOBILE, LANDLINE, UNKNOWN = PhoneKind.MOBILE, PhoneKind.LANDLINE, PhoneKind.UNKNOWN


@pytest.mark.parametrize(("text", "e164", "kind"), [
    ("(11) 98765-4321", "+5511987654321", MOBILE),
    ("(11) 8765-4321", "+5511987654321", MOBILE),        # old 8-digit mobile gets the 9
    ("11 8765 4321", "+5511987654321", MOBILE),
    ("11 6123-4567", "+5511961234567", MOBILE),
    ("11 3333-4444", "+551133334444", LANDLINE),
    ("(11) 2222-3333", "+551122223333", LANDLINE),
    ("+55 (21) 9 8888-7777", "+5521988887777", MOBILE),
    ("+55 21 8888-7777", "+5521988887777", MOBILE),
    ("+5521988887777", "+5521988887777", MOBILE),
    ("021 21 98888-7777", "+5521988887777", MOBILE),     # 0 + carrier + DDD
    ("0 21 11 98765-4321", "+5511987654321", MOBILE),
    ("0 15 11 3333-4444", "+551133334444", LANDLINE),
    ("011 98765-4321", "+5511987654321", MOBILE),        # 0 + DDD
    ("(011) 3333-4444", "+551133334444", LANDLINE),
    ("0xx11 98765-4321", "+5511987654321", MOBILE),
    ("(0XX11) 8765-4321", "+5511987654321", MOBILE),
    ("0 xx 21 3333.4444", "+552133334444", LANDLINE),
    ("5511987654321", "+5511987654321", MOBILE),
    ("55 11 8765-4321", "+5511987654321", MOBILE),
    ("0055 11 98765-4321", "+5511987654321", MOBILE),
    ("11.98765.4321", "+5511987654321", MOBILE),
    ("11987654321", "+5511987654321", MOBILE),
    ("1187654321", "+5511987654321", MOBILE),
    ("55 98765-4321", "+5555987654321", MOBILE),          # DDD 55 (Santa Maria, RS)
    ("55 3222-1111", "+555532221111", LANDLINE),
    ("\u00a0(11)\u00a098765\u20114321 ", "+5511987654321", MOBILE),
    ("+55 11 98765-4321", "+5511987654321", MOBILE),
])
def test_parse_brazilian_writings(text: str, e164: str, kind: PhoneKind) -> None:
    phone = parse_phone(text)
    assert phone.e164 == e164
    assert phone.kind is kind
    assert phone.ddd == e164[3:5]
    assert phone.is_brazilian


@pytest.mark.parametrize("text", [
    "", "   ", "garbage", "11 9876-543a", "ramal 123", "1234", "98765-4321",  # no DDD
    "11 8765-432",                  # too short (10 digits would be an old mobile)
    "11 98765-43210",               # too long for a number with DDD, and not +55 either
    "(11) 1234-5678",               # 8 digits starting 1: service code, not a subscriber
    "(11) 88765-4321",              # 9 digits must start with 9
    "(10) 98765-4321",              # DDD 10 does not exist
    "(20) 3333-4444", "(23) 98765-4321", "(00) 98765-4321",
    "+55 10 98765-4321", "+55 11 8765", "+", "++55 11 98765-4321", "11 +98765-4321",
    "+999 1234 5678",               # no such country
    "+1 415 555",                   # foreign but too short
    "0 98765-4321",
    "11 98765-4321 ramal 2",
])
def test_parse_rejects_garbage(text: str) -> None:
    with pytest.raises(InvalidPhone) as info:
        parse_phone(text)
    assert info.value.params["value"] == text


def test_brazilian_phone_carries_state_zone_and_national_form() -> None:
    phone = parse_phone("(11) 8765-4321")
    assert phone == BrPhone(e164="+5511987654321", kind=MOBILE, ddd="11", uf="SP",
                            timezones=("America/Sao_Paulo",))
    assert phone.national == "(11) 98765-4321"
    assert phone.wa_id == "5511987654321"
    assert parse_phone("11 3333-4444").national == "(11) 3333-4444"


@pytest.mark.parametrize(("text", "e164", "kind", "zone"), [
    ("+1 (415) 555-2671", "+14155552671", UNKNOWN, "America/Los_Angeles"),  # NANP: fixed or mobile
    ("+351 912 345 678", "+351912345678", MOBILE, "Europe/Lisbon"),
    ("+44 7911 123456", "+447911123456", MOBILE, "Europe/London"),
    ("+44 20 7946 0958", "+442079460958", LANDLINE, "Europe/London"),
    ("+595 21 123 4567", "+595211234567", LANDLINE, "America/Asuncion"),
])
def test_foreign_numbers_need_a_plus(text: str, e164: str, kind: PhoneKind, zone: str) -> None:
    phone = parse_phone(text)
    assert (phone.e164, phone.kind, phone.ddd, phone.uf) == (e164, kind, None, None)
    assert zone in phone.timezones
    assert "Etc/Unknown" not in phone.timezones
    assert not phone.is_brazilian
    assert phone.national.startswith("+")  # a foreign number is shown with its country code


def test_foreign_number_without_plus_is_read_as_brazilian_or_refused() -> None:
    with pytest.raises(InvalidPhone):
        parse_phone("351 912 345 678")


@pytest.mark.parametrize(("ddd", "uf"), [
    ("11", "SP"), ("19", "SP"), ("21", "RJ"), ("24", "RJ"), ("27", "ES"), ("31", "MG"),
    ("38", "MG"), ("41", "PR"), ("47", "SC"), ("51", "RS"), ("55", "RS"), ("61", "DF"),
    ("62", "GO"), ("63", "TO"), ("64", "GO"), ("65", "MT"), ("67", "MS"), ("68", "AC"),
    ("69", "RO"), ("71", "BA"), ("79", "SE"), ("81", "PE"), ("82", "AL"), ("83", "PB"),
    ("84", "RN"), ("85", "CE"), ("86", "PI"), ("87", "PE"), ("91", "PA"), ("92", "AM"),
    ("95", "RR"), ("96", "AP"), ("97", "AM"), ("98", "MA"), ("99", "MA"),
    ("10", None), ("20", None), ("23", None), ("36", None), ("52", None), ("90", None),
    ("", None), ("1", None), ("111", None),
])
def test_uf_for_ddd(ddd: str, uf: str | None) -> None:
    assert uf_for_ddd(ddd) == uf


def test_ddd_table_is_complete() -> None:
    ddds = known_ddds()
    assert len(ddds) == 67
    assert set(ddds) >= {"11", "55", "61", "68", "81", "97", "99"}
    states = {uf_for_ddd(d) for d in ddds}
    assert len(states) == 27  # 26 states and the Federal District
    for ddd in ddds:
        assert re.fullmatch(r"[1-9][1-9]", ddd)
        assert timezones_for_ddd(ddd), ddd
        assert all(zone.startswith("America/") for zone in timezones_for_ddd(ddd))


def test_ddd_61_serves_df_and_goias() -> None:
    assert ufs_for_ddd("61") == ("DF", "GO")
    assert parse_phone("61 99876-5432").ufs == ("DF", "GO")
    assert ufs_for_ddd("11") == ("SP",)
    assert ufs_for_ddd("10") == ()


@pytest.mark.parametrize(("ddd", "zones"), [
    ("11", ("America/Sao_Paulo",)),
    ("61", ("America/Sao_Paulo",)),
    ("92", ("America/Manaus",)),
    ("97", ("America/Manaus", "America/Eirunepe")),   # western Amazonas is UTC-5
    ("68", ("America/Rio_Branco",)),
    ("65", ("America/Cuiaba",)),
    ("67", ("America/Campo_Grande",)),
    ("69", ("America/Porto_Velho",)),
    ("95", ("America/Boa_Vista",)),
    ("81", ("America/Recife", "America/Noronha")),    # Fernando de Noronha dials 81
    ("85", ("America/Fortaleza",)),
    ("71", ("America/Bahia",)),
    ("10", ()),
])
def test_timezones_for_ddd(ddd: str, zones: tuple[str, ...]) -> None:
    assert timezones_for_ddd(ddd) == zones


def test_every_zone_exists_in_the_tz_database() -> None:
    zoneinfo = pytest.importorskip("zoneinfo")
    available = zoneinfo.available_timezones()
    if not available:
        pytest.skip("no IANA time zone database on this machine")
    for ddd in known_ddds():
        for zone in timezones_for_ddd(ddd):
            assert zone in available, (ddd, zone)


# ---------------------------------------------------------------- WhatsApp ids


def test_wa_id_for() -> None:
    assert wa_id_for("+5511987654321") == "5511987654321"
    assert wa_id_for("+14155552671") == "14155552671"


@pytest.mark.parametrize(("wa_id", "e164", "matches"), [
    ("5511987654321", "+5511987654321", True),   # exact
    ("551187654321", "+5511987654321", True),    # Meta's id without the 9th digit
    ("5511987654321", "+551187654321", True),    # a stored old number, a new id
    ("556198765432", "+5561998765432", True),
    ("551187654321", "+5511987654322", False),   # another number
    ("551187654321", "+5521987654321", False),   # another DDD
    ("551133334444", "+551133334444", True),     # landline, exact
    ("551133334444", "+5511933334444", False),   # a landline is not a mobile of someone else
    ("5511933334444", "+551133334444", False),
    ("14155552671", "+14155552671", True),
    ("1415555267", "+14155552671", False),
    ("", "+5511987654321", False),
    ("551087654321", "+5510987654321", False),   # no DDD 10: no 9th-digit guess
])
def test_wa_id_matches(wa_id: str, e164: str, matches: bool) -> None:
    assert wa_id_matches(wa_id, e164) is matches


@pytest.mark.parametrize(("wa_id", "candidates"), [
    ("551187654321", ("+5511987654321", "+551187654321")),
    ("5511987654321", ("+5511987654321", "+551187654321")),
    ("551133334444", ("+551133334444",)),
    ("5511933334444", ("+5511933334444",)),
    ("14155552671", ("+14155552671",)),
    ("+55 11 8765-4321", ("+5511987654321", "+551187654321")),
    ("", ()),
])
def test_e164_candidates_for_wa_id(wa_id: str, candidates: tuple[str, ...]) -> None:
    assert e164_candidates_for_wa_id(wa_id) == candidates


def test_random_numbers_round_trip_through_every_writing() -> None:
    rng = random.Random(3)
    ddds = known_ddds()
    for _ in range(1500):
        ddd = rng.choice(ddds)
        old_style = rng.random() < 0.4
        first = rng.choice("6789") if old_style else rng.choice("2345")
        core = first + "".join(rng.choice("0123456789") for _ in range(7))
        if not old_style and rng.random() < 0.5:
            core, kind = "9" + rng.choice("6789") + core[1:], MOBILE  # modern mobile
        else:
            kind = MOBILE if old_style else LANDLINE
        phone = parse_phone(f"({ddd}) {core[:-4]}-{core[-4:]}")
        assert phone.kind is kind
        assert phone.uf == uf_for_ddd(ddd)
        expected = f"+55{ddd}{'9' + core if old_style else core}"
        assert phone.e164 == expected
        for writing in (phone.e164, phone.national, wa_id_for(phone.e164), f"0{ddd}{core}",
                        f"0 41 {ddd} {core}", f"0xx{ddd} {core}"):
            assert parse_phone(writing) == phone, writing
        # Meta may answer with either form of a mobile; both find the stored number.
        for candidate in e164_candidates_for_wa_id(wa_id_for(phone.e164)):
            assert wa_id_matches(wa_id_for(candidate), phone.e164)
        assert e164_candidates_for_wa_id(wa_id_for(phone.e164))[0] == phone.e164
