"""Property tests: no body, however broken, makes the parser raise (the receiver must answer 200).

Beyond "does not raise", the events must be storable: every text is valid UTF-8 without NUL
(PostgreSQL refuses it) and every instant is an aware UTC datetime.
"""

from __future__ import annotations

import copy
import dataclasses
import json
from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cobrador_desktop.domain.webhook_events import ApiErrorInfo
from cobrador_desktop.whatsapp.webhook.parse import ACCOUNT_FIELDS, TEMPLATE_FIELDS, ParseResult, parse_body
from tests.unit.whatsapp.webhook._data import fixture_names, raw

# No example database (failures print their reproduction anyway); no deadline and no too_slow
# check, which a loaded CI runner trips while building nested JSON, not because the parser is slow.
FUZZ = settings(max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=20,
)
#: values that broke naive parsers: wrong types, huge numbers, lone surrogates, NUL, NaN
awkward = st.sampled_from([
    None, True, 0, -1, 10**30, 1.5, float("nan"), float("inf"), "", "x", "\ud800", "a\x00b", "-5",
    "99999999999999999999", [], {}, [None], {"id": None},
])
replacement = awkward | json_values
ENVELOPES = [json.loads(raw(name)) for name in fixture_names() if name != "not_waba"]
FIELDS = sorted({"messages", *TEMPLATE_FIELDS, *ACCOUNT_FIELDS, "smb_message_echoes"})


def _assert_sane(result: ParseResult) -> None:
    assert isinstance(result, ParseResult)
    if result.ok:
        assert result.problem is None
    else:
        assert result.events == ()
        assert result.problem
    for event in result.events:
        _assert_storable(event)


def _assert_storable(obj: Any) -> None:
    for f in dataclasses.fields(obj):
        if f.name == "raw":
            continue
        value = getattr(obj, f.name)
        if isinstance(value, str):
            value.encode("utf-8")  # raises on a lone surrogate
            assert "\x00" not in value
        elif isinstance(value, datetime):
            assert value.tzinfo is UTC
        elif isinstance(value, tuple):
            for item in value:
                assert isinstance(item, ApiErrorInfo)
                _assert_storable(item)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, child in node.items():
            out += _paths(child, (*prefix, key))
    elif isinstance(node, list):
        for index, child in enumerate(node):
            out += _paths(child, (*prefix, index))
    return out


def _mutate(doc: Any, path: tuple[Any, ...], delete: bool, new: Any) -> None:
    parent = doc
    for step in path[:-1]:
        parent = parent[step]
    if delete:
        del parent[path[-1]]
    else:
        parent[path[-1]] = new


@FUZZ
@given(st.binary(max_size=2048))
def test_arbitrary_bytes_never_raise(body: bytes) -> None:
    _assert_sane(parse_body(body))


@FUZZ
@given(json_values)
def test_arbitrary_json_never_raises(doc: Any) -> None:
    _assert_sane(parse_body(json.dumps(doc).encode()))


@FUZZ
@given(st.lists(st.fixed_dictionaries({"field": st.sampled_from(FIELDS) | json_values, "value": replacement}),
                max_size=4),
       st.one_of(st.none(), replacement))
def test_envelopes_with_arbitrary_changes_parse_without_the_safety_net(changes: list[Any], time: Any) -> None:
    body = json.dumps({"object": "whatsapp_business_account",
                       "entry": [{"id": "102290129340398", "time": time, "changes": changes}]}).encode()
    result = parse_body(body)
    _assert_sane(result)
    # tolerance, not the catch-all: a WABA envelope always parses
    assert result.ok, result.problem


@FUZZ
@given(st.sampled_from(ENVELOPES), st.data())
def test_fixtures_with_keys_deleted_or_types_swapped_still_parse(envelope: Any, data: st.DataObject) -> None:
    doc = copy.deepcopy(envelope)
    entries = doc["entry"]
    for _ in range(data.draw(st.integers(1, 6), label="mutations")):
        paths = _paths(entries)
        if not paths:
            break
        path = data.draw(st.sampled_from(paths), label="path")
        delete = data.draw(st.booleans(), label="delete")
        # a copy: sampled values such as [None] are shared objects that later mutations would edit
        new = None if delete else copy.deepcopy(data.draw(replacement, label="new"))
        _mutate(entries, path, delete, new)
    result = parse_body(json.dumps(doc).encode())
    _assert_sane(result)
    assert result.ok, result.problem


@FUZZ
@given(st.sampled_from(fixture_names()), st.data())
def test_truncated_or_flipped_fixture_bytes_never_raise(name: str, data: st.DataObject) -> None:
    body = bytearray(raw(name))
    if data.draw(st.booleans(), label="truncate"):
        body = body[: data.draw(st.integers(0, len(body)), label="length")]
    elif body:
        at = data.draw(st.integers(0, len(body) - 1), label="at")
        body[at] = data.draw(st.integers(0, 255), label="byte")
    _assert_sane(parse_body(bytes(body)))
