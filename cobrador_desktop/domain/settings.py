"""The shop's settings kept in its database: each declared once, here (STYLE.md #8).

A setting is one row of the `settings` table (a key and a JSON object, `{"value": …}`), shared
by every PC on the same database. Its declaration holds everything about it: key, type, default,
limits, the caption a settings screen shows and what it does. `storage.repos.settings` reads
and writes them; nothing else spells a key or a default. Secrets never live here (OS keyring),
nor the window's geometry (QSettings).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date, time
from typing import Any, Generic, TypeVar

from cobrador_desktop.domain.contact_hours import (
    DEFAULT,
    FLOOR_END,
    FLOOR_START,
    STATE_LAW,
    ContactProfile,
)
from cobrador_desktop.domain.documents import parse_document
from cobrador_desktop.domain.errors import InvalidDocument, InvalidInput
from cobrador_desktop.domain.holidays_br import ALL_UFS, CustomHoliday
from cobrador_desktop.domain.i18n import QT_TRANSLATE_NOOP
from cobrador_desktop.domain.phone import parse_phone
from cobrador_desktop.domain.policy_facts import ShopIdentity


class SettingOutOfRange(InvalidInput):
    message_template = QT_TRANSLATE_NOOP(
        "KnownError", "“{value}” não serve para “{setting}”: use um número inteiro de {minimum} "
        "a {maximum}.")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError", "Corrija o valor; enquanto isso vale o padrão ({default}).")


@dataclass(frozen=True, slots=True)
class IntSetting:
    """A whole-number setting: its key, default, limits, caption and meaning."""

    #: the `settings` row it lives in
    key: str
    default: int
    minimum: int
    maximum: int
    #: what a settings screen calls it (pt-BR, for Qt's translation: context "Settings")
    caption: str
    #: what it changes, for whoever reads the code
    doc: str

    def check(self, value: object) -> int:
        """`value` when it is a whole number within the limits.

        Raises:
            SettingOutOfRange: anything else (a bool, a float, text, out of range).
        """
        if isinstance(value, bool) or not isinstance(value, int) or not (
                self.minimum <= value <= self.maximum):
            raise SettingOutOfRange(value=value, setting=self.caption, minimum=self.minimum,
                                    maximum=self.maximum, default=self.default)
        return value


AGREEMENT_BREAK_AFTER_DAYS = IntSetting(
    key="agreement_break_after_days", default=30, minimum=1, maximum=365,
    caption=QT_TRANSLATE_NOOP("Settings", "Romper acordo após quantos dias de atraso"),
    doc="An agreement is broken (unpaid instalments cancelled, the debts it replaced open again) "
        "when an instalment or the down payment is still unpaid more than this many days after "
        "its due date. The daily upkeep and opening a debtor both apply it.")

#: every setting, for a settings screen and for tests
SETTINGS: tuple[IntSetting, ...] = (AGREEMENT_BREAK_AFTER_DAYS,)


# --------------------------------------------------------------------------- the send guard's
#
# Settings that are more than a number: each is one `JsonSetting` (a key, a default, and `check`,
# which turns what a screen or the stored JSON gives into the domain value, or raises a pt-BR
# `InvalidInput`) and `dump`, its JSON form. `storage.repos.settings.read_guard_settings` reads
# them all at once for the send guard (COMPLIANCE.md §2.1).


class SettingNotYesNo(InvalidInput):
    message_template = QT_TRANSLATE_NOOP(
        "KnownError", "“{value}” não serve para “{setting}”: use sim ou não.")
    hint_template = QT_TRANSLATE_NOOP("KnownError", "Corrija o valor; nada foi salvo.")


class SettingNotTime(InvalidInput):
    message_template = QT_TRANSLATE_NOOP(
        "KnownError", "“{value}” não serve para “{setting}”: use um horário como 09:00.")
    hint_template = QT_TRANSLATE_NOOP("KnownError", "Corrija o horário; nada foi salvo.")


class SettingNotChoice(InvalidInput):
    message_template = QT_TRANSLATE_NOOP(
        "KnownError", "“{value}” não serve para “{setting}”: use {choices}.")
    hint_template = QT_TRANSLATE_NOOP("KnownError", "Escolha uma das opções; nada foi salvo.")


class SettingTextMissing(InvalidInput):
    message_template = QT_TRANSLATE_NOOP("KnownError", "Preencha “{setting}”.")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError", "O campo é obrigatório (até {maximum} caracteres); nada foi salvo.")


class ContactWindowInvalid(InvalidInput):
    message_template = QT_TRANSLATE_NOOP(
        "KnownError", "A janela “{setting}” ({start}–{end}) não serve: ela deve começar antes de "
        "terminar e ficar entre 08:00 e 20:00.")
    hint_template = QT_TRANSLATE_NOOP(
        "KnownError", "Nenhuma lei estadual permite cobrança fora de 08:00–20:00; corrija os "
        "horários. Nada foi salvo.")


class SettingNotDate(InvalidInput):
    message_template = QT_TRANSLATE_NOOP(
        "KnownError", "“{value}” não é uma data válida para “{setting}”.")
    hint_template = QT_TRANSLATE_NOOP("KnownError", "Use o formato dia/mês/ano; nada foi salvo.")


T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class JsonSetting(Generic[T]):
    """A setting kept as JSON: key, default, caption, meaning, and how it is checked and stored.

    `check` takes the domain value or its JSON form (what a screen or the stored row holds)
    and returns the domain value, or raises a pt-BR `InvalidInput`; `dump` gives the JSON form.
    """

    key: str
    default: T
    caption: str
    doc: str
    check: Callable[[object], T]
    dump: Callable[[T], object]


@dataclass(frozen=True)
class ShopDetails:
    """How the shop identifies itself in its messages (CDC art. 42-A: name, address, CNPJ).

    `document` is the CNPJ (or the CPF of an individual supplier), digits only; `uf` is the
    state of the shop (foreign numbers are placed there by the contact hours); `phone` its
    WhatsApp number in E.164 (the inbox's wa.me and `tel:` links), None until given.
    """

    trade_name: str
    legal_name: str
    document: str
    address: str
    uf: str | None = None
    phone: str | None = None

    @property
    def identity(self) -> ShopIdentity:
        return ShopIdentity(trade_name=self.trade_name, legal_name=self.legal_name,
                            document=self.document)


@dataclass(frozen=True)
class Capacity:
    """How many new conversations the shop can take a day: operators × conversations each."""

    operators: int = 1
    conversations_each: int = 40

    @property
    def daily_new_conversations(self) -> int:
        return self.operators * self.conversations_each


@dataclass(frozen=True)
class NumberQuality:
    """The WhatsApp number's quality rating (`GREEN`, `YELLOW`, `RED`, `UNKNOWN`) and messaging
    tier (`TIER_250`…), as last learned from Meta (webhook or sync); None: not known yet."""

    quality: str | None = None
    tier: str | None = None


QUALITY_RATINGS = ("GREEN", "YELLOW", "RED", "UNKNOWN")
TIERS = ("TIER_50", "TIER_250", "TIER_1K", "TIER_2K", "TIER_10K", "TIER_100K", "TIER_UNLIMITED")

#: the contact profile's whole-number fields: (name, caption, minimum, maximum)
_PROFILE_INTS = (
    ("reply_grace_minutes", QT_TRANSLATE_NOOP("Settings", "Minutos para responder fora do horário"),
     0, 240),
    ("daily_cap", QT_TRANSLATE_NOOP("Settings", "Mensagens de cobrança por dia"), 1, 5),
    ("weekly_cap", QT_TRANSLATE_NOOP("Settings", "Mensagens de cobrança por semana"), 1, 21),
    ("min_gap_hours", QT_TRANSLATE_NOOP("Settings", "Intervalo mínimo entre mensagens (horas)"),
     0, 168),
    ("old_debt_years", QT_TRANSLATE_NOOP("Settings", "Anos até a dívida ser considerada antiga"),
     1, 20),
    ("identity_attempts_max",
     QT_TRANSLATE_NOOP("Settings", "Tentativas de confirmar a identidade"), 1, 5),
    ("identity_retry_days",
     QT_TRANSLATE_NOOP("Settings", "Dias entre tentativas de confirmar a identidade"), 1, 30),
    ("promise_grace_days",
     QT_TRANSLATE_NOOP("Settings", "Dias de tolerância após a data prometida"), 0, 30),
)


def profile_int_range(name: str) -> tuple[int, int]:
    """The (minimum, maximum) a whole-number `ContactProfile` field accepts, for a screen."""
    return next((low, high) for field_name, _caption, low, high in _PROFILE_INTS
                if field_name == name)


_PROFILE_BOOLS = (
    ("saturday_enabled", QT_TRANSLATE_NOOP("Settings", "Cobrar aos sábados")),
    ("include_optional_holidays", QT_TRANSLATE_NOOP("Settings", "Respeitar pontos facultativos")),
)
_PROFILE_WINDOWS = (
    ("weekday_start", "weekday_end", QT_TRANSLATE_NOOP("Settings", "Horário de segunda a sexta")),
    ("saturday_start", "saturday_end", QT_TRANSLATE_NOOP("Settings", "Horário de sábado")),
)
_PROFILE_CHOICE = QT_TRANSLATE_NOOP("Settings", "Perfil de horários")


def _mapping(value: object, setting: str) -> Mapping[str, object]:
    if not isinstance(value, Mapping):
        raise InvalidInput(value=value, setting=setting)
    return value


def _int(value: object, caption: str, minimum: int, maximum: int, default: int) -> int:
    return IntSetting("", default, minimum, maximum, caption, "").check(value)


def _bool(value: object, caption: str) -> bool:
    if not isinstance(value, bool):
        raise SettingNotYesNo(value=value, setting=caption)
    return value


def _time(value: object, caption: str) -> time:
    if isinstance(value, time):
        return value.replace(second=0, microsecond=0, tzinfo=None)
    if isinstance(value, str):
        try:
            parsed = time.fromisoformat(value.strip())
        except ValueError:
            parsed = None
        if parsed is not None and parsed.tzinfo is None:
            return parsed.replace(second=0, microsecond=0)
    raise SettingNotTime(value=value, setting=caption)


def _text(value: object, caption: str, maximum: int, *, required: bool = True) -> str | None:
    text = value.strip() if isinstance(value, str) else ""
    if (value is not None and not isinstance(value, str)) or len(text) > maximum or (
            required and not text):
        raise SettingTextMissing(setting=caption, maximum=maximum)
    return text or None


def check_profile(value: object) -> ContactProfile:
    """The contact profile from a `ContactProfile` or its JSON form (missing fields: defaults)."""
    raw = dump_profile(value) if isinstance(value, ContactProfile) else _mapping(
        value, _PROFILE_CHOICE)
    default = ContactProfile()
    fields: dict[str, Any] = {}
    choice = raw.get("contact_profile", default.contact_profile)
    if choice not in (DEFAULT, STATE_LAW):
        raise SettingNotChoice(value=choice, setting=_PROFILE_CHOICE,
                               choices=f"{DEFAULT} ou {STATE_LAW}")
    fields["contact_profile"] = choice
    for name, caption, minimum, maximum in _PROFILE_INTS:
        fields[name] = _int(raw.get(name, getattr(default, name)), caption, minimum, maximum,
                            getattr(default, name))
    for name, caption in _PROFILE_BOOLS:
        fields[name] = _bool(raw.get(name, getattr(default, name)), caption)
    for start_name, end_name, caption in _PROFILE_WINDOWS:
        start = _time(raw.get(start_name, getattr(default, start_name)), caption)
        end = _time(raw.get(end_name, getattr(default, end_name)), caption)
        if not FLOOR_START <= start < end <= FLOOR_END:
            raise ContactWindowInvalid(setting=caption, start=start.strftime("%H:%M"),
                                       end=end.strftime("%H:%M"))
        fields[start_name], fields[end_name] = start, end
    return ContactProfile(**fields)


def dump_profile(profile: ContactProfile) -> dict[str, object]:
    return {name: (value.strftime("%H:%M") if isinstance(value, time) else value)
            for name, value in asdict(profile).items()}


_SHOP_CAPTIONS = {
    "trade_name": QT_TRANSLATE_NOOP("Settings", "Nome fantasia da loja"),
    "legal_name": QT_TRANSLATE_NOOP("Settings", "Razão social da loja"),
    "address": QT_TRANSLATE_NOOP("Settings", "Endereço da loja"),
    "uf": QT_TRANSLATE_NOOP("Settings", "UF da loja"),
    "phone": QT_TRANSLATE_NOOP("Settings", "Telefone da loja"),
}


def check_shop(value: object) -> ShopDetails | None:
    """The shop's identity from `ShopDetails` or its JSON form; the CNPJ (or CPF) must be valid.

    Raises:
        InvalidDocument: the CNPJ's length or check digits are wrong.
    """
    if value is None:
        return None
    raw = asdict(value) if isinstance(value, ShopDetails) else _mapping(
        value, _SHOP_CAPTIONS["trade_name"])
    trade = _text(raw.get("trade_name"), _SHOP_CAPTIONS["trade_name"], 120)
    legal = _text(raw.get("legal_name"), _SHOP_CAPTIONS["legal_name"], 200)
    address = _text(raw.get("address"), _SHOP_CAPTIONS["address"], 300)
    uf = _text(raw.get("uf"), _SHOP_CAPTIONS["uf"], 2, required=False)
    if uf is not None and uf.upper() not in ALL_UFS:
        raise SettingNotChoice(value=uf, setting=_SHOP_CAPTIONS["uf"],
                               choices=QT_TRANSLATE_NOOP("KnownError", "a sigla de um estado"))
    phone = _text(raw.get("phone"), _SHOP_CAPTIONS["phone"], 30, required=False)
    document = raw.get("document")
    if not isinstance(document, str):
        raise InvalidDocument(value=document if document is not None else "")
    assert trade is not None and legal is not None and address is not None  # required
    return ShopDetails(trade_name=trade, legal_name=legal,
                       document=parse_document(document).value, address=address,
                       uf=uf.upper() if uf else None,
                       phone=parse_phone(phone).e164 if phone else None)


def dump_shop(shop: ShopDetails | None) -> object:
    if shop is None:
        return None
    found = asdict(shop)
    if found["phone"] is None:
        del found["phone"]  # kept as before the phone existed
    return found


_HOLIDAY_CAPTION = QT_TRANSLATE_NOOP("Settings", "Feriados da loja e do município")
MAX_CUSTOM_HOLIDAYS = 500


def check_holidays(value: object) -> tuple[CustomHoliday, ...]:
    """The owner's holidays (municipal, the shop's days off) from `CustomHoliday`s or JSON."""
    if not isinstance(value, list | tuple) or len(value) > MAX_CUSTOM_HOLIDAYS:
        raise InvalidInput(value=value, setting=_HOLIDAY_CAPTION)
    found = []
    for item in value:
        raw = dump_holiday(item) if isinstance(item, CustomHoliday) else _mapping(
            item, _HOLIDAY_CAPTION)
        try:
            day = date.fromisoformat(str(raw.get("day")))
        except ValueError:
            raise SettingNotDate(value=raw.get("day"), setting=_HOLIDAY_CAPTION) from None
        name = _text(raw.get("name"), _HOLIDAY_CAPTION, 80)
        uf = _text(raw.get("uf"), _SHOP_CAPTIONS["uf"], 2, required=False)
        if uf is not None and uf.upper() not in ALL_UFS:
            raise SettingNotChoice(value=uf, setting=_SHOP_CAPTIONS["uf"],
                                   choices=QT_TRANSLATE_NOOP("KnownError", "a sigla de um estado"))
        city = _text(raw.get("municipality"), _HOLIDAY_CAPTION, 120, required=False)
        assert name is not None
        found.append(CustomHoliday(day, name, uf.upper() if uf else None, city))
    return tuple(sorted(found, key=lambda h: (h.day, h.name)))


def dump_holiday(holiday: CustomHoliday) -> dict[str, object]:
    return {"day": holiday.day.isoformat(), "name": holiday.name, "uf": holiday.uf,
            "municipality": holiday.municipality}


_CAPACITY_OPERATORS = QT_TRANSLATE_NOOP("Settings", "Atendentes")
_CAPACITY_EACH = QT_TRANSLATE_NOOP("Settings", "Conversas novas por atendente por dia")


#: the (minimum, maximum) of each `Capacity` field
CAPACITY_LIMITS = {"operators": (1, 50), "conversations_each": (1, 500)}


def check_capacity(value: object) -> Capacity:
    raw = asdict(value) if isinstance(value, Capacity) else _mapping(value, _CAPACITY_OPERATORS)
    default = Capacity()
    return Capacity(
        operators=_int(raw.get("operators", default.operators), _CAPACITY_OPERATORS,
                       *CAPACITY_LIMITS["operators"], default.operators),
        conversations_each=_int(raw.get("conversations_each", default.conversations_each),
                                _CAPACITY_EACH, *CAPACITY_LIMITS["conversations_each"],
                                default.conversations_each))


_QUALITY_CAPTION = QT_TRANSLATE_NOOP("Settings", "Qualidade do número na Meta")
_TIER_CAPTION = QT_TRANSLATE_NOOP("Settings", "Limite de conversas do número na Meta")


def check_quality(value: object) -> NumberQuality:
    raw = asdict(value) if isinstance(value, NumberQuality) else _mapping(value, _QUALITY_CAPTION)
    quality, tier = raw.get("quality"), raw.get("tier")
    quality = quality.strip().upper() if isinstance(quality, str) else quality
    tier = tier.strip().upper() if isinstance(tier, str) else tier
    if quality is not None and quality not in QUALITY_RATINGS:
        raise SettingNotChoice(value=quality, setting=_QUALITY_CAPTION,
                               choices=", ".join(QUALITY_RATINGS))
    if tier is not None and tier not in TIERS:
        raise SettingNotChoice(value=tier, setting=_TIER_CAPTION, choices=", ".join(TIERS))
    return NumberQuality(quality, tier)


CONTACT_PROFILE: JsonSetting[ContactProfile] = JsonSetting(
    key="guard.contact_profile", default=ContactProfile(),
    caption=QT_TRANSLATE_NOOP("Settings", "Horários e limites de contato"),
    doc="When and how often the shop may message debtors (COMPLIANCE.md §2.1 defaults).",
    check=check_profile, dump=dump_profile)
SHOP: JsonSetting[ShopDetails | None] = JsonSetting(
    key="guard.shop", default=None,
    caption=QT_TRANSLATE_NOOP("Settings", "Identificação da loja"),
    doc="Trade and legal name, CNPJ and address that debt messages must carry; until set, the "
        "guard blocks templates and first debt details (FACTS_MISSING).",
    check=check_shop, dump=dump_shop)
CUSTOM_HOLIDAYS: JsonSetting[tuple[CustomHoliday, ...]] = JsonSetting(
    key="guard.custom_holidays", default=(), caption=_HOLIDAY_CAPTION,
    doc="Municipal holidays and the shop's own days off: no contact on them.",
    check=check_holidays, dump=lambda days: [dump_holiday(h) for h in days])
CAPACITY: JsonSetting[Capacity] = JsonSetting(
    key="guard.capacity", default=Capacity(),
    caption=QT_TRANSLATE_NOOP("Settings", "Capacidade de atendimento"),
    doc="Operators × new conversations each = the régua's daily cap of new conversations.",
    check=check_capacity, dump=asdict)
NUMBER_QUALITY: JsonSetting[NumberQuality] = JsonSetting(
    key="guard.number_quality", default=NumberQuality(), caption=_QUALITY_CAPTION,
    doc="The number's quality rating and tier, written by whoever learns them from Meta; "
        "automated sends stop while it is unknown, YELLOW or RED.",
    check=check_quality, dump=asdict)

_SURVEY_CAPTION = QT_TRANSLATE_NOOP("Settings", "Pesquisa de satisfação depois do pagamento")
PAYMENT_SURVEY: JsonSetting[bool] = JsonSetting(
    key="regua.payment_survey", default=False, caption=_SURVEY_CAPTION,
    doc="After a payment's thank-you, ask one question (Ótimo / Regular / Ruim) as reply "
        "buttons, only while the person's 24-hour window is open; off by default.",
    check=lambda value: _bool(value, _SURVEY_CAPTION), dump=lambda value: value)

#: every setting of the send guard, read together by `read_guard_settings`
GUARD_SETTINGS: tuple[JsonSetting[Any], ...] = (
    CONTACT_PROFILE, SHOP, CUSTOM_HOLIDAYS, CAPACITY, NUMBER_QUALITY)


@dataclass(frozen=True)
class GuardSettings:
    """What the send guard and the régua read from the settings, all at once."""

    profile: ContactProfile = field(default_factory=ContactProfile)
    shop_details: ShopDetails | None = None
    custom_holidays: tuple[CustomHoliday, ...] = ()
    capacity: Capacity = field(default_factory=Capacity)
    quality: NumberQuality = field(default_factory=NumberQuality)

    @property
    def shop(self) -> ShopIdentity | None:
        return self.shop_details.identity if self.shop_details is not None else None

    @property
    def shop_uf(self) -> str | None:
        return self.shop_details.uf if self.shop_details is not None else None

    @property
    def number_quality(self) -> str | None:
        return self.quality.quality


# --------------------------------------------------------------------------- self-service


@dataclass(frozen=True)
class NegotiationPlan:
    """What the "Negociar" button offers: split the open balance in one of `installments`
    (each a count of instalments, smallest first), if each is at least `min_installment_cents`.
    The debtor's choice goes to an operator, who formalises the agreement."""

    installments: tuple[int, ...] = (2, 3, 4)
    min_installment_cents: int = 5000


