"""The authorization matrix (issue 11): every route of the URLconf × every role, with the
status each gets and whether the request writes an entry in the citizen's access log.

The routes come from the URLconf itself (includes and the admin too), so a new route that
is not in MATRIX fails `test_every_route_is_in_the_matrix`: new screens cannot skip it. To
add one, give it a row below: its URL name (or its pattern, if it has none) and what each
role gets; `raekke(...)` starts from the usual answer of its kind and names the exceptions.
A route that takes parameters gets them from the scenario (tests/sikkerhed/conftest.py,
`matrix.adresse`). Routes that only accept POST also get a row in POST_MATRIX: a POST
with an empty body, once without a CSRF token (refused for everybody) and once with one.

A cell is written as the status, where a redirect goes (">login" the portal's login,
">admin" the admin's), "+log" when the request writes an access-log entry, and "!A" when
the page must not name the unit responsible for the citizen's data. A cell that is wrong
today because of a known finding is the secure expectation, marked xfail(strict) with the
finding's number: when the fix lands it passes, and the mark must go.
"""

from __future__ import annotations

import pytest

from tests.sikkerhed.conftest import ROLLER
from tests.sikkerhed.matrix import (
    adgangslog_antal,
    adresse,
    data_fingeraftryk,
    ruter,
    svar_kode,
)

BORGERE = ("borger", "anden_borger", "paaroerende_i", "paaroerende_uden")
PERSONALE = ("ansat_a", "ansat_b", "ansat_d", "blokeret_c", "leder", "ansat_ophoert")
ADMINBRUGERE = ("is_staff", "superbruger")


def raekke(standard: str = "404", *, anonym: str = "302>login", **celler: str) -> dict:
    """Return a row: `standard` for every role, the anonymous visitor's answer, exceptions."""
    ukendte = set(celler) - set(ROLLER)
    assert not ukendte, ukendte
    return {**dict.fromkeys(ROLLER, standard), "anonym": anonym, **celler}


def for_roller(roller, kode: str) -> dict:
    return dict.fromkeys(roller, kode)


# --- the portal -----------------------------------------------------------------------------

# Staff screens about the citizen: their own unit's staff, staff with a consent in force and
# staff whose page opens on a recorded reason (the blocked unit after its CPR lookup) get
# it, logged; everybody else the 404 of a citizen that does not exist.
BORGERS_SIDE = raekke(ansat_a="200+log", ansat_b="200+log", blokeret_c="200+log")
# One condition or intervention: only who may see that object.
OBJEKT = raekke(ansat_a="200+log", ansat_b="200+log")
# Changing it (POST only): only staff of the responsible unit.
AENDRING = raekke("405", anonym="405")
AENDRING_POST = raekke(ansat_a="200+log")
# The citizen's own pages: the citizen, another citizen (their own), a relative (acting for
# the citizen, or for themself when the relation does not cover it); staff get 404.
EGEN_SIDE = raekke(**for_roller(BORGERE, "200+log"))
# One of the citizen's consents or requests: the citizen and whoever acts for them.
EGET_SAMTYKKE = raekke(borger="200+log", paaroerende_i="200+log")
# One conversation: the staff who read it (unit A started it, unit B takes part by a
# consent that includes the dialogue); a blocked unit whose page opens still gets 404.
SAMTALE = raekke(ansat_a="200+log", ansat_b="200+log")
# One's own message in it: its author only.
EGEN_BESKED = raekke(ansat_a="200+log")
# The citizen's conversation in Mine samtaler: the citizen (the relative's fuldmagt does not
# cover the dialogue); staff get 404.
MIN_SAMTALE = raekke(borger="200+log")
# The citizen's own message in it (correct, withdraw): its author only.
MIN_BESKED = raekke(borger="200+log")
OFFENTLIG = raekke("200", anonym="200")
LOGGET_IND = raekke("200")

