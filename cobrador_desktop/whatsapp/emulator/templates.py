"""Message templates: the shop's pack (`domain.template_pack`) seeded as approved, management
(list, create, delete) and send checks."""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field
from typing import Any

from cobrador_desktop.domain.template_pack import build_pack
from cobrador_desktop.whatsapp.emulator.state import GraphError

PLACEHOLDER = re.compile(r"\{\{(\d+)\}\}")
NAME_RE = re.compile(r"^[a-z0-9_]{1,512}$")
#: Meta refuses newlines, tabs and more than 4 consecutive spaces in a parameter (§2.2).
BAD_PARAM = re.compile(r"[\n\t]| {5,}")
STATUSES = {"APPROVED", "PENDING", "REJECTED", "PAUSED", "DISABLED", "IN_APPEAL",
            "PENDING_DELETION", "DELETED", "LIMIT_EXCEEDED", "ARCHIVED"}

#: the demo shop (services.demo_data.SHOP): a CNPJ with real check digits, which the send guard
#: matches against the shop identity it is configured with
DEMO_SHOP, DEMO_CNPJ = "Loja Exemplo", "12.345.678/0001-95"


@dataclass
class Template:
    """One template translation, as `GET message_templates` shows it."""

    id: str
    name: str
    language: str
    status: str
    category: str
    components: list[dict[str, Any]] = field(default_factory=list)
    #: why Meta rejected or paused it (`TAG_CONTENT_MISMATCH`…); None when approved
    rejected_reason: str | None = None

    @property
    def body(self) -> str:
        for component in self.components:
            if str(component.get("type", "")).upper() == "BODY":
                return str(component.get("text", ""))
        return ""

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "language": self.language, "status": self.status,
                "category": self.category, "parameter_format": "POSITIONAL",
                "quality_score": {"score": "GREEN"}, "components": self.components,
                "rejected_reason": self.rejected_reason or "NONE"}


