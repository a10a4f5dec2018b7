"""factory_boy factories: one object of every model the admin shows."""

from __future__ import annotations

import datetime

import factory
from django.contrib.auth.models import Group, User

from klassifikation.kendte import FAGLIGHED_URI
from klassifikation.models import (
    Betegnelse,
    Klasse,
    Klassifikation,
    Mapping,
    MappingRelation,
    Mappingsaet,
    Supplement,
)
from organisation.models import (
    Borger,
    Enhed,
    Funktion,
    Medarbejder,
    Myndighed,
    MyndighedsType,
    Relation,
    RelationsType,
    Rolle,
)


def gyldigt_cpr(n: int) -> str:
    """Return the n-th of 112,000 valid CPR numbers born in 1980 (7th digit 0–3)."""
    dag = datetime.date(1980, 1, 1) + datetime.timedelta(days=(n // 4000) % 366)
    return f"{dag:%d%m%y}{n % 4000:04d}"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"bruger{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"Bruger {n}")
    password = "!ikke-brugbar"  # unusable: no slow hashing per user


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Group

    name = factory.Sequence(lambda n: f"Gruppe {n}")


class MyndighedFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Myndighed

    navn = factory.Sequence(lambda n: f"Testrup {n} Kommune")
    type = MyndighedsType.KOMMUNE
    kommunekode = factory.Sequence(lambda n: f"{n % 1000:03d}")


class EnhedFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enhed

    myndighed = factory.SubFactory(MyndighedFactory)
    navn = factory.Sequence(lambda n: f"Enhed {n}")
    enhedstype = "afdeling"
    gyldig_fra = datetime.date(2020, 1, 1)


class KlassifikationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Klassifikation
        django_get_or_create = ["uri"]

    uri = factory.Sequence(lambda n: f"http://example.org/CodeSystem/test-{n}")
    navn = factory.Sequence(lambda n: f"Test{n}")
    titel = factory.Sequence(lambda n: f"Testkodesystem {n}")
    version = "1.0"


class KlasseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Klasse

    klassifikation = factory.SubFactory(KlassifikationFactory)
    kode = factory.Sequence(lambda n: f"K{n}")
    titel = factory.Sequence(lambda n: f"Klasse {n}")
    raekkefoelge = factory.Sequence(int)


class FaglighedFactory(KlasseFactory):
    """A class in the profession code system."""

    klassifikation = factory.SubFactory(
        KlassifikationFactory, uri=FAGLIGHED_URI, navn="Fagligheder", titel="Fagligheder"
    )
    titel = factory.Sequence(lambda n: f"Faggruppe {n}")


class MedarbejderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Medarbejder

    user = factory.SubFactory(UserFactory)
    myndighed = factory.SubFactory(MyndighedFactory)
    navn = factory.Sequence(lambda n: f"Medarbejder {n}")
    titel = "Socialrådgiver"


class FunktionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Funktion

    medarbejder = factory.SubFactory(MedarbejderFactory)
    enhed = factory.SubFactory(EnhedFactory)
    rolle = Rolle.SAGSBEHANDLER
    faglighed = factory.SubFactory(FaglighedFactory)
    gyldig_fra = datetime.date(2020, 1, 1)


class BorgerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Borger

    cpr = factory.Sequence(gyldigt_cpr)
    fornavn = factory.Sequence(lambda n: f"Anna{n}")
    efternavn = "Hansen"
    adresse = "Vestergade 1"
    postnummer = "8000"
    by = "Aarhus C"


class RelationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Relation

    borger = factory.SubFactory(BorgerFactory)
    person = factory.SubFactory(BorgerFactory)
    type = RelationsType.PAAROERENDE
    beskrivelse = "datter"
    gyldig_fra = datetime.date(2020, 1, 1)


class BetegnelseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Betegnelse

    klasse = factory.SubFactory(KlasseFactory)
    tekst = factory.Sequence(lambda n: f"Betegnelse {n}")
    faglighed = factory.SubFactory(FaglighedFactory)


class MappingsaetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mappingsaet

    uri = factory.Sequence(lambda n: f"http://example.org/ConceptMap/test-{n}")
    navn = factory.Sequence(lambda n: f"Map{n}")
    titel = factory.Sequence(lambda n: f"Mappingsæt {n}")


class MappingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mapping

    fra_klasse = factory.SubFactory(KlasseFactory)
    til_klasse = factory.SubFactory(KlasseFactory)
    relation = MappingRelation.EXACT
    mappingsaet = factory.SubFactory(MappingsaetFactory)


class SupplementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Supplement

    uri = factory.Sequence(lambda n: f"http://example.org/CodeSystem/supplement-{n}")
    navn = factory.Sequence(lambda n: f"Supplement{n}")
    titel = factory.Sequence(lambda n: f"Supplement {n}")
    klassifikation = factory.SubFactory(KlassifikationFactory)


FACTORIES = {
    f._meta.model: f
    for f in [
        UserFactory,
        GroupFactory,
        MyndighedFactory,
        EnhedFactory,
        MedarbejderFactory,
        FunktionFactory,
        BorgerFactory,
        RelationFactory,
        KlassifikationFactory,
        KlasseFactory,
        BetegnelseFactory,
        MappingFactory,
        MappingsaetFactory,
        SupplementFactory,
    ]
}
