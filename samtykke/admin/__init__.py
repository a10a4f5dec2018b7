"""Admin for citizen data, built for an administrator: tilstande, indsatser, consents,
requests, legal-basis access with its review, and the access log.

All of it is read-only in the admin. Writes go through the services (the one action here,
passivating a Tilstand or an Indsats registered by mistake, calls tilstand_passivate /
indsats_passivate), and the history, consent and log tables refuse UPDATE and DELETE in
PostgreSQL anyway.

A superuser gets no silent access to citizen content: every admin page that shows a
citizen's data writes one access-log entry per citizen shown (grundlag administration,
handling admin), in the transaction that reads the data, and renders the page inside that
transaction, so if an entry cannot be written the page fails instead of showing the data
(`faelles`).

Why each admin sits where it does. Each app keeps the admin of its own models where the
floors allow it (klassifikation, organisation and mox have their own `admin.py`). The
admins of Tilstand, Indsats and Sag (`tilstand`, `indsats`, sharing `historik`, and `sag`)
sit here, because writing the access log is part of showing their pages and tilstand,
indsats and sagsindeks may not import samtykke; registering them plainly in their apps and
adding the logging here would leave a window, and a place to forget, where citizen data
is shown unlogged.
Consents and requests (`samtykke`), legal-basis access (`hjemmel`) and the log itself
(`adgangslog`) are samtykke's own models. Borger and Relation are organisation's plain
admins, replaced here by logged ones in one place (`borger`).

The guardian grant rows (TilstandGruppeTilladelse, TilstandBrugerTilladelse,
IndsatsGruppeTilladelse, IndsatsBrugerTilladelse) are deliberately not registered. A row
grants nothing by itself: whether it counts is decided at query time by its consent's
status and period (samtykke.policy), so a list of rows would answer "who may see this?"
wrongly, and guardian's own permission screens would let an administrator hand out
access to citizen data without a consent. Support answers that question from the
consent (Samtykke, with recipient, categories, sources and "i kraft nu") and from the
citizen's access log.
"""

from samtykke.admin import (
    adgangslog,
    berigtigelse,
    borger,
    hjemmel,
    indsats,
    sag,
    samtykke,
    tilstand,
)
from samtykke.admin.faelles import (
    BorgerdataAdmin,
    LivscyklusFilter,
    LogAdgangMixin,
    SkrivebeskyttetInline,
    livscyklus,
)

# The modules register their admins when imported.
__all__ = [
    "BorgerdataAdmin",
    "LivscyklusFilter",
    "LogAdgangMixin",
    "SkrivebeskyttetInline",
    "adgangslog",
    "berigtigelse",
    "borger",
    "hjemmel",
    "indsats",
    "livscyklus",
    "sag",
    "samtykke",
    "tilstand",
]
