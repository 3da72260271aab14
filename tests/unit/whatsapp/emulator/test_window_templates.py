"""The 24 h window and templates: send checks, listing with cursors, creation, deletion."""

from __future__ import annotations

import asyncio

from cobrador_desktop.domain.template_pack import PACK
from tests.unit.whatsapp.emulator.harness import WABA_ID, error_code, running, template_payload


def test_free_text_needs_an_open_window_sync_mode() -> None:
    async def scenario() -> None:
        async with running() as h:
            closed = await h.text()
            assert closed.status_code == 400 and error_code(closed) == 131047
            await h.inbound(text="Oi, quero pagar")
            assert (await h.text()).status_code == 200
            await h.advance(24 * 3600 - 1)
            assert (await h.text()).status_code == 200
            await h.advance(2)
            assert error_code(await h.text()) == 131047
            # A template is allowed outside the window.
            assert (await h.send(template_payload())).status_code == 200

    asyncio.run(scenario())


def test_window_async_mode_accepts_then_fails() -> None:
    async def scenario() -> None:
        async with running(window_mode="async") as h:
            response = await h.text()
            assert response.status_code == 200
            sent = (await h.control("GET", "sent")).json()["messages"]
            assert sent[0]["outcome"] == "failed:131047"

    asyncio.run(scenario())


def test_template_sends_and_checks() -> None:
    async def scenario() -> None:
        async with running() as h:
            ok = await h.send(template_payload())
            assert ok.status_code == 200
            assert ok.json()["messages"][0]["message_status"] == "accepted"
            missing = await h.send(template_payload(name="nao_existe_v1"))
            assert missing.status_code == 404 and error_code(missing) == 132001
            english = template_payload()
            english["template"]["language"]["code"] = "en_US"
            assert error_code(await h.send(english)) == 132001
            assert error_code(await h.send(template_payload(values=["Maria", "2/6"]))) == 132000
            newline = await h.send(template_payload(values=["Maria\nS.", "2/6", "R$ 1,00", "hoje"]))
            assert newline.status_code == 400 and error_code(newline) == 100
            tab = template_payload(values=["Maria\tS.", "2/6", "R$ 1,00", "hoje"])
            assert error_code(await h.send(tab)) == 100
            spaces = template_payload(values=["Maria     S.", "2/6", "R$ 1,00", "hoje"])
            assert error_code(await h.send(spaces)) == 100
            long = await h.send(template_payload(values=["M" * 1000, "2/6", "R$ 1,00", "hoje"]))
            assert error_code(long) == 132005

    asyncio.run(scenario())


def test_paused_disabled_and_pending_templates() -> None:
    async def scenario() -> None:
        async with running() as h:
            paused = await h.control("POST", "templates/lembrete_vencimento_v1/status", {"status": "PAUSED"})
            assert paused.status_code == 200
            assert error_code(await h.send(template_payload())) == 132015
            await h.control("POST", "templates/lembrete_vencimento_v1/status", {"status": "DISABLED"})
            assert error_code(await h.send(template_payload())) == 132016
            await h.control("POST", "templates/lembrete_vencimento_v1/status", {"status": "PENDING"})
            assert error_code(await h.send(template_payload())) == 132001
            await h.control("POST", "templates/lembrete_vencimento_v1/status", {"status": "APPROVED"})
            assert (await h.send(template_payload())).status_code == 200
            unknown = await h.control("POST", "templates/nao_existe/status", {"status": "PAUSED"})
            assert unknown.status_code == 404

    asyncio.run(scenario())


def test_list_templates_follows_cursors() -> None:
    async def scenario() -> None:
        async with running() as h:
            names: list[str] = []
            params = {"limit": "4"}
            pages = 0
            while True:
                page = (await h.api.get(f"{WABA_ID}/message_templates", params=params)).json()
                pages += 1
                names += [t["name"] for t in page["data"]]
                assert all(t["language"] == "pt_BR" and t["status"] == "APPROVED" for t in page["data"])
                if "next" not in page["paging"]:
                    break
                params = {"limit": "4", "after": page["paging"]["cursors"]["after"]}
            assert pages == 2 and names == [t.name for t in PACK]  # the shop's pack, approved
            body = next(c for c in page["data"][0]["components"] if c["type"] == "BODY")
            assert "{{1}}" in body["text"]
            bad = await h.api.get(f"{WABA_ID}/message_templates", params={"after": "garbage!!"})
            assert bad.status_code == 400 and error_code(bad) == 131059
            wrong_waba = await h.api.get("999/message_templates")
            assert error_code(wrong_waba) == 100

    asyncio.run(scenario())


def test_create_is_pending_then_approvable_and_delete() -> None:
    async def scenario() -> None:
        async with running() as h:
            new = {"name": "aviso_v2", "language": "pt_BR", "category": "UTILITY",
                   "parameter_format": "POSITIONAL",
                   "components": [{"type": "BODY", "text": "Olá, {{1}}. Sua parcela vence amanhã.",
                                   "example": {"body_text": [["Ana"]]}}]}
            created = await h.api.post(f"{WABA_ID}/message_templates", json=new)
            assert created.status_code == 200
            assert created.json()["status"] == "PENDING" and created.json()["category"] == "UTILITY"
            send = template_payload(name="aviso_v2", values=["Ana"])
            assert error_code(await h.send(send)) == 132001
            await h.control("POST", "templates/aviso_v2/status", {"status": "APPROVED"})
            assert (await h.send(send)).status_code == 200
            duplicate = await h.api.post(f"{WABA_ID}/message_templates", json=new)
            assert error_code(duplicate) == 100
            bad_name = await h.api.post(f"{WABA_ID}/message_templates", json={**new, "name": "Aviso"})
            assert error_code(bad_name) == 100
            deleted = await h.api.delete(f"{WABA_ID}/message_templates", params={"name": "aviso_v2"})
            assert deleted.json() == {"success": True}
            assert error_code(await h.send(send)) == 132001
            again = await h.api.delete(f"{WABA_ID}/message_templates", params={"name": "aviso_v2"})
            assert again.status_code == 400

    asyncio.run(scenario())