MATRIX: dict[str, dict] = {
    # The front page names citizens' data: the citizen's "what is new" (their request, the
    # legal-basis access, new data; the other citizen's new condition; the relative acting
    # for the citizen), unit A's worklist (its request waiting for an answer) and unit B's
    # (ansat_a's message in the conversation B takes part in, unread by ansat_b). Unit B's
    # consent runs for a year; the leader's reviews name an access, not data (unlogged).
    "forside": raekke(
        "200",
        borger="200+log",
        anden_borger="200+log",
        paaroerende_i="200+log",
        ansat_a="200+log",
        ansat_b="200+log",
    ),  # fmt: skip
    "login": raekke("302", anonym="200"),
    "logout": raekke("405", anonym="405"),
    # OpenID Connect is not configured in the tests: the routes exist and answer 404.
    "oidc:borger_authenticate": raekke(anonym="404"),
    "oidc:borger_callback": raekke(anonym="404"),
    "oidc:personale_authenticate": raekke(anonym="404"),
    "oidc:personale_callback": raekke(anonym="404"),
    "klassifikation:soeg": LOGGET_IND,
    "klassifikation:klasse": LOGGET_IND,
    "mox:dokumentation": OFFENTLIG,
    "mox:schema": OFFENTLIG,
    # The MOX API knows no session: unsigned requests are 401 (GET on the inbox: 405).
    "mox:beskeder": raekke("405", anonym="405"),
    "mox/beskeder": raekke("405", anonym="405"),
    "mox:besked": raekke("401", anonym="401"),
    "mox/beskeder/<str:besked_id>": raekke("401", anonym="401"),
    "overblik:borgere": raekke(**for_roller(PERSONALE, "200")),
    "overblik:borger_find": raekke("405", anonym="405"),
    # A blocked unit learns nothing about other units' data (the forms list every unit).
    "overblik:borger": {**BORGERS_SIDE, "blokeret_c": "200+log!A"},
    # The pages of the citizen's conditions and interventions that the citizen's page loads
    # on demand: as the page, each page logged.
    "overblik:borger_tilstande": {**BORGERS_SIDE, "blokeret_c": "200+log!A"},
    "overblik:borger_indsatser": {**BORGERS_SIDE, "blokeret_c": "200+log!A"},
    "overblik:tilstand_ny": BORGERS_SIDE,
    "overblik:indsats_ny": BORGERS_SIDE,
    "overblik:samtykke_anmod": BORGERS_SIDE,
    "overblik:samtykke_papir": BORGERS_SIDE,
    "overblik:hjemmel_ny": BORGERS_SIDE,
    "overblik:tilstand": OBJEKT,
    "overblik:tilstand_revurder": AENDRING,
    "overblik:tilstand_ret": AENDRING,
    "overblik:tilstand_afslut": AENDRING,
    "overblik:tilstand_fjern": AENDRING,
    # The staff page of an intervention is staff's only: the citizen reads it on Mine data.
    "overblik:indsats": OBJEKT,
    "overblik:indsats_opfoelg": AENDRING,
    "overblik:indsats_afslut": AENDRING,
    "overblik:indsats_ret": AENDRING,
    "overblik:mine_data": EGEN_SIDE,
    "overblik:mine_data_tilstande": EGEN_SIDE,
    "overblik:mine_data_indsatser": EGEN_SIDE,
    "overblik:mine_samtykker": EGEN_SIDE,
    "overblik:hvem_har_set": EGEN_SIDE,
    # The downloads and the printable summary: as Mine data (each download logged as an
    # export); the download's schema holds no personal data and is public.
    "overblik:eksport_json": EGEN_SIDE,
    "overblik:eksport_fhir": EGEN_SIDE,
    "overblik:mine_data_udskrift": EGEN_SIDE,
    "overblik:eksport_schema": OFFENTLIG,
    "overblik:hvem_har_set_csv": EGEN_SIDE,
    "overblik:handl_for": raekke(**for_roller(BORGERE, "200")),
    "overblik:min_blokering_ny": raekke("405", anonym="405"),
    "overblik:mit_samtykke": EGET_SAMTYKKE,
    "overblik:mit_samtykke_tilbagekald": EGET_SAMTYKKE,
    "overblik:mit_samtykke_indskraenk": EGET_SAMTYKKE,
    "overblik:mit_samtykke_forlaeng": EGET_SAMTYKKE,
    "overblik:min_anmodning_svar": EGET_SAMTYKKE,
    "overblik:samtale_ny": BORGERS_SIDE,
    "overblik:samtale": SAMTALE,
    "overblik:samtale_nye": SAMTALE,
    "overblik:samtale_skriv": raekke("405", anonym="405"),
    "overblik:samtale_inviter": SAMTALE,
    "overblik:samtale_besked_ret": EGEN_BESKED,
    "overblik:samtale_besked_tilbagetraek": EGEN_BESKED,
    "overblik:samtale_fil": SAMTALE,
    # the list: the citizen's own conversations are logged; nobody else's are listed
    "overblik:mine_samtaler": {**raekke(**for_roller(BORGERE, "200")), "borger": "200+log"},
    "overblik:min_samtale": MIN_SAMTALE,
    "overblik:min_samtale_nye": MIN_SAMTALE,
    "overblik:min_samtale_skriv": raekke("405", anonym="405"),
    "overblik:min_samtale_fil": MIN_SAMTALE,
    # Starting one: every citizen and relative gets the form; it names the units they may
    # write to, read from the citizen's data, and so is logged when it names any (the
    # citizen's and the other citizen's own units; the relatives' fuldmagter do not cover
    # the dialogue, and they have no data of their own).
    "overblik:min_samtale_ny": raekke(
        **{**for_roller(BORGERE, "200"), "borger": "200+log", "anden_borger": "200+log"}
    ),
    "overblik:min_besked_ret": MIN_BESKED,
    "overblik:min_besked_tilbagetraek": MIN_BESKED,
    "overblik:hjemmel_gennemgang": raekke(leder="200"),
    # Correction requests: the list is every citizen's own (a relative whose relation does
    # not cover the data sees their own); one request, or asking about one datum, only the
    # citizen and whoever speaks for them; the owning unit's staff see the unit's requests
    # (one of them here); everybody else 404.
    "overblik:mine_berigtigelser": EGEN_SIDE,
    "overblik:min_berigtigelse": EGET_SAMTYKKE,
    "overblik:min_tilstand_berigtigelse": EGET_SAMTYKKE,
    "overblik:min_indsats_berigtigelse": EGET_SAMTYKKE,
    "overblik:mine_ord": EGET_SAMTYKKE,
    "overblik:berigtigelser": raekke(**{**for_roller(PERSONALE, "200"), "ansat_a": "200+log"}),
    "overblik:berigtigelse": raekke(ansat_a="200+log"),
    "overblik:hjemmel_gennemgaa": raekke("405", anonym="405"),
    "overblik:arbejdsliste_svar_set": raekke("405", anonym="405"),
    # Every person's inbox (staff, citizens, relatives); the list names the citizens its
    # notifications are about, so it is logged when it shows one (unit A's has one).
    "overblik:notifikationer": {
        **raekke(**for_roller(PERSONALE + BORGERE, "200")),
        "ansat_a": "200+log",
    },
    "overblik:notifikationer_antal": LOGGET_IND,
    "overblik:notifikationer_laest": raekke("405", anonym="405"),
    "overblik:notifikation_indstillinger": raekke(**for_roller(PERSONALE + BORGERE, "200")),
    # Opening one: only its recipient, while they may still see what it is about.
    "overblik:notifikation_aabn": raekke(ansat_a="302"),
    # Following a citizen: whoever may open the citizen's page (it shows only the name).
    "overblik:borger_foelg": raekke(ansat_a="200", ansat_b="200", blokeret_c="200"),
}

