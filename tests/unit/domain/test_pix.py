"""PIX keys and the static BR Code: every vector of COMPLIANCE.md §6.5, round trips, bad input."""

from __future__ import annotations

import binascii
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cobrador_desktop.domain.documents import cnpj_check_digits, cpf_check_digits
from cobrador_desktop.domain.errors import InvalidAmount
from cobrador_desktop.domain.pix import (
    MAX_AMOUNT_CENTS,
    NO_TXID,
    InvalidBrCode,
    InvalidPixAmount,
    InvalidPixCity,
    InvalidPixInfo,
    InvalidPixName,
    InvalidTxid,
    PixCharge,
    build_charge,
    crc16_ccitt_false,
    decode_brcode,
    encode_brcode,
    merchant_text,
    parse_pix_amount,
)
from cobrador_desktop.domain.pix_keys import (
    AmbiguousPixKey,
    InvalidPixKey,
    PixKey,
    PixKeyKind,
    PixPhoneNotMobile,
    parse_pix_key,
)

V1 = ("00020126360014br.gov.bcb.pix0114112223330001815204000053039865406159.905802BR5918LOJA SAO "
      "JOAO LTDA6009SAO PAULO62170513CB00001234P0363041F06")
V2 = ("00020126360014br.gov.bcb.pix0114+55119876543215204000053039865802BR5920MARIA JOSE CONCEICAO"
      "6014RIBEIRAO PRETO62070503***6304AFD5")
V3 = ("00020126690014br.gov.bcb.pix0129financeiro@lojaexemplo.com.br0214Parcela 1 de 35204000053039"
      "8654071234.565802BR5925COMERCIO DE MATERIAIS ARA6013FLORIANOPOLIS62140510ACORDO77P163049756")
V4 = ("00020126580014br.gov.bcb.pix0136123e4567-e89b-12d3-a456-42661417400052040000530398654040.01"
      "5802BR5913OFICINA DO ZE6014BELO HORIZONTE62060502T16304EE5B")
P1 = ("00020126330014BR.GOV.BCB.PIX01111234567890052040000530398654041.005802BR5914Nome Sobrenome60"
      "15Cidade Ficticia62100506LOJA016304C8E4")
N1 = ("00020126360014br.gov.bcb.pix0114112223330001815204000053039865406159.915802BR5918LOJA SAO "
      "JOAO LTDA6009SAO PAULO62170513CB00001234P0363041F06")
N2 = ("00020126360014BR.GOV.BCB.PIX0114+5511943214321520400005303986540566.665802BR5907EMPRESA6008"
      "BRASILIA62080503***6304170E")

VECTORS = [
    pytest.param(dict(key="11222333000181", name="Loja São João Ltda", city="São Paulo",
                      amount_cents=15990, txid="CB00001234P03"), V1, id="V1"),
    pytest.param(dict(key="+5511987654321", name="Maria José Conceição", city="Ribeirão Preto"),
                 V2, id="V2"),
    pytest.param(dict(key="financeiro@lojaexemplo.com.br", info="Parcela 1 de 3",
                      name="Comércio de Materiais Araújo e Filhos", city="Florianópolis",
                      amount_cents=123456, txid="ACORDO77P1"), V3, id="V3"),
    pytest.param(dict(key="123e4567-e89b-12d3-a456-426614174000", name="Oficina do Zé",
                      city="Belo Horizonte", amount_cents=1, txid="T1"), V4, id="V4"),
]


# ------------------------------------------------------------------------------ vectors


@pytest.mark.parametrize(("inputs", "payload"), VECTORS)
def test_encoder_writes_each_vector_exactly(inputs: dict[str, object], payload: str) -> None:
    key = inputs.pop("key")
    assert isinstance(key, str)
    charge = build_charge(key, **inputs)  # type: ignore[arg-type]
    assert encode_brcode(charge) == payload


@pytest.mark.parametrize(("inputs", "payload"), VECTORS)
def test_encode_decode_encode_is_identical(inputs: dict[str, object], payload: str) -> None:
    decoded = decode_brcode(payload)
    assert encode_brcode(decoded.charge) == payload
    assert decoded.initiation is None and decoded.merchant_category == "0000"


@pytest.mark.parametrize("payload", [V1, V2, V3, V4, P1])
def test_crc_of_every_good_vector_agrees_with_binascii(payload: str) -> None:
    body = payload[:-4].encode("ascii")
    assert payload[-8:-4] == "6304"
    assert f"{crc16_ccitt_false(body):04X}" == payload[-4:]
    assert f"{binascii.crc_hqx(body, 0xFFFF):04X}" == payload[-4:]


