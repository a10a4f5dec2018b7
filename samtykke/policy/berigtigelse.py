"""Correction requests (GDPR art. 16) and the citizen's own words on a datum: who may file
or write them, and who sees and answers them.

- The party (parten) is the citizen, or a person acting for them through a relation valid
  today by which they may act for the citizen (`kan_handle_for`: værge, fuldmagt covering
  consent) whose scope also covers the citizen's data (health and care, social matters or
  personal matters): the scope that lets them read Mine data. The party files requests on
  the data they see (every active datum of the citizen), adds a statement to a datum the
  unit did not correct, and writes the citizen's voice on an intervention's goals.
- A request goes to the unit responsible for the datum now (ansvarlig enhed): staff who
  work in that unit today see it and answer it (`kan_skrive`); nobody else on the staff
  side sees requests. Its citizen and the party see their own.
- The citizen's statement and voice belong to the datum: whoever may see the datum sees
  them (the staff rule in `personale`, the citizen).
"""

from __future__ import annotations

import datetime
import uuid

from django.db.models import Exists, OuterRef, Q, QuerySet

from indsats.models import Indsats
from organisation.models import Borger, Omfang, Relation
from organisation.selectors import Aktoer
from samtykke.models import Berigtigelse, BerigtigelseSvar
from samtykke.policy.borger import handle_for_q
from samtykke.policy.personale import kan_skrive
from tilstand.models import Tilstand

PART_OMFANG = (Omfang.HELBRED, Omfang.SOCIALE, Omfang.PERSONLIGE)
"""A relation must cover one of these (besides consent) for the person to speak for the
citizen about the citizen's data."""


def part_q(now: datetime.datetime) -> Q:
    """Return the filter for relations by which a person speaks for a citizen about their data."""
    return handle_for_q(now) & Q(omfang__overlap=list(PART_OMFANG))


def part_relation(person: Borger, borger: Borger, now: datetime.datetime) -> Relation | None:
    """Return the relation by which `person` speaks for `borger` today, or None."""
    return Relation.objects.filter(part_q(now), borger=borger, person=person).first()


def er_part(
    person: Borger, borger: Borger, relation: Relation | None, now: datetime.datetime
) -> bool:
    """Return whether `person` may file a correction request, add a statement or write the
    citizen's voice for `borger`: they are the citizen (and no relation is named), or
    `relation` is a relation of theirs to the citizen that counts today (`part_q`)."""
    if relation is None:
        return person.pk == borger.pk
    if relation.person_id != person.pk or relation.borger_id != borger.pk:
        return False
    return Relation.objects.filter(part_q(now), pk=relation.pk).exists()


def _egne_enheder_q(aktoer: Aktoer) -> Q:
    ids = list(aktoer.enhed_ids) if aktoer.er_medarbejder else []
    return Q(tilstand__ansvarlig_enhed_id__in=ids) | Q(indsats__ansvarlig_enhed_id__in=ids)


def berigtigelser_for_enheder(aktoer: Aktoer) -> QuerySet[Berigtigelse]:
    """Return every correction request (open and answered) about data whose responsible
    unit is one the member of staff works in today; none for anybody else."""
    if not aktoer.er_medarbejder or not aktoer.enhed_ids:
        return Berigtigelse.objects.none()
    return Berigtigelse.objects.filter(_egne_enheder_q(aktoer))


def berigtigelser_til(aktoer: Aktoer) -> QuerySet[Berigtigelse]:
    """Return the open (unanswered) correction requests the member of staff's units must
    answer: the worklist's selector. Not prefetched: the caller picks its columns."""
    svar = BerigtigelseSvar.objects.filter(berigtigelse_id=OuterRef("pk"))
    return berigtigelser_for_enheder(aktoer).filter(~Exists(svar))


def kan_besvare(aktoer: Aktoer, datum: Tilstand | Indsats) -> bool:
    """Return whether the member of staff may answer a request about `datum` (correct it
    or decline): they work today in the unit responsible for it."""
    return kan_skrive(aktoer, datum.ansvarlig_enhed_id)


def berigtigelser_for_borger(borger_id: uuid.UUID) -> QuerySet[Berigtigelse]:
    """Return a citizen's own requests (for the citizen and the party acting for them)."""
    return Berigtigelse.objects.filter(borger_id=borger_id)
