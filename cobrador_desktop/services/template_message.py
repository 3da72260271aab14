"""One approved template about one debt as the Cloud API takes it and as the debtor reads it:
used by the régua (`reminder_day`) and by an operator's template from the inbox."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cobrador_desktop.domain.templates import (
    button_payload,
    placeholder_count,
    quick_replies,
    render,
)
from cobrador_desktop.whatsapp.payloads import TemplateButton, template_payload


def template_message(to: str, name: str, language: str,
                     components: Sequence[Mapping[str, Any]] | None, values: Sequence[str],
                     debt_id: int | None) -> tuple[dict[str, Any], str]:
    """(the request, the text the debtor reads).

    `values` fill the BODY's `{{n}}` in order (a stored template takes as many as it has; with
    no stored components all are passed); each quick-reply button's payload names the action
    and the debt (`PIX:d42`, `templates.button_payload`) — none without a debt.
    """
    found = list(components or [])
    params = list(values[:placeholder_count(found)]) if components is not None else list(values)
    buttons = ([TemplateButton.quick_reply(index, button_payload(label, debt_id))
                for index, label in quick_replies(found)] if debt_id is not None else [])
    payload = template_payload(to, name, language, body_params=params, buttons=buttons)
    return payload, render(found, params)
