"""factory_boy factories: one object of every model the admin shows."""

from __future__ import annotations

import datetime

import factory
from django.contrib.auth.models import Group, User

from demo.personer import gyldigt_cpr
from indsats.models import Indsats
from indsats.services import indsats_register
from klassifikation import kendte
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
from organisation import services as organisation_services
from organisation.models import (
    Borger,
    Enhed,
    Funktion,
    FunktionHaendelse,
    Medarbejder,
    Myndighed,
    MyndighedsType,
    Relation,
    RelationsType,
    Rolle,
)
from organisation.selectors import aktoer_for
from samtykke import services as samtykke_services
from samtykke.adgangslog import adgangslog_write
from samtykke.models import (
    Adgangslog,
    Anmodning,
    Gennemgang,
    Grundlag,
    Hjemmel,
    HjemmelGennemgang,
    Samtykke,
)
from tilstand.models import Tilstand
from tilstand.services import tilstand_register


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


class FunktionHaendelseFactory(factory.django.DjangoModelFactory):
    """A role given by an administrator: the trail is written by the service, never directly."""

    class Meta:
        model = FunktionHaendelse

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        administrator = FunktionFactory(rolle=Rolle.ADMINISTRATOR)
        funktion = organisation_services.funktion_create(
            actor=administrator.medarbejder.user,
            medarbejder=MedarbejderFactory(myndighed=administrator.enhed.myndighed),
            enhed=administrator.enhed,
            rolle=Rolle.SAGSBEHANDLER,
            gyldig_fra=datetime.date(2020, 1, 1),
        )
        return model_class.objects.get(funktion_uuid=funktion.pk)


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


# --- citizen data: created through the services, as everywhere else ----------------------


class ServiceFactory(factory.django.DjangoModelFactory):
    """A factory whose objects are made by a service (`lav`), never by a bare INSERT."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return cls.lav(**kwargs)


class TilstandTypeFactory(KlasseFactory):
    """A leaf condition among FSIII's pleje- og omsorgstilstande (the rules read `sti`)."""

    sti = factory.LazyFunction(lambda: [kendte.FSIII_FUNKTIONSEVNETILSTANDE[0]])
    niveau = 1
    titel = factory.Sequence(lambda n: f"Tilstand {n}")


class IndsatsTypeFactory(KlasseFactory):
    """A leaf intervention among FSIII's pleje- og omsorgsindsatser."""

    sti = factory.LazyFunction(lambda: [kendte.FSIII_INDSATSER[0]])
    niveau = 1
    titel = factory.Sequence(lambda n: f"Indsats {n}")


class TilstandFactory(ServiceFactory):
    class Meta:
        model = Tilstand

    borger = factory.SubFactory(BorgerFactory)
    type = factory.SubFactory(TilstandTypeFactory)
    ansvarlig_enhed = factory.SubFactory(EnhedFactory)

    @staticmethod
    def lav(*, borger, actor=None, **data):
        return tilstand_register(actor=actor, borger=borger, data=data)


class IndsatsFactory(ServiceFactory):
    class Meta:
        model = Indsats

    borger = factory.SubFactory(BorgerFactory)
    type = factory.SubFactory(IndsatsTypeFactory)
    ansvarlig_enhed = factory.SubFactory(EnhedFactory)
    startdato = datetime.date(2025, 1, 1)

    @staticmethod
    def lav(*, borger, actor=None, **data):
        return indsats_register(actor=actor, borger=borger, data=data)


class SamtykkeFactory(ServiceFactory):
    class Meta:
        model = Samtykke

    borger = factory.SubFactory(BorgerFactory)
    modtager = factory.SubFactory(EnhedFactory)
    kategori = factory.SubFactory(KlasseFactory)
    kilde = factory.SubFactory(EnhedFactory)
    formaal = "Koordinere hjemmepleje og træning"

    @staticmethod
    def lav(*, kategori, kilde, actor=None, **kwargs):
        return samtykke_services.samtykke_give(
            actor=actor, kategorier=[kategori], kilder=[kilde], **kwargs
        )