def test_decoder_reads_the_fields() -> None:
    v1 = decode_brcode(V1).charge
    assert v1 == PixCharge(key="11222333000181", name="LOJA SAO JOAO LTDA", city="SAO PAULO",
                           amount_cents=15990, txid="CB00001234P03")
    assert decode_brcode(V2).charge.amount_cents is None and decode_brcode(V2).charge.txid == "***"
    assert decode_brcode(V3).charge.info == "Parcela 1 de 3"


def test_published_example_with_upper_case_gui_is_accepted() -> None:
    p1 = decode_brcode(P1).charge
    assert (p1.key, p1.name, p1.city, p1.amount_cents, p1.txid) == (
        "12345678900", "Nome Sobrenome", "Cidade Ficticia", 100, "LOJA01")


def test_n1_changed_amount_with_old_crc_is_refused() -> None:
    with pytest.raises(InvalidBrCode, match="CRC não confere"):
        decode_brcode(N1)
    assert f"{crc16_ccitt_false(N1[:-4].encode()):04X}" == "094E"
    assert decode_brcode(N1[:-4] + "094E").charge.amount_cents == 15991


def test_n2_right_crc_but_overrunning_field_is_refused() -> None:
    assert f"{binascii.crc_hqx(N2[:-4].encode(), 0xFFFF):04X}" == N2[-4:]  # the CRC is right
    with pytest.raises(InvalidBrCode, match="passa do tamanho declarado"):
        decode_brcode(N2)


def test_crc_check_value() -> None:
    assert crc16_ccitt_false(b"123456789") == 0x29B1


@given(st.binary(max_size=300))
def test_crc_agrees_with_binascii(data: bytes) -> None:
    assert crc16_ccitt_false(data) == binascii.crc_hqx(data, 0xFFFF)


# ------------------------------------------------------------------------------ decoder


def _with_crc(body: str) -> str:
    body += "6304"
    return body + f"{crc16_ccitt_false(body.encode()):04X}"


def _field(tag: str, value: str) -> str:
    return f"{tag}{len(value):02d}{value}"


def _code(*, account: str = _field("00", "br.gov.bcb.pix") + _field("01", "+5511987654321"),
          head: str = "000201", middle: str = "52040000" + "5303986" + "5802BR",
          name: str = "5907EMPRESA", city: str = "6008BRASILIA", extra: str = "",
          additional: str = _field("05", "***")) -> str:
    return _with_crc(head + _field("26", account) + middle + name + city + extra
                     + _field("62", additional))


def test_the_code_helper_makes_a_valid_code() -> None:
    assert decode_brcode(_code()).charge.name == "EMPRESA"


def test_crc_hex_is_compared_case_insensitively() -> None:
    assert V1.endswith("1F06")
    assert decode_brcode(V1[:-4] + "1f06").charge.amount_cents == 15990


@pytest.mark.parametrize(("payload", "why"), [
    (_code(head="000202"), "000201"),
    (_code()[:-8] + "6305" + _code()[-4:] + "0", "termina com o CRC"),
    (_code() + "00", "campo malformado na posição 110"),  # the code has 109 characters
    (_code()[:-1], "passa do tamanho declarado na posição 102"),  # 6304 + 3 hex digits
    (_code(middle="5303986" + "5802BR"), r"obrigatórios \(52\)"),
    (_code(middle="52040000" + "5303840" + "5802BR"), "moeda"),
    (_code(account=_field("00", "br.gov.bcb.boleto") + _field("01", "x")), "GUI"),
    (_code(account=_field("00", "br.gov.bcb.pix")), "estático"),
    (_code(account=_field("00", "br.gov.bcb.pix") + _field("01", "k")
           + _field("25", "pix.example.com/qr/1")), "estático"),
    (_code(extra="540510,00"), "formato"),
    (_code(extra="54040.00"), "Valor do PIX"),
    (_code(additional=_field("05", "com espaço")), "txid"),
    (_code(additional=_field("05", "A" * 26)), "txid"),
    (_code(additional=_field("01", "x")), "62.05"),
    (_code(name=_field("59", "N" * 26)), "Nome do recebedor"),
    (_code(city=_field("60", "C" * 16)), "Cidade"),
    (_code(extra="010213"), "iniciação"),
    (_code(extra="5802BR"), "campo repetido na posição 91"),
    (_code(account=_field("00", "br.gov.bcb.pix") + "01x"), "malformado na posição 29"),
    ("", "000201"),
    ("000201", "CRC"),
])
def test_decoder_refuses_bad_structure(payload: str, why: str) -> None:
    with pytest.raises(InvalidBrCode, match=why):
        decode_brcode(payload)


def test_decoder_accepts_point_of_initiation_11_and_12() -> None:
    for method in ("11", "12"):
        code = _with_crc("000201" + _field("01", method) + _code()[6:-8])
        assert decode_brcode(code).initiation == method


def test_decoder_does_not_check_key_digits() -> None:
    dummy = _code(account=_field("00", "BR.GOV.BCB.PIX") + _field("01", "00000000000"))
    assert decode_brcode(dummy).charge.key == "00000000000"


