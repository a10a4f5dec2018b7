"""Property: the citizen's view of a block (policy.blokering_for, Python) says what the
staff rule (policy.blokeret, SQL) does.

On random authorities, units and blocks (to a unit or an authority, in force, expired,
not yet begun or lifted), a consent to a unit is shown as beaten by a block exactly when
the database rule hides the citizen's data from that unit because of a block.
"""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from organisation.models import Borger, Enhed, Myndighed
from samtykke.models import Beslutning, Samtykke, SamtykkeStatus
from samtykke.policy import blokeret, blokering_for, enhed_aktoer
from tests.hypotese import eksempler

pytestmark = pytest.mark.django_db

NU = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
DAG = datetime.timedelta(days=1)

blokering = st.tuples(
    st.integers(0, 1),  # the citizen
    st.booleans(),  # to a unit (True) or an authority
    st.integers(0, 3),  # which unit (0-3) or authority (modulo 2)
    st.integers(-3, 2),  # begins, days from now
    st.integers(-2, 3),  # length in days (at least 1)
    st.booleans(),  # lifted
)


def _samtykke(borger, beslutning, *, fra=NU - DAG, til=NU + DAG, status=None, **modtager):
    return Samtykke.objects.create(
        kaede=uuid.uuid4(), borger=borger, givet_af=borger, formaal="Test", gyldig_fra=fra,
        gyldig_til=til, beslutning=beslutning, tekst="Test", tekst_version="1", oprettet=NU,
        status=status or SamtykkeStatus.AKTIV, **modtager,
    )  # fmt: skip


@settings(
    max_examples=eksempler(60),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(blokeringer=st.lists(blokering, max_size=5), enhed=st.integers(0, 3))
def test_blokering_for_and_blokeret_agree(blokeringer, enhed):
    with transaction.atomic():
        myndigheder = [
            Myndighed.objects.create(navn=f"K{i}", type="kommune", kommunekode=f"99{i}")
            for i in range(2)
        ]
        enheder = [
            Enhed.objects.create(myndighed=myndigheder[i // 2], navn=f"Enhed {i}") for i in range(4)
        ]
        borgere = [
            Borger.objects.create(cpr=f"030390{1000 + i}", fornavn="B", efternavn=str(i))
            for i in range(2)
        ]
        e = Enhed.objects.select_related("myndighed").get(pk=enheder[enhed].pk)
        s = _samtykke(
            borgere[0], Beslutning.TILLAD, modtager_enhed=e, kilder=[e.pk], sagsindeks=True
        )
        gemte = [
            _samtykke(
                borgere[b],
                Beslutning.AFVIS,
                fra=NU + fra * DAG,
                til=NU + (fra + max(laengde, 1)) * DAG,
                status=SamtykkeStatus.TILBAGEKALDT if ophaevet else SamtykkeStatus.AKTIV,
                **(
                    {"modtager_enhed": enheder[i]}
                    if til_enhed
                    else {"modtager_myndighed": myndigheder[i % 2]}
                ),
            )  # fmt: skip
            for b, til_enhed, i, fra, laengde, ophaevet in blokeringer
        ]
        i_sql = (
            Borger.objects.filter(pk=borgere[0].pk)
            .filter(blokeret(enhed_aktoer(e), NU, borger="pk"))
            .exists()
        )
        i_python = blokering_for(s, [s, *gemte], NU) is not None
        assert i_sql == i_python, blokeringer
        transaction.set_rollback(True)
