"""The invariants of klassifikation live in the database: breaking one raises IntegrityError."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from klassifikation.models import (
    Betegnelse,
    Klasse,
    Klassifikation,
    Mapping,
    MappingRelation,
    Mappingsaet,
    Supplement,
    klasse_uuid,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def system():
    return Klassifikation.objects.create(uri="urn:test:a", navn="A", titel="A")


@pytest.fixture
def andet_system():
    return Klassifikation.objects.create(uri="urn:test:b", navn="B", titel="B")


def klasse(system, kode, **felter):
    return Klasse.objects.create(klassifikation=system, kode=kode, titel=kode, **felter)


def fejler(**kwargs):
    """Expect an IntegrityError (use with transaction.atomic() to keep the test usable)."""
    return pytest.raises(IntegrityError, **kwargs)


def test_code_is_unique_within_a_code_system_only(system, andet_system):
    klasse(system, "x")
    klasse(andet_system, "x")

    with fejler(match="klasse_unik_kode_i_klassifikation"), transaction.atomic():
        klasse(system, "x")


def test_code_must_not_be_empty(system):
    with fejler(match="klasse_kode_ikke_tom"), transaction.atomic():
        klasse(system, "")


def test_class_is_not_its_own_parent(system):
    x = klasse(system, "x")
    x.overordnet = x

    with fejler(match="klasse_ikke_egen_overordnet"), transaction.atomic():
        x.save()


def test_validity_ends_after_it_starts(system):
    dag = datetime.date(2025, 1, 1)
    klasse(system, "ok", gyldig_fra=dag, gyldig_til=dag + datetime.timedelta(days=1))

    with fejler(match="klasse_gyldighed_orden"), transaction.atomic():
        klasse(system, "x", gyldig_fra=dag, gyldig_til=dag)


def test_status_is_one_of_the_known(system):
    with fejler(match="klasse_status_gyldig"), transaction.atomic():
        klasse(system, "x", status="aktiv")


def test_uri_is_unique_and_not_empty(system):
    with fejler(match="unique"), transaction.atomic():
        Klassifikation.objects.create(uri="urn:test:a", navn="A2", titel="A2")
    with fejler(match="klassifikation_uri_ikke_tom"), transaction.atomic():
        Klassifikation.objects.create(uri="", navn="C", titel="C")


def test_a_code_system_with_classes_cannot_be_deleted(system):
    klasse(system, "x")

    with pytest.raises(ProtectedError):
        system.delete()


def test_a_word_once_per_class_and_profession_also_for_everybody(system):
    x = klasse(system, "x")
    laege = klasse(system, "laege")
    Betegnelse.objects.create(klasse=x, tekst="Ord")
    Betegnelse.objects.create(klasse=x, tekst="Ord", faglighed=laege)

    # No profession (NULL) counts as one value: the same synonym twice is refused.
    with fejler(match="betegnelse_unik"), transaction.atomic():
        Betegnelse.objects.create(klasse=x, tekst="Ord")
    with fejler(match="betegnelse_unik"), transaction.atomic():
        Betegnelse.objects.create(klasse=x, tekst="Ord", faglighed=laege, kilde="urn:x")
    with fejler(match="betegnelse_tekst_ikke_tom"), transaction.atomic():
        Betegnelse.objects.create(klasse=x, tekst="")


def test_a_class_is_not_mapped_to_itself(system):
    x = klasse(system, "x")
    mapping = Mapping(fra_klasse=x, til_klasse=x, relation=MappingRelation.EXACT)

    with pytest.raises(ValidationError, match="En klasse kan ikke mappes til sig selv."):
        mapping.full_clean()
    with fejler(match="mapping_ikke_til_sig_selv"), transaction.atomic():
        mapping.save()


def test_a_mapping_once_per_set(system, andet_system):
    x, y = klasse(system, "x"), klasse(andet_system, "y")
    saet = [
        Mappingsaet.objects.create(uri=f"urn:kort:{i}", navn=str(i), titel=str(i)) for i in (1, 2)
    ]
    for mappingsaet in (None, *saet):
        Mapping.objects.create(
            fra_klasse=x, til_klasse=y, relation=MappingRelation.CLOSE, mappingsaet=mappingsaet
        )
    Mapping.objects.create(fra_klasse=x, til_klasse=y, relation=MappingRelation.BROAD)

    with fejler(match="mapping_unik"), transaction.atomic():
        Mapping.objects.create(fra_klasse=x, til_klasse=y, relation=MappingRelation.CLOSE)
    with fejler(match="mapping_unik"), transaction.atomic():
        Mapping.objects.create(
            fra_klasse=x, til_klasse=y, relation=MappingRelation.CLOSE, mappingsaet=saet[0]
        )


def test_mapping_relation_is_a_skos_relation(system, andet_system):
    with fejler(match="mapping_relation_gyldig"), transaction.atomic():
        Mapping.objects.create(
            fra_klasse=klasse(system, "x"), til_klasse=klasse(andet_system, "y"), relation="same"
        )


def test_deleting_a_mapping_set_deletes_its_mappings(system, andet_system):
    saet = Mappingsaet.objects.create(uri="urn:kort", navn="k", titel="k")
    Mapping.objects.create(
        fra_klasse=klasse(system, "x"),
        til_klasse=klasse(andet_system, "y"),
        relation=MappingRelation.EXACT,
        mappingsaet=saet,
    )

    saet.delete()

    assert not Mapping.objects.exists()


def test_supplement_uri_is_unique_and_protects_its_code_system(system):
    Supplement.objects.create(uri="urn:supp", navn="s", titel="s", klassifikation=system)

    with fejler(match="unique"), transaction.atomic():
        Supplement.objects.create(uri="urn:supp", navn="s2", titel="s2", klassifikation=system)
    with pytest.raises(ProtectedError):
        system.delete()


def test_class_id_is_the_uuid_code_or_derived_from_it():
    kode = "61452fe5-cea2-4d92-b2f1-406e9a5d31cb"

    assert str(klasse_uuid("urn:a", kode)) == kode
    assert klasse_uuid("urn:a", "J1.1") == klasse_uuid("urn:a", "J1.1")
    assert klasse_uuid("urn:a", "J1.1") != klasse_uuid("urn:b", "J1.1")