class AnmodningFactory(ServiceFactory):
    class Meta:
        model = Anmodning

    borger = factory.SubFactory(BorgerFactory)
    anmoder = factory.SubFactory(MedarbejderFactory)
    enhed = factory.SubFactory(EnhedFactory)
    kategori = factory.SubFactory(KlasseFactory)
    kilde = factory.SubFactory(EnhedFactory)
    formaal = "Koordinere hjemmepleje og træning"
    begrundelse = "Så vi kan planlægge hjælpen sammen med dig."
    varighed_dage = 90

    @staticmethod
    def lav(*, kategori, kilde, actor=None, **kwargs):
        return samtykke_services.anmodning_create(
            actor=actor, kategorier=[kategori], kilder=[kilde], **kwargs
        )


class AdgangshjemmelFactory(KlasseFactory):
    """A legal basis for access without consent (Datadeling's own code system)."""

    klassifikation = factory.SubFactory(
        KlassifikationFactory,
        uri=kendte.ADGANGSHJEMMEL_URI,
        navn="Adgangshjemler",
        titel="Adgangshjemler",
    )
    titel = factory.Sequence(lambda n: f"Lovhjemmel {n}")


class HjemmelFactory(ServiceFactory):
    class Meta:
        model = Hjemmel

    borger = factory.SubFactory(BorgerFactory)
    funktion = factory.SubFactory(FunktionFactory)
    lovgrundlag = factory.SubFactory(AdgangshjemmelFactory)
    begrundelse = "Akut behov for at se medicinoplysninger"
    dage = 7

    @staticmethod
    def lav(*, funktion, actor=None, **kwargs):
        return samtykke_services.hjemmel_register(
            actor=actor, medarbejder=funktion.medarbejder, enhed=funktion.enhed, **kwargs
        )


class HjemmelGennemgangFactory(ServiceFactory):
    class Meta:
        model = HjemmelGennemgang

    hjemmel = factory.SubFactory(HjemmelFactory)
    resultat = Gennemgang.GODKENDT

    @staticmethod
    def lav(*, hjemmel, actor=None, **kwargs):
        leder = FunktionFactory(enhed=hjemmel.enhed, rolle=Rolle.LEDER).medarbejder
        return samtykke_services.hjemmel_review(actor=actor, hjemmel=hjemmel, leder=leder, **kwargs)


class AdgangslogFactory(ServiceFactory):
    class Meta:
        model = Adgangslog

    borger = factory.SubFactory(BorgerFactory)
    funktion = factory.SubFactory(FunktionFactory)
    hvad = "Overblik over borgeren"
    grundlag = Grundlag.EGEN_ENHED

    @staticmethod
    def lav(*, funktion, **kwargs):
        user = funktion.medarbejder.user
        return adgangslog_write(aktoer=aktoer_for(user), user=user, **kwargs)


FACTORIES = {
    f._meta.model: f
    for f in [
        UserFactory,
        GroupFactory,
        MyndighedFactory,
        EnhedFactory,
        MedarbejderFactory,
        FunktionFactory,
        FunktionHaendelseFactory,
        BorgerFactory,
        RelationFactory,
        KlassifikationFactory,
        KlasseFactory,
        BetegnelseFactory,
        MappingFactory,
        MappingsaetFactory,
        SupplementFactory,
        TilstandFactory,
        IndsatsFactory,
        SamtykkeFactory,
        AnmodningFactory,
        HjemmelFactory,
        HjemmelGennemgangFactory,
        AdgangslogFactory,
    ]
}


# --- mox: sending systems and their inbox -----------------------------------------------


class MoxSystemFactory(factory.django.DjangoModelFactory):
    """A sending fagsystem, made by the service (its token and secret are generated)."""

    class Meta:
        model = "mox.System"

    navn = factory.Sequence(lambda n: f"Omsorgssystem {n}")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from mox.services import system_create

        system, _token, _secret = system_create(navn=kwargs["navn"])
        return system


