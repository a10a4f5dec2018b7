"""The one access policy: who may see which of a citizen's data. Everything else asks it.

Screens (overblik selectors), MOX outbound (mox.udgaaende), the grant rows (grants) and
the access log ask this package; none of them decides visibility itself. The rules as
implemented:

1. A citizen sees all their own current data (conditions, interventions, cases). A
   guardian (vaerge) or an attorney (fuldmagt) whose scope includes consent acts for the
   citizen through a relation valid today; a relative as such does not (`borger`).
2. A member of staff sees a current Tilstand or Indsats when
   a. its responsible unit is one they work in today (egen enhed), or
   b. a consent version in force grants it to them — to one of their units or
      authorities, or to them by name — and is open to their profession in that role,
      unless the citizen has blocked them (a block, AFVIS, to their unit, authority or
      themselves: a block beats any consent, never the own unit; `blokering_for` tells
      the citizen which of their consents a block has taken the effect from), or
   c. they hold a legal-basis access (Hjemmel) to the citizen in force now.
   Nobody else sees anything — a superuser neither (`personale`).
3. A consent version covers an object when it is the consent's citizen's, active, its
   responsible unit is among the consent's sources (kilder) and its type or one of the
   type's ancestors is among the consent's categories (kategorier); a consent that names
   a profession is open only to readers of that profession. Written once for SQL and once
   for Python, side by side (`daekning`); grant rows are written by it (grants).
4. A grant row counts only while its consent version is in force: the row names the
   version, and its state and period are joined at query time, so revocation and expiry
   take effect on the very next request, without any periodic job (`byggesten`).
5. A case (Sag) is seen like 2, but through a consent only when it includes the case
   overview (sagsindeks) and its sources include the case's responsible unit; a case of a
   unit Datadeling does not know is seen only on a legal basis (`sag`).
6. A unit, and so a system acting for it, sees its own data and what a consent in force
   grants to the unit or its authority naming no profession, unless blocked; legal bases
   and consents to named staff are personal and never reach a system; a unit past its
   validity sees nothing. A unit that could see an object is told that it ended (`enhed`,
   `sag`).
7. A member of staff may open a citizen's page when the policy shows them something of the
   citizen, or they have a recorded reason: their own CPR lookup in the last 24 hours, an
   open request (sent, not answered, at most ANMODNING_AABNER_DAGE old) from one of their
   units, a consent in force to them, or a legal basis in force
   (`personale.borgere_aabne`; for one citizen's page, decided from the visible set read
   with the citizen, `personale.side_aaben`). Any other citizen is the same as one that
   does not exist;
   every route of the portal that takes a citizen asks this (overblik's `borgerside`).
   A function in a unit whose validity has ended is no function: it grants nothing.
   Privacy by default (`skjult`): of data they may not see, a member of staff learns only
   which authorities hold some — never units, counts or categories — and, when the
   citizen has blocked them, nothing at all. A consent request names its sources as the
   units of the chosen authorities that hold such data; the citizen sees those units.
8. The basis of each read (own unit, consent id, legal-basis id, the citizen) is given
   with it (`forklar`, `sag_grundlag`, `enheders_grundlag`) for the access log.
9. Only staff register data, and only for a unit they work in today (`kan_skrive`). A
   member of staff with a current unit may find any citizen by CPR number to start a case
   (`kan_starte_sag`); the lookup is logged and opens the page for 24 hours (rule 7).
10. Correction requests (GDPR art. 16): the citizen, or a person acting for them through a
   relation that counts today and covers their data, files them; the unit responsible
   for the datum now sees and answers them; the citizen's statement on a datum that was
   not corrected, and the citizen's voice on goals, are seen by whoever sees the datum
   (`berigtigelse`).
11. A leader reviews the legal-basis accesses of the units they lead today, and only
   those (`hjemler_til_gennemgang`).
12. The citizen may download everything Datadeling holds about them, and only that; so
   may a person acting for them (rule 1) whose relation also covers health, care, social
   or personal matters (`eksport`).
13. The dialogue (`dialog`): a member of staff may see a citizen's dialogue by their own
   unit's involvement (data, a case or an open request of the unit about the citizen) or
   a consent in force that includes the dialogue, unless blocked, or by a legal basis in
   force; they read a conversation when they may see the dialogue and they or their unit
   take part. The citizen, and a person acting for them whose relation's scope includes
   the dialogue, read the conversations held with the citizen; of one among
   professionals the citizen sees only that it exists and its history. A unit (a system)
   is told of messages, metadata only, when the unit may see the dialogue.
14. A member of staff is told of a consent about to expire (the worklist) when it is in
   force, addressed to one of their units, their authorities or them by name, and the
   citizen has not blocked them (`samtykker_udloeber`). Every other item of the worklist
   names only citizens whose page the person may open (rule 7).
15. Notifications (`modtagere`, `notifikation`): a change is delivered only to those the
   staff rule (the case rule) shows the object at delivery, asked for a batch of people at
   once (`personale_der_ser`); the inbox, and the e-mail digest when it is sent, show a
   notification only while the person may still see what it is about
   (`notifikationer_synlige_q`), so losing access hides it; for a new message in a
   conversation, while they read the conversation itself (rule 13), not merely the
   citizen's page.

Every function returns a queryset or a filter evaluated in the database, or decides from
rows it reads in the same call; a view turns "not visible" into the same 404 as "does not
exist". New kinds of data (dialogue, notifications, export) get their rule here, built
from the same pieces.
"""