# --- the admin ------------------------------------------------------------------------------

# Nobody but staff users gets past the admin's login; a staff user without permissions
# gets 403 on every model's page. The superuser sees everything, and every page that shows
# a citizen's data writes an access-log entry (the list of citizens is a directory, not
# logged). Read-only data has no add or delete page (403).
IKKE_ADMIN = raekke("302>admin", anonym="302>admin")


def admin(superbruger: str, is_staff: str = "403") -> dict:
    return {**IKKE_ADMIN, "is_staff": is_staff, "superbruger": superbruger}


# model → the superuser's changelist, add, history, delete and change page
ALT = "200 200 200 200 200"
BORGERDATA = "200+log 403 200+log 403 200+log"
SKRIVEBESKYTTET = "200 403 200 403 200"
LOGINFORSOEG = "200 403 200 200 200"  # django-axes: recorded by logins, deleted to unlock
ADMIN_MODELLER = {
    "auth_group": ALT,
    "auth_user": ALT,
    "axes_accessattempt": LOGINFORSOEG,
    "axes_accesslog": LOGINFORSOEG,
    "axes_accessfailurelog": LOGINFORSOEG,
    "klassifikation_klassifikation": ALT,
    "klassifikation_klasse": ALT,
    "klassifikation_betegnelse": ALT,
    "klassifikation_mapping": ALT,
    "klassifikation_supplement": ALT,
    "klassifikation_mappingsaet": ALT,
    "organisation_myndighed": ALT,
    "organisation_enhed": ALT,
    "organisation_medarbejder": ALT,
    "organisation_funktion": "200 200 200 403 200",  # roles are ended, never deleted
    "organisation_funktionhaendelse": SKRIVEBESKYTTET,  # the role trail: append-only
    "organisation_borger": "200 200 200+log 200+log 200+log",
    "organisation_relation": "200+log 200 200+log 200+log 200+log",
    "samtykke_adgangslog": BORGERDATA,
    "samtykke_hjemmel": BORGERDATA,
    "samtykke_hjemmelgennemgang": BORGERDATA,
    "samtykke_samtykke": BORGERDATA,
    "samtykke_anmodning": BORGERDATA,
    "samtykke_berigtigelse": BORGERDATA,
    "indsats_indsats": BORGERDATA,
    "sagsindeks_sag": BORGERDATA,
    "tilstand_tilstand": BORGERDATA,
    "dialog_samtale": BORGERDATA,
    "mox_abonnement": ALT,
    "mox_system": ALT,
    "mox_notifikation": "200 403 200+log 403 200+log",  # the envelope names a citizen
    "mox_besked": "200 403 200+log 403 200+log",
}
SIDER = ("changelist", "add", "history", "delete", "change")

