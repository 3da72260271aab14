"""The typed webhook events live in `domain.webhook_events` (storage and services use them too);
this module re-exports them for the webhook code."""

from cobrador_desktop.domain.webhook_events import (
    AccountUpdate,
    ApiErrorInfo,
    InboundMessage,
    JsonDict,
    StatusUpdate,
    TemplateUpdate,
    UnknownChange,
    WebhookError,
    WebhookEvent,
)

__all__ = [
    "AccountUpdate", "ApiErrorInfo", "InboundMessage", "JsonDict", "StatusUpdate",
    "TemplateUpdate", "UnknownChange", "WebhookError", "WebhookEvent",
]
