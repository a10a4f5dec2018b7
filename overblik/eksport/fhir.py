"""The citizen's download as a FHIR R4 Bundle (type collection), after KL's FKI model.

- Patient: the citizen, CPR as identifier (urn:oid:1.2.208.176.1.2).
- Condition: a tilstand, its code and level (severity) in their own code systems (FSIII
  urn:oid:1.2.208.176.2.21, FFB urn:oid:1.2.208.176.2.22), the citizen's own words and the
  professional note as notes, clinical and verification status. A goal set on the tilstand
  (måltype, forventet niveau) is a Goal that addresses it.
- ServiceRequest: an indsats (its code, legal basis, period, status, provider and granting
  unit), in a CarePlan with its goals (Goal, one per indsatsmål) that addresses the
  tilstande it is about.
- Provenance: one per registration of a tilstand or indsats (when, why, by whom), with the
  datum's source (Kilde), method (oplysningsaktivitet) and responsible unit and person.
- Consent: one per consent version; AuditEvent: one per access-log entry.
- Communication: one per version of a message the downloader reads (subject the Patient,
  sender the Patient, a RelatedPerson (someone acting through a relation) or the staff
  member in their unit (PractitionerRole), sent, the text and the attachments' metadata
  as payload, the data it refers to as `about`, the conversation as identifier and topic);
  an edit names the version it replaces (extension `erstatter`), a withdrawn message is
  `entered-in-error` without payload. Of a professionals-only conversation only who wrote
  when (a Communication without payload per history event of a message).
- Organization and Practitioner: the units and staff the others refer to.

Every reference inside the bundle is `urn:uuid:<id>` and resolves to an entry's fullUrl;
the log's objects that are not in the bundle are named by identifier, not referenced.
Built without a query from an `EksportData`.
"""

from __future__ import annotations

import base64
import uuid
from typing import Any

from overblik.eksport.dokument import tid
from overblik.selectors.eksport import EksportData
from samtykke.models import Beslutning, Handling, SamtykkeStatus
from tilstand.models import TilstandStatus

CPR_SYSTEM = "urn:oid:1.2.208.176.1.2"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_VER = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
PROVENANCE_TYPE = "http://terminology.hl7.org/CodeSystem/provenance-participant-type"
CONSENT_SCOPE = "http://terminology.hl7.org/CodeSystem/consentscope"
LOINC = "http://loinc.org"
DCM = "http://dicom.nema.org/resources/ontology/DCM"
AUDIT_TYPE = "http://terminology.hl7.org/CodeSystem/audit-event-type"
# Datadeling's own names for what FHIR has no element or code for.
DD = "urn:datadeling:fhir"
EXT_STOETTEBEHOV = f"{DD}:extension:stoettebehov"
EXT_LOVGRUNDLAG = f"{DD}:extension:lovgrundlag"
EXT_LIVSCYKLUS = f"{DD}:livscykluskode"
EXT_ERSTATTER = f"{DD}:extension:erstatter"  # the message version an edit replaces
EXT_SHA256 = f"{DD}:extension:sha256"  # Attachment.hash is SHA-1 in R4; ours is SHA-256
BESKED_HAENDELSER = ("skrevet", "rettet", "trukket")
ID_SYSTEM = f"{DD}:id"  # + ":tilstand", ":indsats", ... for the log's objects

CLINICAL = {
    TilstandStatus.AKTIV: "active",
    TilstandStatus.POTENTIEL: "active",
    TilstandStatus.INAKTIV: "inactive",
    TilstandStatus.AFSLUTTET: "resolved",
}
SLETTET = "Slettet"


def ref(pk: Any) -> dict[str, str]:
    return {"reference": f"urn:uuid:{pk}"}


def _uuid5(*dele: object) -> uuid.UUID:
    """Return a stable id for a resource Datadeling has no id of its own for (a goal)."""
    return uuid.uuid5(uuid.NAMESPACE_URL, "urn:datadeling:" + ":".join(map(str, dele)))