for _model, _koder in ADMIN_MODELLER.items():
    _app, _navn = _model.split("_", 1)
    for _side, _kode in zip(SIDER, _koder.split(), strict=True):
        MATRIX[f"admin:{_model}_{_side}"] = admin(_kode)
    # the old address of the change page redirects to it
    MATRIX[f"admin/{_app}/{_navn}/<path:object_id>/"] = admin("302", is_staff="302")

MATRIX |= {
    "admin:index": admin("200", is_staff="200"),
    "admin:login": {**raekke("200", anonym="200"), **for_roller(ADMINBRUGERE, "302")},
    "admin:logout": {**raekke("302", anonym="302"), **for_roller(ADMINBRUGERE, "405")},
    "admin:password_change": admin("200", is_staff="200"),
    "admin:password_change_done": admin("200", is_staff="200"),
    "admin:autocomplete": admin("403"),
    "admin:jsi18n": admin("200", is_staff="200"),
    "admin:view_on_site": admin("404", is_staff="404"),  # a citizen has no page outside
    "admin:app_list": admin("200", is_staff="404"),
    "admin/(?P<url>.*)$": admin("404", is_staff="404"),
    "admin:auth_user_password_change": admin("200"),
    "admin:samtykke_adgangslog_verificer": admin("405", is_staff="405"),
    "admin:organisation_borger_find_cpr": admin("200"),
    "admin:organisation_borger_permissions": admin("200+log", is_staff="302"),
    "admin:organisation_borger_permissions_manage_user": admin("200+log", is_staff="302"),
    "admin:organisation_borger_permissions_manage_group": admin("200+log", is_staff="302"),
    "admin:organisation_enhed_permissions": admin("200", is_staff="302"),
    "admin:organisation_enhed_permissions_manage_user": admin("200", is_staff="302"),
    "admin:organisation_enhed_permissions_manage_group": admin("200", is_staff="302"),
}

# What a POST with an empty body (and a valid CSRF token) gets, on the POST-only routes.
POST_MATRIX: dict[str, dict] = {
    "logout": raekke("302>login"),
    "mox:beskeder": raekke("401", anonym="401"),
    "mox/beskeder": raekke("401", anonym="401"),
    "overblik:borger_find": raekke(**for_roller(PERSONALE, "200")),
    "overblik:tilstand_revurder": AENDRING_POST,
    "overblik:tilstand_ret": AENDRING_POST,
    "overblik:tilstand_afslut": AENDRING_POST,
    "overblik:tilstand_fjern": AENDRING_POST,
    "overblik:indsats_opfoelg": AENDRING_POST,
    "overblik:indsats_afslut": AENDRING_POST,
    "overblik:indsats_ret": AENDRING_POST,
    "overblik:min_blokering_ny": raekke(**for_roller(BORGERE, "200+log")),
    "overblik:hjemmel_gennemgaa": raekke(leder="200"),
    # marking the worklist's answers seen: staff with a unit (those of an ended unit have none)
    "overblik:arbejdsliste_svar_set": raekke(
        **for_roller(set(PERSONALE) - {"ansat_ophoert"}, "302")
    ),
    # an empty message: the conversation again with the error (logged), nothing written
    "overblik:samtale_skriv": SAMTALE,
    "overblik:min_samtale_skriv": MIN_SAMTALE,
    "overblik:notifikationer_laest": raekke(**for_roller(PERSONALE + BORGERE, "302")),
    # the admin's logout is not behind its login: anybody is logged out, staff to the login
    "admin:logout": {**raekke("302", anonym="302"), **for_roller(ADMINBRUGERE, "302>login")},
    "admin:samtykke_adgangslog_verificer": {**IKKE_ADMIN, "is_staff": "403", "superbruger": "302"},
}
CSRF_FRI = {"mox:beskeder", "mox/beskeder"}  # signed instead; 401 without a signature