class TemplateStore:
    """The WABA's templates, in creation order."""

    def __init__(self) -> None:
        self.items: list[Template] = []
        self._next_id = 1234567890123456
        for entry in build_pack(DEMO_SHOP, DEMO_CNPJ):  # the shop's pack, already approved
            spec = entry.spec
            self.add(entry.name, spec["language"], spec["category"], spec["components"],
                     "APPROVED")

    def add(self, name: str, language: str, category: str, components: list[dict[str, Any]],
            status: str, rejected_reason: str | None = None) -> Template:
        template = Template(str(self._next_id), name, language, status, category, components,
                            rejected_reason)
        self._next_id += 1
        self.items.append(template)
        return template

    def find(self, name: str, language: str | None = None) -> list[Template]:
        return [t for t in self.items if t.name == name and language in (None, t.language)]

    # ---------------------------------------------------------------- management
    def page(self, limit: int, after: str | None) -> dict[str, Any]:
        """One page of `GET message_templates` with Graph-style cursors."""
        start = 0
        if after is not None:
            start = _decode_cursor(after, len(self.items))
        chunk = self.items[start:start + limit]
        body: dict[str, Any] = {"data": [t.as_json() for t in chunk]}
        if chunk:
            cursors = {"before": _encode_cursor(start), "after": _encode_cursor(start + len(chunk))}
            body["paging"] = {"cursors": cursors}
            if start + len(chunk) < len(self.items):
                body["paging"]["next"] = f"?limit={limit}&after={cursors['after']}"
        return body

    def create(self, body: dict[str, Any]) -> Template:
        name, language = body.get("name"), body.get("language")
        category, components = body.get("category"), body.get("components")
        if not isinstance(name, str) or not isinstance(language, str) or not isinstance(category, str):
            raise GraphError(100, "name, language and category are required")
        if not NAME_RE.match(name):
            raise GraphError(100, "Template name must be lowercase letters, digits and _")
        if not isinstance(components, list) or not any(
                isinstance(c, dict) and str(c.get("type", "")).upper() == "BODY" for c in components):
            raise GraphError(100, "A BODY component is required")
        if self.find(name, language):
            raise GraphError(100, "Content in this language already exists", subcode=2388024)
        text = next(str(c.get("text", "")) for c in components
                    if isinstance(c, dict) and str(c.get("type", "")).upper() == "BODY")
        if len(text) > 1024:
            raise GraphError(100, "Body text is too long", subcode=2388040)
        stripped = text.strip()
        if PLACEHOLDER.match(stripped) or re.search(r"\{\{\d+\}\}$", stripped):
            raise GraphError(100, "Variables cannot be at the start or end of the body", subcode=2388299)
        return self.add(name, language, category.upper(), components, "PENDING")

    def delete(self, name: str) -> int:
        before = len(self.items)
        self.items = [t for t in self.items if t.name != name]
        return before - len(self.items)

    # ---------------------------------------------------------------- sending
    def check_send(self, spec: Any) -> Template:
        """Validate the `template` object of a send; raise the code Meta would (§7, §11)."""
        if not isinstance(spec, dict):
            raise GraphError(131008, "Parameter 'template' is required")
        name = spec.get("name")
        language = spec.get("language")
        code = language.get("code") if isinstance(language, dict) else None
        if not isinstance(name, str) or not isinstance(code, str):
            raise GraphError(131008, "template.name and template.language.code are required")
        found = self.find(name, code)
        template = found[0] if found else None
        if template is None or template.status not in {"APPROVED", "PAUSED", "DISABLED"}:
            raise GraphError(132001, f"template name ({name}) does not exist in {code}")
        if template.status == "PAUSED":
            raise GraphError(132015, f"Template {name} is paused due to low quality")
        if template.status == "DISABLED":
            raise GraphError(132016, f"Template {name} has been disabled due to low quality")
        values = _body_values(spec.get("components"))
        expected = len(set(PLACEHOLDER.findall(template.body)))
        if len(values) != expected:
            raise GraphError(132000, f"body: number of localizable_params ({len(values)}) does not "
                                     f"match the expected number of params ({expected})")
        hydrated = PLACEHOLDER.sub(lambda m: values[int(m.group(1)) - 1], template.body)
        if len(hydrated) > 1024:
            raise GraphError(132005, "Translated text too long: the body exceeds 1024 characters")
        return template


def _body_values(components: Any) -> list[str]:
    values: list[str] = []
    if components is None:
        return values
    if not isinstance(components, list):
        raise GraphError(131009, "template.components must be an array")
    for component in components:
        if not isinstance(component, dict) or str(component.get("type", "")).lower() != "body":
            continue
        for parameter in component.get("parameters") or []:
            if not isinstance(parameter, dict):
                raise GraphError(131009, "Each parameter must be an object")
            kind = parameter.get("type")
            if kind == "text":
                value = parameter.get("text")
            elif kind == "currency":
                value = (parameter.get("currency") or {}).get("fallback_value")
            elif kind == "date_time":
                value = (parameter.get("date_time") or {}).get("fallback_value")
            else:
                raise GraphError(132012, f"Parameter type {kind!r} does not match the template")
            if not isinstance(value, str):
                raise GraphError(131008, f"Parameter of type {kind} needs a value")
            if BAD_PARAM.search(value):
                raise GraphError(100, "Param text cannot have new-line/tab characters or more than "
                                      "4 consecutive spaces")
            values.append(value)
    return values


def _encode_cursor(index: int) -> str:
    return base64.urlsafe_b64encode(f"idx:{index}".encode()).decode("ascii").rstrip("=")


def _decode_cursor(cursor: str, size: int) -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
        prefix, _, number = raw.partition(":")
        index = int(number)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise GraphError(131059, "The pagination cursor is invalid") from None
    if prefix != "idx" or not 0 <= index <= size:
        raise GraphError(131059, "The pagination cursor is invalid")
    return index