_NEGOTIATION_CAPTION = QT_TRANSLATE_NOOP("Settings", "Parcelamento oferecido no botão Negociar")
_NEGOTIATION_COUNT = QT_TRANSLATE_NOOP("Settings", "Número de parcelas oferecido")
_NEGOTIATION_MIN = QT_TRANSLATE_NOOP("Settings", "Valor mínimo da parcela (centavos)")
#: (minimum, maximum) of an offered number of instalments, of the minimum instalment in cents,
#: and how many options at most (a WhatsApp list shows ten rows)
NEGOTIATION_COUNT_LIMITS = (2, 24)
NEGOTIATION_MIN_LIMITS = (0, 10_000_000)
NEGOTIATION_OPTIONS_MAX = 10


def check_negotiation(value: object) -> NegotiationPlan:
    """The plan from a `NegotiationPlan` or its JSON form (missing fields: defaults)."""
    raw = dump_negotiation(value) if isinstance(value, NegotiationPlan) else _mapping(
        value, _NEGOTIATION_CAPTION)
    default = NegotiationPlan()
    counts = raw.get("installments", list(default.installments))
    if not isinstance(counts, list | tuple) or not 1 <= len(counts) <= NEGOTIATION_OPTIONS_MAX:
        raise InvalidInput(value=counts, setting=_NEGOTIATION_CAPTION)
    checked = sorted({_int(n, _NEGOTIATION_COUNT, *NEGOTIATION_COUNT_LIMITS, 3) for n in counts})
    minimum = _int(raw.get("min_installment_cents", default.min_installment_cents),
                   _NEGOTIATION_MIN, *NEGOTIATION_MIN_LIMITS, default.min_installment_cents)
    return NegotiationPlan(tuple(checked), minimum)


def dump_negotiation(plan: NegotiationPlan) -> dict[str, object]:
    return {"installments": list(plan.installments),
            "min_installment_cents": plan.min_installment_cents}


NEGOTIATION: JsonSetting[NegotiationPlan] = JsonSetting(
    key="self_service.negotiation", default=NegotiationPlan(), caption=_NEGOTIATION_CAPTION,
    doc="The instalment options the debtor's \"Negociar\" button offers (2x, 3x, 4x by default, "
        "each at least R$ 50,00); the choice becomes a task for an operator.",
    check=check_negotiation, dump=dump_negotiation)

#: the `settings` row of the shop's PIX receiver, JSON {"key", "name", "city"} (written by
#: `services.pix`; read by the self-service "Quero o código PIX" reply)
SHOP_PIX_KEY = "shop.pix"