# --- the cells that are wrong today ----------------------------------------------------------

# Findings 1-5 of the security review were marked here until their fixes landed; a new
# finding gets a number and a text, and its cells a row in KENDTE_FEJL.
FUND: dict[int, str] = {}
KENDTE_FEJL: dict[tuple[str, str], tuple[int, ...]] = {}


def _celle(noegle: str, rolle: str):
    fund = KENDTE_FEJL.get((noegle, rolle))
    if not fund:
        return pytest.param(noegle, rolle, id=f"{noegle}|{rolle}")
    grund = "; ".join(FUND[n] for n in fund)
    marks = pytest.mark.xfail(strict=True, reason=grund)
    return pytest.param(noegle, rolle, id=f"{noegle}|{rolle}", marks=marks)


RUTER = {r.noegle: r for r in ruter()}
CELLER = [_celle(noegle, rolle) for noegle in RUTER for rolle in ROLLER]
POST_CELLER = [_celle(noegle, rolle) for noegle in POST_MATRIX for rolle in ROLLER]


# --- the tests --------------------------------------------------------------------------------


def test_every_route_is_in_the_matrix():
    """The URLconf and the matrix name the same routes, both ways; each row has every role."""
    assert len(RUTER) == len(ruter()), "two routes share a name or a pattern"
    assert sorted(set(RUTER) - set(MATRIX)) == [], "routes without a row in MATRIX"
    assert sorted(set(MATRIX) - set(RUTER)) == [], "rows in MATRIX for routes that are gone"
    kun_post = {k for k, r in MATRIX.items() if "405" in r.values()}
    assert kun_post == set(POST_MATRIX), "a POST-only route needs a row in POST_MATRIX"
    for noegle, r in (*MATRIX.items(), *POST_MATRIX.items()):
        assert set(r) == set(ROLLER), noegle
    assert set(KENDTE_FEJL) <= {(k, rolle) for k in MATRIX for rolle in ROLLER}


def _tjek(response, log: bool, forventet: str, scenario) -> None:
    skjul_a = forventet.endswith("!A")
    forventet = forventet.removesuffix("!A")
    assert svar_kode(response, log) == forventet
    if skjul_a:
        assert scenario.enhed_a.navn not in response.content.decode()


@pytest.mark.parametrize(("noegle", "rolle"), CELLER)
def test_get(savepoint, noegle, rolle):
    scenario = savepoint
    """GET the route as the role: the status, and an access-log entry exactly when expected."""
    assert noegle in MATRIX, f"{noegle} has no row in MATRIX"
    url = adresse(RUTER[noegle], scenario)
    foer = adgangslog_antal()
    response = scenario.klient(rolle).get(url)
    _tjek(response, adgangslog_antal() > foer, MATRIX[noegle][rolle], scenario)


@pytest.mark.parametrize(("noegle", "rolle"), POST_CELLER)
def test_post_only_routes_refuse_without_writing(savepoint, noegle, rolle):
    """POST without a CSRF token is refused for everybody; with one, an empty POST gets
    what the role may; neither writes any data (the access log aside)."""
    scenario = savepoint
    url = adresse(RUTER[noegle], scenario)
    data = data_fingeraftryk()
    foer = adgangslog_antal()
    uden_token = scenario.klient(rolle, csrf=True).post(url, {})
    assert uden_token.status_code == (401 if noegle in CSRF_FRI else 403)
    assert adgangslog_antal() == foer and data_fingeraftryk() == data

    response = scenario.klient(rolle).post(url, {})
    _tjek(response, adgangslog_antal() > foer, POST_MATRIX[noegle][rolle], scenario)
    assert data_fingeraftryk() == data
