"""The shop's WhatsApp templates for the Modelos screen: list, submit the pack, sync, preview.

`submit_pack` sends each template of the shipped pack (`domain.template_pack`) that the account
lacks to Meta for review (`client.create_template`), after our own §10.1 check; what Meta takes is
stored `PENDING` with its purpose, every attempt is audited, and each template gets its own result
(Meta's refusals classified by `whatsapp.errors`, in pt-BR). `sync` is the account sync
(`services.account_sync`) plus the pack's purposes. A template is usable only when APPROVED: the
send guard refuses the others (`WA_TEMPLATE_UNAVAILABLE`), the screen says so.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol

from cobrador_desktop.domain.clock import Clock
from cobrador_desktop.domain.errors import KnownError
from cobrador_desktop.domain.i18n import QT_TRANSLATE_NOOP
from cobrador_desktop.domain.records import DebtorQuery, DebtorSort
from cobrador_desktop.domain.settings import SHOP, ShopDetails
from cobrador_desktop.domain.template_pack import (
    LANGUAGE,
    PACK,
    VARIABLE_LABELS,
    PackEntry,
    build_pack,
    check_spec,
)
from cobrador_desktop.domain.template_records import (
    NOT_SUBMITTED,
    NumberNotConfigured,
    PreviewDebtor,
    ShopNotIdentified,
    SubmitOutcome,
    SubmitResult,
    TemplateInfo,
    TemplateNotFound,
    TemplatePreview,
    VariableValue,
)
from cobrador_desktop.domain.templates import (
    PLACEHOLDER,
    body_text,
    placeholder_count,
    quick_replies,
    render,
    values_for,
)
from cobrador_desktop.services.account_sync import (
    AccountApi,
    AccountSync,
    AccountSyncResult,
    template_state,
)
from cobrador_desktop.services.authz import owner_only
from cobrador_desktop.services.ports import Runner
from cobrador_desktop.storage.repos import audit
from cobrador_desktop.storage.repos.debtors import list_page
from cobrador_desktop.storage.repos.settings import read_json_setting
from cobrador_desktop.storage.repos.template_preview import preview_debt
from cobrador_desktop.storage.repos.templates import (
    TemplateState,
    fill_purposes,
    list_templates,
    store_submitted,
    sync_templates,
)
from cobrador_desktop.whatsapp.payloads import collapse

log = logging.getLogger("cobrador.templates")

SUBMIT_ACTION = "template.submit"
#: the pack's purposes by template name (a synced pack template gets its purpose)
PACK_PURPOSES = {t.name: t.purpose for t in PACK}


class TemplatesApi(AccountApi, Protocol):
    """The Cloud API calls this service makes (`whatsapp.client.CloudApiClient`)."""

    async def create_template(self, spec: Any) -> dict[str, Any]: ...


#: a new client for one piece of work (`async with`), or None when no number is configured
ClientFactory = Callable[[], AbstractAsyncContextManager[TemplatesApi] | None]


class TemplateService:
    """Reads, submits and syncs the shop's templates."""

    def __init__(self, db: Runner, clock: Clock, client_factory: ClientFactory, *,
                 configured: Callable[[], bool] | None = None) -> None:
        """Args:
            client_factory: a new Cloud API client (`async with`), None without a number.
            configured: whether a number is configured, without making a client (default:
                ask the factory and close what it made).
        """
        self._db = db
        self._clock = clock
        self._client_factory = client_factory
        self._configured = configured

    def number_configured(self) -> bool:
        """Whether a WhatsApp number is configured (submit and sync need one)."""
        if self._configured is not None:
            return self._configured()
        return self._client_factory() is not None

    async def templates(self) -> tuple[TemplateInfo, ...]:
        """The stored templates, then the pack's templates the account does not have yet."""
        rows = await self._db.run(list_templates)
        found = [TemplateInfo(r.name, r.language, r.category, r.status, r.quality,
                              r.purpose or PACK_PURPOSES.get(r.name), r.rejected_reason,
                              r.name in PACK_PURPOSES) for r in rows]
        have = {(r.name, r.language) for r in rows if r.status != "DELETED"}
        found += [TemplateInfo(t.name, LANGUAGE, "UTILITY", NOT_SUBMITTED, None, t.purpose, None,
                               True) for t in PACK if (t.name, LANGUAGE) not in have]
        return tuple(found)

    @owner_only("templates.submit_pack",
                QT_TRANSLATE_NOOP("Roles", "enviar modelos de mensagem para aprovação"))
    async def submit_pack(self, operator_id: int | None) -> tuple[SubmitResult, ...]:
        """Send each pack template the account lacks to Meta for review.

        Raises:
            ShopNotIdentified: the shop's name and CNPJ are not set (every template quotes them).
            NumberNotConfigured: no WhatsApp number on this PC.
            CloudApiError: Meta's list of templates could not be read (nothing was sent).
        """
        shop = await self._db.run(lambda s: read_json_setting(s, SHOP))
        if shop is None or not shop.trade_name.strip() or not shop.document.strip():
            raise ShopNotIdentified()
        pack = build_pack(shop.trade_name, shop.document, shop.legal_name)
        client = self._client_factory()
        if client is None:
            raise NumberNotConfigured()
        results: list[SubmitResult] = []
        created: list[tuple[TemplateState, str]] = []
        async with client as api:
            listed = [s for s in (template_state(t) for t in await api.list_templates())
                      if s is not None]
            existing = {(s.name, s.language): s for s in listed if s.status != "DELETED"}
            for entry in pack:
                result, state = await self._submit_one(api, entry, shop, existing)
                results.append(result)
                if state is not None:
                    created.append((state, entry.purpose))
        now = self._clock.now()

        def store(session: Any) -> None:
            sync_templates(session, listed, now=now)
            for state, purpose in created:
                store_submitted(session, state, purpose=purpose, now=now)
            fill_purposes(session, PACK_PURPOSES)
            for result in results:
                if result.outcome is not SubmitOutcome.EXISTS:
                    audit.append(session, action=SUBMIT_ACTION, operator_id=operator_id,
                                 object_type="template", object_id=result.name,
                                 details=_audit_details(result), now=now)

        await self._db.run(store)
        log.info("template pack: %s", ", ".join(f"{r.name} {r.outcome.value}" for r in results))
        return tuple(results)

    async def _submit_one(self, api: TemplatesApi, entry: PackEntry, shop: ShopDetails,
                          existing: dict[tuple[str, str], TemplateState],
                          ) -> tuple[SubmitResult, TemplateState | None]:
        have = existing.get((entry.name, LANGUAGE))
        if have is not None:
            return SubmitResult(entry.name, entry.purpose, SubmitOutcome.EXISTS, have.status), None
        problems = check_spec(entry.spec, purpose=entry.purpose, trade_name=shop.trade_name,
                              document=shop.document)
        if problems:
            return SubmitResult(entry.name, entry.purpose, SubmitOutcome.INVALID,
                                problems=tuple(problems)), None
        try:
            answer = await api.create_template(entry.spec)
        except KnownError as error:  # CloudApiError: Meta refused it, or no answer came
            return SubmitResult(entry.name, entry.purpose, SubmitOutcome.REFUSED, error=error), None
        state = template_state({**entry.spec, "id": answer.get("id"),
                                "status": answer.get("status") or "PENDING",
                                "category": answer.get("category") or entry.spec["category"]})
        assert state is not None  # the pack's templates have names
        return SubmitResult(entry.name, entry.purpose, SubmitOutcome.CREATED, state.status), state

    async def sync(self) -> AccountSyncResult:
        """Read the templates and the number's health from Meta (`AccountSync`), then give the
        pack's templates their purpose.

        Raises:
            NumberNotConfigured: no WhatsApp number on this PC.
            CloudApiError: Meta could not be read.
        """
        client = self._client_factory()
        if client is None:
            raise NumberNotConfigured()
        async with client as api:
            result = await AccountSync(self._db, api, self._clock).run()
        await self._db.run(lambda s: fill_purposes(s, PACK_PURPOSES))
        return result

    async def find_debtors(self, text: str, limit: int = 20) -> tuple[PreviewDebtor, ...]:
        """Debtors matching the search (name, CPF/CNPJ, phone…), for the preview's choice."""
        page = await self._db.run(lambda s: list_page(
            s, sort=DebtorSort.NAME, after=None, limit=limit, query=DebtorQuery(text=text)))
        return tuple(PreviewDebtor(r.id, r.name, r.open_cents) for r in page.rows)

    async def preview(self, name: str, debtor_id: int | None) -> TemplatePreview:
        """The template `name` filled for the debtor's oldest open debt (Meta's examples when
        there is no debtor or debt), with what each `{{n}}` stands for.

        Raises:
            TemplateNotFound: neither stored nor in the pack.
        """
        def read(session: Any) -> tuple[list[Any], Any]:
            rows = [r for r in list_templates(session) if r.name == name]
            return rows, preview_debt(session, debtor_id) if debtor_id is not None else None

        rows, debt = await self._db.run(read)
        row = next((r for r in rows if r.language == LANGUAGE), rows[0] if rows else None)
        if row is not None:
            components, purpose, status = row.components, row.purpose, row.status
        else:
            shop = await self._db.run(lambda s: read_json_setting(s, SHOP))
            entry = next((e for e in build_pack(*_identity(shop)) if e.name == name), None)
            if entry is None:
                raise TemplateNotFound(nome=name)
            components, purpose, status = entry.spec["components"], entry.purpose, NOT_SUBMITTED
        purpose = purpose or PACK_PURPOSES.get(name)
        count = placeholder_count(components)
        examples = _examples(components)
        values, note = examples, ""
        if debtor_id is not None and debt is None:
            note = "no_debt"
        elif debt is not None and purpose is not None:
            try:
                values = [collapse(v) for v in values_for(purpose, debt)][:count]
            except ValueError:
                note = "no_purpose"
        elif debt is not None:
            note = "no_purpose"
        labels = VARIABLE_LABELS.get(purpose or "", ())
        variables = tuple(VariableValue(n, labels[n - 1] if n <= len(labels) else "",
                                        values[n - 1] if n <= len(values) else "")
                          for n in range(1, count + 1))
        return TemplatePreview(
            name=name, purpose=purpose, text=render(components, values),
            variables=variables, buttons=tuple(label for _, label in quick_replies(components)),
            debtor_name=debt.debtor_name if debt is not None else None, note=note, status=status)