# ------------------------------------------------------------------------------- keys


@pytest.mark.parametrize(("text", "kind", "value"), [
    ("123.456.789-09", PixKeyKind.CPF, "12345678909"),
    ("12345678909", PixKeyKind.CPF, "12345678909"),
    ("11.222.333/0001-81", PixKeyKind.CNPJ, "11222333000181"),
    ("12.ABC.345/01DE-35", PixKeyKind.CNPJ, "12ABC34501DE35"),
    ("+55 (11) 98765-4321", PixKeyKind.PHONE, "+5511987654321"),
    ("(11) 98765-4321", PixKeyKind.PHONE, "+5511987654321"),
    ("11 8765-4321", PixKeyKind.PHONE, "+5511987654321"),  # old mobile: the 9th digit added
    ("  Financeiro@LojaExemplo.COM.br ", PixKeyKind.EMAIL, "financeiro@lojaexemplo.com.br"),
    ("123E4567-E89B-12D3-A456-426614174000", PixKeyKind.EVP,
     "123e4567-e89b-12d3-a456-426614174000"),
    ("123e4567e89b12d3a456426614174000", PixKeyKind.EVP, "123e4567-e89b-12d3-a456-426614174000"),
])
def test_keys_are_normalised(text: str, kind: PixKeyKind, value: str) -> None:
    assert parse_pix_key(text) == PixKey(kind, value)


def test_digits_that_are_both_a_cpf_and_a_mobile_must_be_written_unambiguously() -> None:
    base = "119876543"
    both = base + cpf_check_digits(base)  # a valid CPF that is also (11) 9876…
    with pytest.raises(AmbiguousPixKey, match="CPF ou um celular"):
        parse_pix_key(both)
    written_cpf = f"{both[:3]}.{both[3:6]}.{both[6:9]}-{both[9:]}"
    assert parse_pix_key(written_cpf).kind is PixKeyKind.CPF
    assert parse_pix_key(f"({both[:2]}) {both[2:7]}-{both[7:]}").kind is PixKeyKind.PHONE
    assert parse_pix_key("+55" + both).kind is PixKeyKind.PHONE


@pytest.mark.parametrize(("text", "error"), [
    ("", InvalidPixKey), ("abc", InvalidPixKey), ("123.456.789-08", InvalidPixKey),
    ("11.222.333/0001-82", InvalidPixKey), ("111.111.111-11", InvalidPixKey),
    ("fulano@", InvalidPixKey), ("fulano@exemplo", InvalidPixKey),
    ("ful ano@exemplo.com", InvalidPixKey), ("a" * 70 + "@exemplo.com", InvalidPixKey),
    ("123e4567-e89b-12d3-a456-42661417400", InvalidPixKey),
    ("(11) 3333-4444", PixPhoneNotMobile), ("+1 415 555 2671", PixPhoneNotMobile),
    ("+55 11 1234", InvalidPixKey),
])
def test_bad_keys_are_refused_in_portuguese(text: str, error: type[Exception]) -> None:
    with pytest.raises(error) as caught:
        parse_pix_key(text)
    assert type(caught.value) is error
    assert "PIX" in str(caught.value) or "CPF" in str(caught.value)


# ------------------------------------------------------------------- other fields


@pytest.mark.parametrize(("text", "cents"), [
    ("150,00", 15000), ("150.00", 15000), ("R$ 1.234,56", 123456), ("0,01", 1),
    ("9.999.999.999,99", MAX_AMOUNT_CENTS)])
def test_amounts(text: str, cents: int) -> None:
    assert parse_pix_amount(text) == cents


@pytest.mark.parametrize(("text", "error"), [
    ("0", InvalidPixAmount), ("0,00", InvalidPixAmount), ("-5,00", InvalidPixAmount),
    ("10.000.000.000,00", InvalidPixAmount), ("cento e cinquenta", InvalidAmount),
    ("1,234", InvalidAmount)])