class FhirBygger:
    def __init__(self, data: EksportData) -> None:
        self.data = data
        self.entries: list[dict[str, Any]] = []
        self.ids: set[str] = set()
        self.patient = ref(data.borger.pk)

    def add(self, pk: Any, resource: dict[str, Any]) -> None:
        resource["id"] = str(pk)
        self.entries.append({"fullUrl": f"urn:uuid:{pk}", "resource": resource})
        self.ids.add(str(pk))

    def coding(self, klasse_id: uuid.UUID | None) -> dict[str, Any] | None:
        """Return a CodeableConcept in the class's own code system, or None."""
        if klasse_id is None or klasse_id not in self.data.klasser:
            return None
        k = self.data.klasser[klasse_id]
        c = {"system": k.klassifikation.uri, "code": k.kode, "display": k.titel}
        if k.klassifikation.version:
            c["version"] = k.klassifikation.version
        return {"coding": [c], "text": k.titel}

    def org(self, enhed_id: uuid.UUID | None) -> dict[str, Any] | None:
        return ref(enhed_id) if enhed_id in self.data.enheder else None

    def forfatter(self, o: Any) -> dict[str, Any] | None:
        """Return a reference to who is responsible for a datum: person, else unit."""
        if o.ansvarlig_id in self.data.medarbejdere:
            return ref(o.ansvarlig_id)
        return self.org(o.ansvarlig_enhed_id)

    # --- resources ------------------------------------------------------------------------

    def patient_(self) -> None:
        b = self.data.borger
        p: dict[str, Any] = {
            "resourceType": "Patient",
            "identifier": [{"system": CPR_SYSTEM, "value": b.cpr}],
            "name": [{"family": b.efternavn, "given": b.fornavn.split()}],
        }
        if b.adresse or b.postnummer or b.by:
            p["address"] = [
                {
                    "line": [b.adresse] if b.adresse else None,
                    "postalCode": b.postnummer or None,
                    "city": b.by or None,
                    "country": "DK",
                }  # fmt: skip
            ]
        if b.doedsdato:
            p["deceasedDateTime"] = b.doedsdato.isoformat()
        self.add(b.pk, p)

    def organisationer(self) -> None:
        for e in self.data.enheder.values():
            self.add(e.pk, {"resourceType": "Organization", "name": e.navn,
                            "alias": [e.myndighed.navn]})  # fmt: skip
        for m in self.data.myndigheder.values():
            self.add(m.pk, {"resourceType": "Organization", "name": m.navn})
        for m in self.data.medarbejdere.values():
            self.add(m.pk, {"resourceType": "Practitioner", "name": [{"text": m.navn}]})

    def condition(self, t: Any) -> None:
        c: dict[str, Any] = {
            "resourceType": "Condition",
            "subject": self.patient,
            "code": self.coding(t.type_id),
            "recordedDate": tid(t.oprettet),
            "onsetDateTime": tid(t.virkning_fra),
        }
        if t.livscykluskode == SLETTET:
            c["verificationStatus"] = {"coding": [{"system": CONDITION_VER,
                                                   "code": "entered-in-error"}]}  # fmt: skip
        else:
            # passivated: taken out of use, so no longer a current problem
            klinisk = CLINICAL[t.status] if t.aktiv else "inactive"
            c["clinicalStatus"] = {"coding": [{"system": CONDITION_CLINICAL, "code": klinisk}]}
            ver = "provisional" if t.status == TilstandStatus.POTENTIEL else "confirmed"
            c["verificationStatus"] = {"coding": [{"system": CONDITION_VER, "code": ver}]}
            if t.aktiv and t.status in (TilstandStatus.AKTIV, TilstandStatus.POTENTIEL):
                c["category"] = [
                    {"coding": [{"system": CONDITION_CATEGORY, "code": "problem-list-item"}]}
                ]
        if t.virkning_til is not None and "clinicalStatus" in c:
            c["abatementDateTime"] = tid(t.virkning_til)
        if niveau := self.coding(t.niveau_id):
            c["severity"] = niveau
        if stoette := self.coding(t.stoettebehov_id):
            c["extension"] = [{"url": EXT_STOETTEBEHOV, "valueCodeableConcept": stoette}]
        forfatter = self.forfatter(t)
        if t.ansvarlig_id in self.data.medarbejdere:  # recorder is a person, never a unit
            c["recorder"] = ref(t.ansvarlig_id)
        noter = []
        if t.borgerens_vurdering:
            noter.append({"authorReference": self.patient, "text": t.borgerens_vurdering})
        if t.faglig_note:
            note: dict[str, Any] = {"text": t.faglig_note}
            if forfatter:
                note["authorReference"] = forfatter
            noter.append(note)
        if noter:
            c["note"] = noter
        self.add(t.pk, c)
        if t.maaltype_id or t.forventet_niveau_id:
            self.goal(_uuid5("tilstand", t.pk, "maal"), tekst=None, aktiv=t.aktiv,
                      addresses=[t.pk], kategori=t.maaltype_id,
                      maalniveau=t.forventet_niveau_id)  # fmt: skip
        self.provenance(t, "Condition")

    def goal(
        self, pk: uuid.UUID, *, tekst: str | None, aktiv: bool, addresses: list[Any],
        kategori: uuid.UUID | None = None, maalniveau: uuid.UUID | None = None,
        start: str | None = None,
    ) -> None:  # fmt: skip
        g: dict[str, Any] = {
            "resourceType": "Goal",
            "lifecycleStatus": "active" if aktiv else "completed",
            "subject": self.patient,
            "description": {"text": tekst or (self.coding(kategori) or {}).get("text", "Mål")},
        }
        if kat := self.coding(kategori):
            g["category"] = [kat]
        if niveau := self.coding(maalniveau):
            g["target"] = [{"detailCodeableConcept": niveau}]
        if start:
            g["startDate"] = start
        if addresses:
            g["addresses"] = [ref(a) for a in addresses]
        self.add(pk, g)

    def indsats(self, i: Any, tilstand_ids: set[str]) -> None:
        om = [t for t in map(str, i.tilstande) if t in tilstand_ids]
        if i.livscykluskode == SLETTET:
            status = "entered-in-error"
        elif i.afsluttet or not i.aktiv:
            status = "completed"
        else:  # granted (visiteret) is already in force: there is no draft in Datadeling
            status = "active"
        periode = {"start": i.startdato.isoformat()}
        if i.slutdato:
            periode["end"] = i.slutdato.isoformat()
        sr_id = _uuid5("indsats", i.pk, "ydelse")
        sr: dict[str, Any] = {
            "resourceType": "ServiceRequest",
            "status": status,
            "intent": "order",
            "subject": self.patient,
            "code": self.coding(i.type_id),
            "occurrencePeriod": periode,
            "identifier": [{"system": f"{ID_SYSTEM}:indsats", "value": str(i.pk)}],
        }
        if lov := self.coding(i.lovgrundlag_id):
            sr["extension"] = [{"url": EXT_LOVGRUNDLAG, "valueCodeableConcept": lov}]
        if bevilget := self.org(i.bevilgende_enhed_id) or self.org(i.ansvarlig_enhed_id):
            sr["requester"] = bevilget
        if leverer := self.org(i.leverende_enhed_id):
            sr["performer"] = [leverer]
        elif i.leverandoer:
            sr["performer"] = [{"display": i.leverandoer}]
        if om:
            sr["reasonReference"] = [ref(t) for t in om]
        if i.formaal:
            sr["note"] = [{"text": i.formaal}]
        self.add(sr_id, sr)
        maal_ids = []
        for n, m in enumerate(i.maal or []):
            if not isinstance(m, dict):
                continue
            mid = _uuid5("indsats", i.pk, "maal", n)
            self.goal(mid, tekst=str(m.get("tekst", "")) or None, aktiv=status == "active",
                      addresses=[t for t in map(str, m.get("tilstande") or [])
                                 if t in tilstand_ids],
                      start=i.startdato.isoformat())  # fmt: skip
            maal_ids.append(mid)
        cp: dict[str, Any] = {
            "resourceType": "CarePlan",
            "status": status,
            "intent": "plan",
            "subject": self.patient,
            "title": (self.coding(i.type_id) or {}).get("text"),
            "period": periode,
            "activity": [{"reference": ref(sr_id)}],
        }
        if i.formaal:
            cp["description"] = i.formaal
        if om:
            cp["addresses"] = [ref(t) for t in om]
        if maal_ids:
            cp["goal"] = [ref(g) for g in maal_ids]
        if forfatter := self.forfatter(i):
            cp["author"] = forfatter
        self.add(i.pk, cp)
        self.provenance(i, "CarePlan", ekstra=[sr_id])

    def provenance(self, o: Any, _type: str, ekstra: list[Any] = ()) -> None:  # type: ignore[assignment]
        """One Provenance per registration: when and why it was registered, by whom, and the
        source, method and responsible person of the datum as that registration left it."""
        for r in o.registreringer.all():
            versioner = list(r.versioner.all())
            v = versioner[-1] if versioner else o
            agenter: list[dict[str, Any]] = []
            if forfatter := self.forfatter(v):
                agent = {"type": {"coding": [{"system": PROVENANCE_TYPE, "code": "author"}]},
                         "who": forfatter}  # fmt: skip
                if (enhed := self.org(v.ansvarlig_enhed_id)) and enhed != forfatter:
                    agent["onBehalfOf"] = enhed
                agenter.append(agent)
            if kilde := self.coding(v.kilde_id):
                who = self.patient if kilde["text"] == "Borger" else {"display": kilde["text"]}
                agenter.append({
                    "type": {"coding": [{"system": PROVENANCE_TYPE, "code": "informant"}]},
                    "role": [kilde], "who": who,
                })  # fmt: skip
            registrant = self.data.medarbejder_for_bruger.get(r.aktoer_id) if r.aktoer_id else None
            agenter.append({
                "type": {"coding": [{"system": PROVENANCE_TYPE, "code": "enterer"}]},
                "who": ref(registrant.pk) if registrant and registrant.pk in self.data.medarbejdere
                else {"display": r.aktoer_tekst or "Datadeling"},
            })  # fmt: skip
            p: dict[str, Any] = {
                "resourceType": "Provenance",
                "target": [ref(o.pk), *(ref(e) for e in ekstra)],
                "recorded": tid(r.tidspunkt),
                "agent": agenter,
                "reason": [
                    {
                        "coding": [{"system": EXT_LIVSCYKLUS, "code": r.livscykluskode}],
                        "text": r.begrundelse or r.livscykluskode,
                    }
                ],  # fmt: skip
            }
            if metode := self.coding(v.metode_id):
                p["activity"] = metode
            if getattr(v, "virkning_fra", None):
                p["occurredPeriod"] = {"start": tid(v.virkning_fra)}
                if v.virkning_til:
                    p["occurredPeriod"]["end"] = tid(v.virkning_til)
            if v.kildesystem:
                p["entity"] = [{"role": "source", "what": {
                    "display": v.kildesystem,
                    "identifier": {"system": f"{DD}:kildesystem:{v.kildesystem}",
                                   "value": v.kildesystem_id or str(o.pk)},
                }}]  # fmt: skip
            self.add(_uuid5("registrering", o.pk, r.nummer), p)

    def consent(self, s: Any, i_kraft: bool) -> None:
        periode = {"start": tid(s.gyldig_fra), "end": tid(s.gyldig_til)}
        aktoer = [{"role": {"coding": [{"system":
                  "http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "code": "IRCP"}]},
                  "reference": ref(x) if (x := s.modtager_enhed_id or s.modtager_myndighed_id
                                          or s.modtager_medarbejder_id) in self.ids
                  else {"display": "ukendt modtager"}}]  # fmt: skip
        provision: dict[str, Any] = {
            "type": "deny" if s.beslutning == Beslutning.AFVIS else "permit",
            "period": periode,
            "actor": aktoer,
        }
        klasser = [c for k in s.kategorier if (c := self.coding(k))]
        if klasser:
            provision["class"] = [c["coding"][0] for c in klasser]
        if s.formaal:
            provision["purpose"] = [{"system": f"{DD}:formaal", "code": "formaal",
                                     "display": s.formaal[:250]}]  # fmt: skip
        status = "active" if i_kraft else "inactive"
        self.add(s.pk, {
            "resourceType": "Consent",
            "status": status,
            "scope": {"coding": [{"system": CONSENT_SCOPE, "code": "patient-privacy"}]},
            "category": [{"coding": [{"system": LOINC, "code": "59284-0",
                                      "display": "Patient Consent"}]}],
            "patient": self.patient,
            "dateTime": tid(s.oprettet),
            "identifier": [{"system": f"{DD}:samtykke", "value": f"{s.kaede}/v{s.version}"}],
            "policyRule": {"text": "Retssikkerhedsloven § 11 a"},
            "sourceAttachment": {"contentType": "text/plain; charset=utf-8",
                                 "title": f"Samtykketekst {s.tekst_version}",
                                 "data": _base64(s.tekst)},
            "provision": provision,
        })  # fmt: skip

    def audit(self, e: Any) -> None:
        eksport = e.handling == Handling.EKSPORT
        entiteter: list[dict[str, Any]] = [
            {
                "what": self.patient,
                "type": {
                    "system": "http://terminology.hl7.org/CodeSystem/audit-entity-type",
                    "code": "1",
                },
            }
        ]
        for o in e.objekter:
            oid = str(o.get("id"))
            what = (
                ref(oid)
                if oid in self.ids
                else {"identifier": {"system": f"{ID_SYSTEM}:{o.get('type')}", "value": oid}}
            )
            entiteter.append({"what": what})  # fmt: skip
        agent: dict[str, Any] = {"requestor": True, "who": {"display": e.navn}}
        if e.enhed_navn:
            agent["name"] = f"{e.navn}, {e.enhed_navn}, {e.myndighed_navn}".strip(", ")
        if e.rolle:
            agent["role"] = [{"text": e.rolle}]
        a: dict[str, Any] = {
            "resourceType": "AuditEvent",
            "type": {"system": DCM, "code": "110106", "display": "Export"}
            if eksport
            else {"system": AUDIT_TYPE, "code": "rest", "display": "RESTful Operation"},
            "action": "R",
            "recorded": tid(e.tidspunkt),
            "outcome": "0",
            "agent": [agent],
            "source": {"observer": {"display": "Datadeling"}},
            "entity": entiteter,
        }
        if e.formaal:
            a["purposeOfEvent"] = [{"text": e.formaal}]
        if e.hvad:
            a["outcomeDesc"] = e.hvad
        self.add(_uuid5("adgangslog", e.borger_id, e.nummer), a)

    # --- the dialogue -----------------------------------------------------------------------

    def afsender(self, b: Any) -> dict[str, Any]:
        """Return the reference to who wrote a message version: the Patient, a RelatedPerson,
        a PractitionerRole (staff member in their unit), a Practitioner, or a name."""
        if b.person_id is not None:
            if b.person_id == self.data.borger.pk and b.via_relation_id is None:
                return self.patient
            r = next((r for r in self.data.relationer if r.pk == b.via_relation_id), None)
            if r is None:
                return {"display": b.navn}
            if str(r.pk) not in self.ids:
                self.add(r.pk, {"resourceType": "RelatedPerson", "patient": self.patient,
                                "name": [{"text": r.person.navn}],
                                "relationship": [{"text": r.get_type_display()}]})  # fmt: skip
            return ref(r.pk)
        if b.medarbejder_id not in self.data.medarbejdere:
            return {"display": b.navn}
        if b.enhed_id not in self.data.enheder:
            return ref(b.medarbejder_id)
        rid = _uuid5("rolle", b.medarbejder_id, b.enhed_id, b.rolle, b.faglighed)
        if str(rid) not in self.ids:
            rolle: dict[str, Any] = {"resourceType": "PractitionerRole",
                                     "practitioner": ref(b.medarbejder_id),
                                     "organization": ref(b.enhed_id)}  # fmt: skip
            if b.rolle:
                rolle["code"] = [{"text": b.rolle}]
            if b.faglighed:
                rolle["specialty"] = [{"text": b.faglighed}]
            self.add(rid, rolle)
        return ref(rid)

    def kommunikation(self, s: Any, *, faglig: bool) -> dict[str, Any]:
        """Return what every Communication of a conversation shares."""
        c: dict[str, Any] = {
            "resourceType": "Communication",
            "identifier": [{"system": f"{DD}:samtale", "value": str(s.pk)}],
            "status": "completed",
            "category": [
                {"text": "Samtale mellem fagpersoner" if faglig else "Samtale med borgeren"}
            ],  # fmt: skip
            "subject": self.patient,
            "topic": {"text": s.emne},
        }
        if (om := s.tilstand_id or s.indsats_id) is not None and str(om) in self.ids:
            c["about"] = [ref(om)]
        return c

    def samtale(self, s: Any) -> None:
        if not s.laeser:
            for h in s.tidslinje:
                if h.type not in BESKED_HAENDELSER:
                    continue
                c = self.kommunikation(s, faglig=True)
                hvem = f"{h.navn}, {h.enhed_navn}" if h.enhed_navn else h.navn
                c.update(sent=tid(h.tidspunkt), sender={"display": hvem},
                         note=[{"text": str(h.get_type_display())}])  # fmt: skip
                self.add(_uuid5("samtalehaendelse", s.pk, h.pk), c)
            return
        for b in s.eksport_beskeder:
            c = self.kommunikation(s, faglig=s.type != "borger")
            c["identifier"].append({"system": f"{DD}:besked", "value": f"{b.kaede}/v{b.version}"})
            c["sent"] = tid(b.skrevet)
            c["sender"] = self.afsender(b)
            om = [x for x in (*b.tilstand_ids, *b.indsats_ids) if str(x) in self.ids]
            if om:
                c["about"] = [*c.get("about", []), *(ref(x) for x in om if ref(x)
                              not in c.get("about", []))]  # fmt: skip
            if b.trukket_tilbage:
                c["status"] = "entered-in-error"
                c["statusReason"] = {"text": "Trukket tilbage af afsenderen"}
            else:
                c["payload"] = [{"contentString": b.tekst}, *(
                    {"contentAttachment": {
                        "contentType": f.content_type, "title": f.filnavn, "size": f.stoerrelse,
                        "extension": [{"url": EXT_SHA256, "valueString": f.sha256}],
                    }} for f in b.filer
                )]  # fmt: skip
            if b.erstatter_id is not None and str(b.erstatter_id) in self.ids:
                c["extension"] = [{"url": EXT_ERSTATTER, "valueReference": ref(b.erstatter_id)}]
            self.add(b.pk, c)

    def bundle(self) -> dict[str, Any]:
        d = self.data
        self.patient_()
        self.organisationer()
        tilstand_ids = {str(t.pk) for t in d.tilstande}
        for t in d.tilstande:
            self.condition(t)
        for i in d.indsatser:
            self.indsats(i, tilstand_ids)
        i_kraft = {s.pk for s in d.samtykker if _i_kraft(s, d)}
        for s in d.samtykker:
            self.consent(s, s.pk in i_kraft)
        for samtale in d.samtaler:
            self.samtale(samtale)
        for e in d.adgangslog:
            self.audit(e)
        return {
            "resourceType": "Bundle",
            "id": str(_uuid5("eksport", d.borger.pk, d.dannet.isoformat())),
            "meta": {"lastUpdated": tid(d.dannet)},
            "type": "collection",
            "timestamp": tid(d.dannet),
            "entry": self.entries,
        }


def _i_kraft(s: Any, d: EksportData) -> bool:
    """Return whether a consent version is in force at the download's time (the same rule
    as `samtykke.models.i_kraft_q`, on the versions already read)."""
    return (
        s.status == SamtykkeStatus.AKTIV
        and s.gyldig_fra <= d.dannet < s.gyldig_til
        and not any(o.erstatter_id == s.pk for o in d.samtykker)
    )


def _base64(tekst: str) -> str:
    return base64.b64encode(tekst.encode()).decode()


def eksport_bundle(data: EksportData) -> dict[str, Any]:
    """Return the download as a FHIR R4 Bundle of type collection (a plain dict)."""
    return FhirBygger(data).bundle()