def _identity(shop: ShopDetails | None) -> tuple[str, str, str | None]:
    """The shop's names and document for a pack preview (placeholders until Configurações)."""
    if shop is None:
        return "Sua Loja", "00.000.000/0000-00", None
    return shop.trade_name, shop.document, shop.legal_name


def _examples(components: Sequence[Any]) -> list[str]:
    """Meta's example values of the body (`{{n}}` itself when there is none)."""
    for component in components:
        if str(component.get("type", "")).upper() == "BODY":
            example = component.get("example")
            rows = example.get("body_text") if isinstance(example, dict) else None
            if isinstance(rows, list) and rows and isinstance(rows[0], list):
                return [str(v) for v in rows[0]]
    return [f"{{{{{n}}}}}" for n in
            sorted({int(n) for n in PLACEHOLDER.findall(body_text(components))})]


def _audit_details(result: SubmitResult) -> dict[str, Any]:
    details: dict[str, Any] = {"outcome": result.outcome.value, "purpose": result.purpose}
    if result.status:
        details["status"] = result.status
    if result.error is not None:
        details["error"] = str(result.error.params.get("code", "?"))
        details["details"] = str(result.error.params.get("details", ""))[:200]
    if result.problems:
        details["problems"] = [p.code for p in result.problems]
    return details