def test_bad_amounts(text: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        parse_pix_amount(text)


def test_amount_must_be_int_centavos() -> None:
    with pytest.raises(TypeError):
        PixCharge(key="k", name="N", city="C", amount_cents=1.5)  # type: ignore[arg-type]


@pytest.mark.parametrize(("text", "limit", "expected"), [
    ("Loja São João Ltda", 25, "LOJA SAO JOAO LTDA"),
    ("  padaria   d'ajuda & cia ", 25, "PADARIA D AJUDA CIA"),
    ("Comércio de Materiais Araújo e Filhos", 25, "COMERCIO DE MATERIAIS ARA"),
    ("Rua 7/9, nº 12-A.", 25, "RUA 7/9, NO 12-A."),
    ("São José dos Campos", 15, "SAO JOSE DOS CA"),
    ("Foz do Iguaçu ", 15, "FOZ DO IGUACU"),
    ("Açaí do Zé  X", 12, "ACAI DO ZE X"),
    ("Açaí do Zé  X", 11, "ACAI DO ZE"),  # cut at a space: trimmed again
    ("日本", 25, ""),
])
def test_merchant_text(text: str, limit: int, expected: str) -> None:
    assert merchant_text(text, limit) == expected


@given(st.text(max_size=60))
def test_merchant_text_is_always_a_valid_field(text: str) -> None:
    out = merchant_text(text, 25)
    assert re.fullmatch(r"([A-Z0-9.,/-]+( [A-Z0-9.,/-]+)*)?", out)
    assert len(out) <= 25


@pytest.mark.parametrize(("field", "value", "error"), [
    ("name", "  ", InvalidPixName), ("name", "日本語", InvalidPixName),
    ("city", "", InvalidPixCity), ("city", "???", InvalidPixCity),
])
def test_empty_name_or_city_is_refused(field: str, value: str, error: type[Exception]) -> None:
    args = {"name": "Loja", "city": "Campinas", field: value}
    with pytest.raises(error):
        build_charge("11222333000181", args["name"], args["city"])


@pytest.mark.parametrize("txid", ["CB 1", "pedido-1", "A" * 26, "ção", "**"])
def test_bad_txid(txid: str) -> None:
    with pytest.raises(InvalidTxid, match="txid"):
        build_charge("11222333000181", "Loja", "Campinas", txid=txid)


def test_no_txid_is_three_stars() -> None:
    assert build_charge("11222333000181", "Loja", "Campinas", txid="").txid == NO_TXID
    assert build_charge("11222333000181", "Loja", "Campinas", txid="A" * 25).txid == "A" * 25


def test_info_is_ascii_and_must_fit_field_26() -> None:
    charge = build_charge("11222333000181", "Loja", "Campinas", info=" Parcela 1 de 3 — ação ")
    assert charge.info == "Parcela 1 de 3 acao"
    longest_key = "a" * 64 + "@exemplo.com"  # 76 characters: one left for 26.02's head
    with pytest.raises(InvalidPixInfo):
        build_charge(longest_key, "Loja", "Campinas", info="x")
    with pytest.raises(InvalidPixInfo):
        build_charge("11222333000181", "Loja", "Campinas", info="✓")
    fits = 99 - 4 - 14 - 4 - 14 - 4  # field 26 holds at most 99 characters
    assert len(build_charge("11222333000181", "L", "C", info="x" * fits).info or "") == fits
    with pytest.raises(InvalidPixInfo):
        build_charge("11222333000181", "L", "C", info="x" * (fits + 1))


def test_decoded_non_ascii_code_is_not_re_encoded() -> None:
    utf8 = PixCharge(key="+5511987654321", name="JOÃO", city="SÃO PAULO")
    with pytest.raises(InvalidBrCode, match="acentuadas"):
        encode_brcode(utf8)


# ---------------------------------------------------------------------- round trips

_KEYS = st.one_of(
    st.from_regex(r"[0-9]{9}", fullmatch=True).filter(lambda b: len(set(b)) > 1)
      .map(lambda b: b + cpf_check_digits(b)),
    st.from_regex(r"[0-9A-Z]{12}", fullmatch=True).filter(lambda b: len(set(b)) > 1)
      .map(lambda b: b + cnpj_check_digits(b)),
    st.uuids().map(str),
    st.from_regex(r"[a-z0-9._-]{1,30}@[a-z0-9]{1,20}\.com\.br", fullmatch=True),
    st.from_regex(r"\+55(11|21|31|61|71|81|92)9[6-9][0-9]{7}", fullmatch=True),
)


@given(key=_KEYS, name=st.text(min_size=1, max_size=40), city=st.text(min_size=1, max_size=30),
       amount=st.none() | st.integers(1, MAX_AMOUNT_CENTS),
       txid=st.none() | st.from_regex(r"[A-Za-z0-9]{1,25}", fullmatch=True),
       info=st.none() | st.from_regex(r"[A-Za-z0-9 ]{1,10}[A-Za-z0-9]", fullmatch=True))
def test_round_trip(key: str, name: str, city: str, amount: int | None, txid: str | None,
                    info: str | None) -> None:
    try:
        charge = build_charge(key, name, city, amount_cents=amount, txid=txid, info=info)
    except (InvalidPixName, InvalidPixCity, AmbiguousPixKey):
        return  # a name or city with nothing usable; digits both a CPF and a phone
    payload = encode_brcode(charge)
    assert payload.isascii()
    assert decode_brcode(payload).charge == charge
    assert encode_brcode(decode_brcode(payload).charge) == payload
    assert f"{binascii.crc_hqx(payload[:-4].encode(), 0xFFFF):04X}" == payload[-4:]