from samtykke.policy.berigtigelse import (
    PART_OMFANG,
    berigtigelser_for_borger,
    berigtigelser_for_enheder,
    berigtigelser_til,
    er_part,
    kan_besvare,
    part_q,
    part_relation,
)
from samtykke.policy.borger import HANDLE_TYPER, handle_for_q, kan_handle_for
from samtykke.policy.byggesten import (
    TILLADELSER,
    blokeret,
    blokering_for,
    enhed_aktoer,
    er_en_af_ids,
    hjemmel_q,
    modtager_q,
)
from samtykke.policy.daekning import aaben_for, daekker, daekker_q, fag_q, typer
from samtykke.policy.eksport import EKSPORT_OMFANG, eksport_q, maa_eksportere
from samtykke.policy.enhed import enheders_grundlag, synlige_for_enhed
from samtykke.policy.modtagere import (
    handler_for_brugere,
    personale_der_ser,
    personale_der_ser_mange,
)
from samtykke.policy.notifikation import DATA_ARTER, notifikationer_synlige_q
from samtykke.policy.personale import (
    OPSLAG,
    OPSLAG_GYLDIGHED,
    SynligeIds,
    adgang_annotationer,
    borgere_aabne,
    borgere_med_synligt,
    borgere_synlige,
    forklar,
    grundlag,
    hjemler_til,
    hjemler_til_gennemgang,
    indsatser_synlige,
    kan_skrive,
    kan_starte_sag,
    kontakt_q,
    leder_enhed_ids,
    samtykker_til,
    samtykker_udloeber,
    side_aaben,
    side_annotationer,
    synlige_ids,
    synlige_ids_annotationer,
    tilstande_synlige,
)
from samtykke.policy.sag import (
    sag_grundlag,
    sag_grundlag_annotationer,
    sager_synlige,
    samtykker_til_sag,
)
from samtykke.policy.skjult import (
    har_skjult_annotation,
    kilder_for_myndigheder,
    skjult_hos,
    skjulte_indsatser,
    skjulte_sager,
    skjulte_tilstande,
)

__all__ = [
    "EKSPORT_OMFANG",
    "DATA_ARTER",
    "HANDLE_TYPER",
    "OPSLAG",
    "OPSLAG_GYLDIGHED",
    "PART_OMFANG",
    "TILLADELSER",
    "aaben_for",
    "adgang_annotationer",
    "berigtigelser_for_borger",
    "berigtigelser_for_enheder",
    "berigtigelser_til",
    "blokeret",
    "blokering_for",
    "borgere_aabne",
    "borgere_med_synligt",
    "borgere_synlige",
    "daekker",
    "daekker_q",
    "enhed_aktoer",
    "er_en_af_ids",
    "eksport_q",
    "enheders_grundlag",
    "er_part",
    "fag_q",
    "forklar",
    "grundlag",
    "handle_for_q",
    "handler_for_brugere",
    "har_skjult_annotation",
    "hjemler_til",
    "hjemler_til_gennemgang",
    "hjemmel_q",
    "indsatser_synlige",
    "kan_besvare",
    "kan_handle_for",
    "kan_skrive",
    "kan_starte_sag",
    "kilder_for_myndigheder",
    "kontakt_q",
    "leder_enhed_ids",
    "maa_eksportere",
    "modtager_q",
    "part_q",
    "part_relation",
    "notifikationer_synlige_q",
    "personale_der_ser",
    "personale_der_ser_mange",
    "sag_grundlag",
    "sag_grundlag_annotationer",
    "sager_synlige",
    "samtykker_til",
    "samtykker_til_sag",
    "samtykker_udloeber",
    "side_aaben",
    "side_annotationer",
    "skjult_hos",
    "skjulte_indsatser",
    "skjulte_sager",
    "skjulte_tilstande",
    "SynligeIds",
    "synlige_ids",
    "synlige_ids_annotationer",
    "synlige_for_enhed",
    "tilstande_synlige",
    "typer",
]
