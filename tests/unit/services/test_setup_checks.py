"""The wizard's connection test refuses what saving the connection refuses, before any request."""

from __future__ import annotations

import asyncio

import pytest

from cobrador_desktop.domain.connection import ConnectionIdInvalid, ConnectionUrlInvalid
from cobrador_desktop.services.setup import SetupChecks


@pytest.mark.parametrize(("number", "waba", "address", "refused"), [
    ("12345abc", "998877", "", ConnectionIdInvalid),
    ("123456", "conta 1", "", ConnectionIdInvalid),
    ("123456", "998877", "ftp://graph.facebook.com/v25.0", ConnectionUrlInvalid),
    ("123456", "998877", "https://usuario:senha@graph.facebook.com/v25.0", ConnectionUrlInvalid),
])
def test_the_connection_test_checks_the_fields_as_saving_does(
        number: str, waba: str, address: str, refused: type[Exception]) -> None:
    # the addresses are refused before a client exists: nothing reaches the network
    with pytest.raises(refused):
        asyncio.run(SetupChecks().test_number(number, waba, "EAAtoken", address))