class MoxBeskedFactory(factory.django.DjangoModelFactory):
    """A message in the inbox, received through the ingress service."""

    class Meta:
        model = "mox.Besked"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        import copy
        import uuid

        from mox.eksempler import TILSTAND
        from mox.models import Besked
        from mox.services import beskeder_receive

        besked = copy.deepcopy(TILSTAND)
        besked["beskedID"] = str(uuid.uuid4())
        system = MoxSystemFactory()
        svar = beskeder_receive(system=system, beskeder=[besked])
        return Besked.objects.get(system=system, besked_id=svar[0]["beskedID"])


from mox.models import Besked as _Besked  # noqa: E402
from mox.models import System as _System  # noqa: E402

FACTORIES[_System] = MoxSystemFactory
FACTORIES[_Besked] = MoxBeskedFactory


# --- mox: outbound subscriptions and their outbox ------------------------------------------


class MoxAbonnementFactory(factory.django.DjangoModelFactory):
    """A system's subscription to tilstand notifications, made by the service."""

    class Meta:
        model = "mox.Abonnement"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from mox.udgaaende.services import abonnement_create

        system = kwargs.get("system") or MoxSystemFactory()
        system.enhed = kwargs.get("enhed")
        system.webhook_url = "https://fagsystem.example.dk/mox/notifikationer"
        system.save(update_fields=["enhed", "webhook_url"])
        return abonnement_create(system=system, objekttype="tilstand")


class MoxNotifikationFactory(factory.django.DjangoModelFactory):
    """An outbox row: a subscribed system's unit registers a condition, the change writes
    the notification (its delivery waits for a commit that a test never makes)."""

    class Meta:
        model = "mox.Notifikation"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        enhed = EnhedFactory()
        abonnement = MoxAbonnementFactory(enhed=enhed)
        tilstand = TilstandFactory(ansvarlig_enhed=enhed)
        return model_class.objects.get(abonnement=abonnement, objekt_id=tilstand.pk)


class SagFactory(ServiceFactory):
    """A case reported by a fagsystem, in the case index."""

    class Meta:
        model = "sagsindeks.Sag"

    borger = factory.SubFactory(BorgerFactory)

    @staticmethod
    def lav(*, borger, actor=None, **data):
        from sagsindeks.services import sag_register

        return sag_register(
            actor=actor,
            borger=borger,
            data={
                "titel": "Sygedagpenge",
                "kildesystem": "Jobcentersystem",
                "fremdrift": "Oplyst",
                "startdato": datetime.date(2025, 1, 1),
                "kle_nummer": "15.17.00",
                **data,
            },
        )


from mox.models import Abonnement as _Abonnement  # noqa: E402
from mox.models import Notifikation as _Notifikation  # noqa: E402
from sagsindeks.models import Sag as _Sag  # noqa: E402

FACTORIES[_Abonnement] = MoxAbonnementFactory
FACTORIES[_Notifikation] = MoxNotifikationFactory
FACTORIES[_Sag] = SagFactory


# --- dialog: a conversation about a citizen ---------------------------------------------------


class SamtaleFactory(ServiceFactory):
    """A conversation with the citizen, started by a caseworker whose unit holds a condition
    about her (its involvement), with a first message: made by the services."""

    class Meta:
        model = "dialog.Samtale"

    borger = factory.SubFactory(BorgerFactory)
    funktion = factory.SubFactory(FunktionFactory)

    @staticmethod
    def lav(*, borger, funktion, **kwargs):
        from dialog.models import SamtaleType
        from dialog.services import samtale_create

        TilstandFactory(borger=borger, ansvarlig_enhed=funktion.enhed)
        return samtale_create(
            borger=borger, type=SamtaleType.MED_BORGEREN, emne="Hjælp i hjemmet",
            actor=funktion.medarbejder.user, tekst="Hej, vi aftaler besøget her.",
        )  # fmt: skip


from dialog.models import Samtale as _Samtale  # noqa: E402

FACTORIES[_Samtale] = SamtaleFactory
