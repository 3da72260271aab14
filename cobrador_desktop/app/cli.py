"""The command line of INTERFACES.md §1, with help and errors in Portuguese.

argparse's own words ("usage:", "options"…) come from `gettext`; we route them through a small pt-BR
table so `--help` and usage errors read in Portuguese without shipping a gettext catalogue.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

from cobrador_desktop import __version__
from cobrador_desktop.app.config import DEFAULT_WEBHOOK_PORT

_ARGPARSE_PT = {
    "usage: ": "uso: ",
    "options": "opções",
    "positional arguments": "argumentos",
    "show this help message and exit": "mostra esta ajuda e sai",
    "%(prog)s: error: %(message)s\n": "%(prog)s: erro: %(message)s\n",
    "the following arguments are required: %s": "faltam os argumentos: %s",
    "unrecognized arguments: %s": "argumentos não reconhecidos: %s",
    "invalid choice: %(value)r (choose from %(choices)s)":
        "opção inválida: %(value)r (escolha entre %(choices)s)",
    "expected one argument": "esperava um valor",
    "expected at least one argument": "esperava ao menos um valor",
    "expected at most one argument": "esperava no máximo um valor",
    "invalid %(type)s value: %(value)r": "valor inválido: %(value)r",
    "argument %(argument_name)s: %(message)s": "argumento %(argument_name)s: %(message)s",
    "ambiguous option: %(option)s could match %(matches)s":
        "opção ambígua: %(option)s pode ser %(matches)s",
    "not allowed with argument %s": "não pode ser usado junto com %s",
    "one of the arguments %s is required": "é preciso um destes argumentos: %s",
    "can't open '%(filename)s': %(error)s": "não foi possível abrir '%(filename)s': %(error)s",
}


def _pt(message: str) -> str:
    return _ARGPARSE_PT.get(message, message)


argparse._ = _pt  # type: ignore[attr-defined]  # see module docstring


#: hidden sole argument: start Qt's platform plugin, print its name and exit (`check` runs it apart,
#: because a plugin that fails may abort the whole process)
QT_PROBE_ARG = "--probe-qt-platform"


#: the pages `--page` opens (the window's `Page` order)
PAGE_CHOICES = ("caixa", "devedores", "regua", "resultados", "configuracoes")


def _seconds(text: str) -> float:
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}” não é um número de segundos") from None
    if value < 0:
        raise argparse.ArgumentTypeError("o número de segundos não pode ser negativo")
    return value


def _port(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise argparse.ArgumentTypeError(f"“{text}” não é uma porta válida (1–65535)")
    return int(text)


def _debtor_id(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"“{text}” não é um código de devedor (um número)")
    return int(text)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cobrador-desktop",
        description="Cobrador Desktop: cobrança pelo WhatsApp para pequenas lojas.",
        epilog="Sem comando, abre a janela principal (o mesmo que “gui”).",
    )
    parser.add_argument("--version", action="version", version=f"Cobrador Desktop {__version__}",
                        help="mostra a versão e sai")
    parser.add_argument("--data-dir", metavar="PASTA",
                        help="pasta de dados (variável COBRADOR_DATA_DIR; padrão: a pasta de "
                             "dados do usuário)")
    parser.add_argument("--database-url", metavar="URL",
                        help="banco de dados (variável COBRADOR_DATABASE_URL; padrão: SQLite na "
                             "pasta de dados; postgresql+psycopg://… para vários computadores)")
    sub = parser.add_subparsers(dest="command", metavar="COMANDO", title="comandos")

    def window_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--screenshot", metavar="ARQUIVO.png",
                       help="espera a janela abrir com os primeiros dados, salva uma imagem dela "
                            "e sai")
        p.add_argument("--exit-after", metavar="SEGUNDOS", type=_seconds,
                       help="fecha o programa depois desse tempo (testes)")
        p.add_argument("--page", choices=PAGE_CHOICES, default=None,
                       help="a página que abre primeiro (caixa: a caixa de entrada; com "
                            "--screenshot, a imagem mostra a primeira conversa aberta)")

    window_options(sub.add_parser("gui", help="abre a janela principal (padrão)",
                                  description="Abre a janela principal com os dados configurados."))
    demo = sub.add_parser(
        "demo", help="abre a janela com dados de demonstração, sem tocar nos dados reais",
        description="Abre a janela principal numa pasta de demonstração separada "
                    "(<pasta de dados>/demo), com lojas, devedores, dívidas e conversas de exemplo.")
    demo.add_argument("--reset", action="store_true", help="recria os dados de demonstração")
    window_options(demo)

    serve = sub.add_parser("serve", help="modo sem janela: recebe os webhooks do WhatsApp",
                           description="Recebe os webhooks do WhatsApp e os grava antes de responder, "
                                       "sem janela. Com um número configurado, envia a fila, lê "
                                       "os modelos e a qualidade do número e roda a régua todo "
                                       "dia às 09:05 (horário da loja).")
    serve.add_argument("--host", default="127.0.0.1", help="endereço (padrão 127.0.0.1)")
    serve.add_argument("--port", type=_port, default=DEFAULT_WEBHOOK_PORT,
                       help="porta (padrão %(default)s)")

    emulator = sub.add_parser("emulator", help="emulador local da API do WhatsApp (testes e demonstração)",
                              description="Roda o emulador local da API de nuvem do WhatsApp.")
    emulator.add_argument("--host", default="127.0.0.1", help="endereço (padrão 127.0.0.1)")
    emulator.add_argument("--port", type=_port, default=8090, help="porta (padrão 8090)")
    emulator.add_argument("--webhook-url", metavar="URL", help="para onde enviar os webhooks")

    imp = sub.add_parser(
        "import", help="importa devedores e dívidas de uma planilha CSV ou XLSX",
        description="Importa devedores e dívidas de uma planilha CSV (UTF-8 ou Windows-1252; "
                    "separada por ; , ou tabulação) ou XLSX. Junta cada linha ao devedor de mesmo "
                    "CPF/CNPJ, telefone ou nome; nunca duplica; importar de novo não muda nada. "
                    "Tudo ou nada: se algo falhar, o banco fica como estava.",
        epilog="Colunas reconhecidas (maiúsculas e acentos não importam): nome/cliente/devedor, "
               "cpf/cnpj/documento, telefone/celular/whatsapp, e-mail, descrição/produto/parcela, "
               "valor/saldo, vencimento. Exemplo: import clientes.csv --map \"Total=amount\"")
    imp.add_argument("file", metavar="ARQUIVO", help="planilha CSV ou XLSX")
    imp.add_argument("--dry-run", action="store_true",
                     help="confere tudo e mostra o relatório, sem gravar nada")
    imp.add_argument("--sheet", metavar="ABA", help="aba da planilha XLSX (padrão: a primeira)")
    imp.add_argument("--map", metavar="COLUNA=CAMPO", action="append", default=[],
                     help="associa uma coluna a um campo (name, document, phone, email, "
                          "description, amount, due_date, external_id); pode repetir")
    imp.add_argument("--opt-in", metavar="ORIGEM",
                     help="registra, para cada telefone do arquivo, a autorização (opt-in) com "
                          "esta origem, a data de hoje e quem importou")
    imp.add_argument("--payments", action="store_true",
                     help="o arquivo é de pagamentos (extrato): CPF/CNPJ ou telefone, valor pago "
                          "e data do pagamento; abate as dívidas em aberto mais antigas; importar "
                          "de novo não registra nada duas vezes")

    export = sub.add_parser("export", help="exporta todos os dados para JSON",
                            description="Exporta devedores, dívidas e conversas para um arquivo "
                                        "JSON (formato cobrador-export, versão 1). Segredos nunca "
                                        "são incluídos.")
    export.add_argument("file", metavar="ARQUIVO", help="arquivo .json a criar")

    person = sub.add_parser(
        "export-person", help="exporta os dados de uma pessoa (LGPD) para JSON",
        description="Grava num arquivo JSON tudo o que o programa guarda sobre um devedor: "
                    "identificação, telefones (com autorização e bloqueios), dívidas, pagamentos, "
                    "promessas, acordos, mensagens e registros de auditoria. Para atender um "
                    "pedido de acesso (LGPD art. 18). A exportação fica registrada na auditoria.")
    person.add_argument("debtor_id", metavar="CODIGO", type=_debtor_id,
                        help="código do devedor (campo Código na tela do devedor)")
    person.add_argument("file", metavar="ARQUIVO", help="arquivo .json a criar")

    anonymise = sub.add_parser(
        "anonymise", help="anonimiza um devedor (LGPD), mantendo valores e datas das dívidas",
        description="Apaga nome, CPF/CNPJ, e-mail, endereço, notas, telefones e textos das "
                    "mensagens de um devedor, mantendo valores, datas e pagamentos das dívidas "
                    "(a contabilidade da loja). Bloqueios (não contatar, não sou eu) dos "
                    "telefones continuam valendo. Não pode ser desfeito.")
    anonymise.add_argument("debtor_id", metavar="CODIGO", type=_debtor_id,
                           help="código do devedor")
    anonymise.add_argument("--yes", action="store_true",
                           help="confirma: sem isto, nada é alterado")

    remind = sub.add_parser(
        "remind", help="uma passada da régua de cobrança",
        description="Roda uma passada da régua de cobrança: planeja as mensagens do dia, passa "
                    "cada uma pela verificação de envio e põe as liberadas na fila (as fora do "
                    "horário esperam o próximo horário permitido).",
        epilog="Exemplo: remind --dry-run --at 2026-12-08T10:00 --json")
    remind.add_argument("--at", metavar="DATA-HORA",
                        help="instante ISO-8601; sem fuso, horário da loja (padrão: agora)")
    remind.add_argument("--dry-run", action="store_true",
                        help="só planeja: nada é gravado nem enviado")
    remind.add_argument("--json", action="store_true", help="uma linha JSON por mensagem")

    pix = sub.add_parser(
        "pix", help="gera o PIX copia e cola (e o QR Code) de um valor",
        description="Mostra o PIX copia e cola (BR Code estático) do valor, com a chave, o nome e "
                    "a cidade da loja salvos na configuração, ou os dados dos argumentos.",
        epilog="Exemplo: pix 150,00 --key 11.222.333/0001-81 --name \"Loja Exemplo\" "
               "--city Campinas --qr parcela.png")
    pix.add_argument("amount", metavar="VALOR", help="valor, por exemplo 150,00 ou 150.00")
    pix.add_argument("--txid", metavar="ID",
                     help="identificador da cobrança: até 25 letras sem acento e números")
    pix.add_argument("--key", metavar="CHAVE",
                     help="chave PIX: CPF, CNPJ, celular, e-mail ou chave aleatória")
    pix.add_argument("--name", metavar="NOME", help="nome do recebedor, como o banco mostra")
    pix.add_argument("--city", metavar="CIDADE", help="cidade do recebedor")
    pix.add_argument("--qr", metavar="ARQUIVO.png", help="também grava o QR Code em PNG")

    sub.add_parser("check", help="confere a instalação e a configuração",
                   description="Confere a instalação e a configuração, uma linha por item: OK, "
                               "AVISO ou FALHA, cada uma com o que fazer.")
    backup_parsers(sub)
    return parser


def backup_parsers(sub: Any) -> None:
    """`backup` and `restore` (SQLite; on PostgreSQL they explain pg_dump / pg_restore)."""
    backup = sub.add_parser(
        "backup", help="faz agora uma cópia de segurança do banco de dados",
        description="Copia o banco de dados SQLite agora, mesmo com o programa aberto, e mostra "
                    "o arquivo gravado. Sem --to, a cópia vai para <pasta de dados>/backups, "
                    "junto das automáticas (as 10 cópias feitas à mão mais novas ficam). Com "
                    "PostgreSQL, use o pg_dump (o comando explica).")
    backup.add_argument("--to", metavar="PASTA",
                        help="grava a cópia nesta pasta (um pen drive, outra máquina); nada "
                             "é apagado nela")
    restore = sub.add_parser(
        "restore", help="restaura uma cópia de segurança",
        description="Confere a cópia (precisa ser um banco do Cobrador Desktop que esta versão "
                    "abre), pergunta antes, guarda o banco atual ao lado com outro nome e põe a "
                    "cópia no lugar. Feche a janela e pare o serve antes. Com PostgreSQL, use o "
                    "pg_restore (o comando explica).",
        epilog="As cópias automáticas ficam em <pasta de dados>/backups, com a data (UTC) e o "
               "motivo no nome, por exemplo cobrador-20261123T060000Z-diaria.db.")
    restore.add_argument("file", metavar="ARQUIVO", help="a cópia (.db) a restaurar")
    restore.add_argument("--yes", action="store_true",
                         help="não pergunta: restaura direto")


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    args = build_parser().parse_args(list(argv))
    if args.command is None:
        args.command = "gui"
        args.screenshot = None
        args.exit_after = None
    return args
