"""What the window and `/healthz` say about sharing one database between PCs (issue 8).

Source text in pt-BR, marked for Qt's translation (the UI translates it under the "Sharing"
context; `/healthz` answers the source text).
"""

from __future__ import annotations

from cobrador_desktop.domain.i18n import QT_TRANSLATE_NOOP

#: another process holds the sender lock: it receives, sends and runs the scheduler
OTHER_SENDER = QT_TRANSLATE_NOOP("Sharing", "Outro computador ({name}) está enviando")
#: the database cannot be reached; the program keeps trying by itself
DATABASE_LOST = QT_TRANSLATE_NOOP(
    "Sharing", "Sem conexão com o banco de dados — tentando de novo")
