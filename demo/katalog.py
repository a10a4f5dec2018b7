"""The classes the demo's conditions and interventions use, by FK Klassifikation UUID.

Each kind of condition comes with what a professional would note about it and, where one
usually follows, the intervention that answers it and that intervention's goal. The UUIDs
are KL's own (FSIII, FFB, CareSocialCodes); legal bases are found by title in Datadeling's
own code system (`klassifikation.kendte.LOVGRUNDLAG_URI`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

U = uuid.UUID


@dataclass(frozen=True)
class Art:
    """A kind of condition: its class, a professional note, and the usual intervention."""

    tilstand: U
    note: str
    indsats: U | None = None
    maal: str = ""


# --- scales and answers -------------------------------------------------------------------

FSIII_NIVEAU = {
    0: U("9c5cfb57-a498-40e5-98a7-792bf5fb205b"),
    1: U("fcc16cb1-41f0-4832-b834-110fba0aaabe"),
    2: U("d984ad21-48fe-4619-845e-2aa0303048e7"),
    3: U("1ceef776-0cfa-4acd-b222-c5bb2424e0c1"),
    4: U("f4c9f159-5806-4c06-95e9-e69b83bab1a1"),
}
# FSIII's own wording of the 0–4 scale, shortened.
FSIII_NIVEAU_NOTE = {
    0: "Ingen begrænsninger.",
    1: "Lette begrænsninger; klarer aktiviteten selv med lidt ekstra tid.",
    2: "Moderate begrænsninger; har brug for hjælp til dele af aktiviteten.",
    3: "Svære begrænsninger; har brug for hjælp til det meste af aktiviteten.",
    4: "Totale begrænsninger; kan ikke selv udføre aktiviteten.",
}
UDFOERER_SELV = U("0c87bff2-3b24-4a6e-a9df-193f268ae7b8")
UDFOERER_DELE = U("86c7db25-59bb-4bef-bfe3-c73b3031b9f2")
UDFOERER_IKKE = U("9e6c7ef6-9539-4f87-a82a-1eea50a1ec2a")
OPLEVER_BEGRAENSNINGER = U("283bc119-5c7c-4679-8c8b-8768484e96d7")
OPLEVER_IKKE_BEGRAENSNINGER = U("ba2fc34d-dde5-4d1e-b642-7d6950580641")
FSIII_MINDSKES = U("8addc23a-f7c6-47c4-97fb-a73fcdfc9f65")
FSIII_UAENDRET = U("15846728-58b4-4413-a9d1-be0f1404b10f")
FSIII_FORTSAETTES = U("9c90b0e5-9c0a-4b72-a18c-76cd6d6c6213")
FSIII_AENDRES = U("c6e71993-5d72-409a-8ab9-ecc094968635")
FSIII_AFSLUTTES = U("59753987-c38d-41c5-b201-0eeff3032fef")

# FFB: index 0 none … 4 complete
FFB_NIVEAU = [
    U("b508ff66-6326-4862-a6d7-7bbf184c9823"),  # ingen nedsat funktionsevne
    U("8328ce4a-6238-4f73-bf1a-74aadb68eff8"),  # let
    U("5bdde847-2837-416b-ab63-bbff8b7aa531"),  # moderat
    U("cae545f5-2813-4d79-98fc-0a7d770af3cd"),  # svært
    U("832ae90b-23b5-4063-80aa-0b81bdce680e"),  # fuldstændig
]
FFB_STOETTEBEHOV = [
    U("ae9f388a-91c3-46cf-af55-f81952f2977c"),  # intet
    U("dd628e73-d6c9-4837-a2b8-aa62d73bd6ae"),  # let
    U("401a397b-b3aa-4ca3-8b23-bd8f99dd3f76"),  # moderat
    U("b99a0790-4d70-4152-b149-3fe58b745583"),  # højt
    U("e99763d6-6c43-4969-ad52-2b1a7055f9dc"),  # fuldstændigt
]
FFB_UDVIKLE = U("d41c8072-52f8-42b5-9375-ddbea454d27f")
FFB_FASTHOLDE = U("10752a63-00b4-4958-b7f4-9f3a18f74266")
FFB_BEGRAENSE_TAB = U("e47c22bd-d88d-48ab-882b-419923e1f44e")
FFB_FORTSAET = U("1e971d84-10a4-4ef8-a8b3-0daa4c7d088a")
FFB_AFSLUT = U("d7d03656-4c87-4e67-9146-aa5990460f16")

# CareSocialCodes: Kilde, oplysningsaktivitet, begrundelse for ophør
KILDE_BORGER = U("25b4e705-2e9a-47a2-b11a-c829316b9d3a")
KILDE_SAGSBEHANDLER = U("f6ea2920-7dde-491e-a489-6b99a3904069")
KILDE_BORGER_OG_MEDARBEJDER = U("12428e48-7df8-441f-9a89-d92bb7874066")
KILDE_BORGER_OG_PAAROERENDE = U("b66dc78a-a673-43fc-8ac0-1e859ba626e0")
KILDE_MEDARBEJDER = U("8fe80acb-2c2a-4f10-b2b8-ddb77d2f69dc")
KILDE_UDFOERER = U("f00a6844-1005-401d-965d-1c5859df7beb")
METODE_HJEMMEPLEJE = U("e5a73b0e-a5d2-430e-931f-6156306ab00f")
METODE_SYGEPLEJE = U("47fd1468-89da-4803-9d7a-ecc039a30d92")
METODE_TERAPEUT = U("0f0f223c-abe3-4720-aab8-c257679a0a4e")
METODE_VUM = U("f8ebd11a-04f3-4aa0-9786-406e8896c84d")
OPHOER_FAGPERSON = U("a63b6aa6-7d56-4e67-a5b3-d73f6d262af5")
OPHOER_BORGER = U("4bbf6d6a-a1c6-41c2-b8c1-7352b7378adf")
OPHOER_HAENDELSE = U("82e99421-31da-4915-96ed-168ccfa1d20c")

# Parts of the code systems that consents name as categories
FFB_MENTALE_FUNKTIONER = U("25c5c614-305f-46cd-9891-55d564fc30cf")
FSIII_PSYKOSOCIALE_FORHOLD = U("5bfe4bda-2358-41da-946e-1fdaa33d5fe8")
FSIII_PLEJE_OG_OMSORG = U("d49d6b0c-c067-4469-b92d-3842822c4971")
FSIII_SYGEPLEJEINDSATSER = U("cac857f7-2957-4fc7-a814-9e7fc450270a")
FSIII_GENOPTRAENING = U("94db6c71-859d-43e6-9a62-4e7fa7daf767")
FSIII_GENOPTRAENINGSINDSATSER = U("7deb81de-12c0-4a49-bd5b-72ea6fe89d83")
FSIII_SYGEPLEJETILSTANDE = U("4db72d65-7ec1-45b4-89c3-5017c35d085e")
FFB_AKTIVITET_OG_DELTAGELSE = U("93433530-b85c-4d04-a4fb-5ae26cf16f1c")

# --- home care: FSIII pleje- og omsorgstilstande (level 0–4), § 83 ------------------------

PERSONLIG_HYGIEJNE = U("17312894-b23f-43d9-9723-b725ac25d872")
MOBILITET_83 = U("ef8ee035-00d2-48b9-b366-27753ccd5504")
ERNAERING_83 = U("ac68ca34-bfad-4254-a715-6fd758838e67")
TILSYN_OMSORG = U("a3af0522-e228-4a6a-b5c2-c9fcf0f3b2c4")
RENGOERING = U("43608562-e356-4990-8b96-e35128bbdc4f")
INDKOEB_83 = U("bc0306e2-5090-4bc8-b878-9814cafea403")

GAA = Art(
    U("51697715-965a-40f3-b4a5-819103bf9d49"),
    "Går med rollator indendørs; usikker på ujævnt underlag.",
    MOBILITET_83,
    "Kan bevæge sig sikkert rundt i egen bolig.",
)
FORFLYTTE = Art(
    U("d39cd035-eb12-4a18-8a68-f43d4c0c62ef"),
    "Har brug for støtte ved forflytning fra seng til stol.",
    MOBILITET_83,
    "Kan bevæge sig sikkert rundt i egen bolig.",
)
VASKE_SIG = Art(
    U("4d46bd94-9518-431c-82e8-ebb91bca307a"),
    "Har brug for hjælp til bad; vasker selv ansigt og hænder.",
    PERSONLIG_HYGIEJNE,
    "Er velsoigneret og tager bad to gange om ugen.",
)
PAAKLAEDNING = Art(
    U("e853d3e7-1de5-44f0-ab48-1fb20c449035"),
    "Har brug for hjælp til strømper og sko.",
    PERSONLIG_HYGIEJNE,
    "Er påklædt og klar til dagen inden kl. 10.",
)
HUSLIGT_ARBEJDE = Art(
    U("a7ac8429-513f-43cd-bc69-96a8d0e0f0ff"),
    "Kan tørre støv af, men ikke støvsuge eller vaske gulv.",
    RENGOERING,
    "Boligen er ren og hygiejnisk.",
)
INDKOEB = Art(
    U("293bd85b-d9b4-4e2c-83d9-d3df32ce9d82"),
    "Kan ikke bære varer hjem; får hjælp af familie eller hjemmeplejen.",
    INDKOEB_83,
    "Har de dagligvarer, der er brug for.",
)
HUKOMMELSE = Art(
    U("a3ac7928-77c9-425c-a7f1-1248a3764d0a"),
    "Glemmer aftaler og at spise; har brug for påmindelser.",
    TILSYN_OMSORG,
    "Føler sig tryg i hjemmet og får spist og drukket.",
)
HJEMMEPLEJE = [
    GAA,
    FORFLYTTE,
    VASKE_SIG,
    PAAKLAEDNING,
    HUSLIGT_ARBEJDE,
    INDKOEB,
    HUKOMMELSE,
    Art(
        U("4f915ee9-9f30-47b5-b582-c0f1467dd271"),
        "Bevæger sig langsomt rundt i boligen og holder fast i møblerne.",
        MOBILITET_83,
        "Kan bevæge sig sikkert rundt i egen bolig.",
    ),
    Art(U("0266853a-f222-4955-a2ce-687e26161144"), "Kommer kun ud sammen med pårørende."),
    Art(
        U("b1d490a4-229c-465e-99b8-554e1e68513a"),
        "Bliver hurtigt træt og må hvile efter få minutters aktivitet.",
    ),
    Art(
        U("581f65f9-cd0a-4630-8cc5-c8c125ae2d0c"),
        "Har brug for hjælp til hudpleje af ben og fødder.",
        PERSONLIG_HYGIEJNE,
        "Huden er hel og uden tryksår.",
    ),
    Art(
        U("5eecf025-ae93-4256-8df5-bc304c149b96"),
        "Har brug for hjælp til toiletbesøg om natten.",
        U("4a4add40-ee74-4090-bd70-48d9bda9c5c4"),  # udskillelser
        "Kommer trygt på toilettet døgnet rundt.",
    ),
    Art(
        U("888c8f63-c059-46c3-8f36-f9649dbd0771"),
        "Spiser selv, når maden er anrettet og skåret ud.",
        ERNAERING_83,
        "Spiser tre måltider om dagen og holder vægten.",
    ),
    Art(
        U("0285a61e-e563-4f2a-a33f-fedf28a57661"),
        "Glemmer at drikke; skal mindes om det.",
        ERNAERING_83,
        "Drikker mindst 1,5 liter om dagen.",
    ),
    Art(
        U("75bfc8db-a220-4801-a8c7-5e968e94d44b"),
        "Kan varme mad, men ikke lave et måltid fra bunden.",
        U("9aad7654-b9f9-40a3-84d9-2ae1dec4228a"),  # madservice
        "Får et varmt måltid hver dag.",
    ),
    Art(
        U("3b29a8ea-282b-4118-8d83-2f494a509c27"),
        "Periodevis usikker på tid og sted, især om aftenen.",
        TILSYN_OMSORG,
        "Føler sig tryg i hjemmet og får spist og drukket.",
    ),
]

# --- nursing: FSIII sygeplejetilstande (no level), SUL § 138 ------------------------------

SAARBEHANDLING = U("76878386-b3d2-4320-828a-a700e8a66234")
KOMPRESSION = U("23eb1228-e878-4960-8d3c-2c022c66a489")
VENOEST_SAAR = Art(
    U("19503407-1ae8-4b17-b96a-98387c24278d"),
    "Venøst bensår på højre underben, 3 × 4 cm; skiftes to gange om ugen.",
    SAARBEHANDLING,
    "Såret er helet.",
)
CIRKULATION = Art(
    U("3dac3b51-364e-47c0-a043-15b6d7a6c405"),
    "Hævede ben om aftenen; kompressionsstrømper dagligt.",
    KOMPRESSION,
    "Benene er ikke hævede, og huden er hel.",
)
KRONISKE_SMERTER = Art(
    U("e4a049fc-e20c-4117-b834-b475eee781da"),
    "Kroniske smerter i ryg og hofter; fast smertestillende morgen og aften.",
    U("d2d42368-9d6d-4ca2-affe-f7116da86e1b"),  # medicinadministration
    "Smerterne er så lave, at borgeren kan sove om natten.",
)
SYGEPLEJE = [
    VENOEST_SAAR,
    CIRKULATION,
    KRONISKE_SMERTER,
    Art(
        U("bb0ea5fa-3462-40de-9047-a16fc4815a47"),
        "Tryksår kategori 2 på venstre hæl; aflastning og sårpleje.",
        SAARBEHANDLING,
        "Såret er helet.",
    ),
    Art(
        U("1fdf6282-7e57-4e3d-91c4-c8b2f030c374"),
        "Urininkontinens; bruger ble om natten.",
        U("e6c95074-ce45-488a-af8b-b6b39d20808f"),  # inkontinensbehandling
        "Er tør og uden hudproblemer.",
    ),
    Art(
        U("82239c9a-001c-4027-896d-72caf62c2e31"),
        "Drikker under 1 liter i døgnet; væskeskema i en uge.",
        U("399fb4f4-b1e0-48a1-8d92-05f5c5ba7d3b"),  # væske per os
        "Drikker mindst 1,5 liter om dagen.",
    ),
    Art(
        U("e1dcf02e-6df5-487d-b596-3d499545468f"),
        "Glemmer sin medicin; doseres i æsker af hjemmesygeplejen.",
        U("81ad7190-f253-47c2-a7c9-3d61dd4f7275"),  # medicindispensering
        "Tager sin medicin som ordineret.",
    ),
    Art(
        U("dae40f60-8dab-4bd3-ab72-b07d0f278692"),
        "KOL; åndenød ved let anstrengelse.",
        U("3198a6ba-879c-4d2e-914b-560ba1e0d63a"),  # respirationsbehandling
        "Kender tegn på forværring og ved hvornår der skal ringes.",
    ),
    Art(
        U("15947075-ae22-45ca-94bb-ab5992a40c1e"),
        "Vægttab på 4 kg på tre måneder.",
        U("2793feb9-a99e-4157-81bb-9ce9d8ae0657"),  # ernæringsindsats
        "Vægten er stabil.",
    ),
]

# --- rehabilitation: FSIII genoptræning efter sygehusophold (level 0–4), SUL § 140 --------

FUNKTIONSTRAENING = U("58293f63-00d7-4730-8dbc-c784d40f9e23")
FYSISK_TRAENING = U("2abe20c7-c0b4-41c1-b397-52acf36499ef")
GANG_OG_BEVAEGELSE = Art(
    U("3f27a7bc-790d-444e-bcf4-6e22a6b1da7e"),
    "Går med rollator efter hoftebrud; kort skridtlængde.",
    FUNKTIONSTRAENING,
    "Går 200 meter med rollator uden pause.",
)
BALANCE = Art(
    U("1b5ad154-d22c-4949-a5db-c01ccefd64d9"),
    "Nedsat balance; faldtendens ved vending.",
    FYSISK_TRAENING,
    "Kan vende sig og række op uden at miste balancen.",
)
GENOPTRAENING = [
    GANG_OG_BEVAEGELSE,
    BALANCE,
    Art(
        U("86e1982c-f459-4658-9071-e4bf3453a687"),
        "Kan ikke selv rejse sig fra en lav stol.",
        U("7f825e3e-1a5c-4249-bf41-9f7171fb6b8a"),  # ADL-træning
        "Kommer selv op fra stol og seng.",
    ),
    Art(
        U("396c3048-410b-46a8-89e6-ba89cd0e8fda"),
        "Nedsat kraft i lårmuskulaturen efter indlæggelse.",
        FYSISK_TRAENING,
        "Kan gå på trapper med gelænder.",
    ),
    Art(
        U("acb817ea-63aa-4d7e-aa67-f557c73f7c8a"),
        "Nedsat udholdenhed efter lungebetændelse.",
        FYSISK_TRAENING,
        "Kan gå en tur på 15 minutter.",
    ),
]

# --- social area: FFB (VUM 2.0) -----------------------------------------------------------

FOELELSER_OG_ADFAERD = U("dccaa419-0bcd-4056-a11a-2e385e23edc6")
IGANGSAETNING = U("8028b034-cad2-42df-b51c-aaba9c0bba61")
OPMAERKSOMHED = U("17c35058-eb88-4a7a-8727-74cd12be42c7")
VIRKELIGHEDSOPFATTELSE = U("3591c972-5b15-4bbd-86c7-91622cda56e8")
INDSIGT = U("6279a3dc-7085-4157-809c-f96922242b1b")
PSYKOSOCIALE = U("52e0b8dd-f5fa-4e1a-b66e-f5e4a41bd313")
ORGANISERING = U("9c2173e6-6465-44d3-af16-7c44059193b2")
MENTALE = {
    FOELELSER_OG_ADFAERD: "Svinger i humør; trækker sig fra andre i perioder.",
    IGANGSAETNING: "Har svært ved at komme i gang med dagens opgaver.",
    OPMAERKSOMHED: "Kan kun koncentrere sig kort tid ad gangen.",
    VIRKELIGHEDSOPFATTELSE: "Hører stemmer i perioder med meget stress.",
    INDSIGT: "Har begrænset indsigt i sit eget behov for støtte.",
    PSYKOSOCIALE: "Har svært ved at aflæse andre og at indgå i fællesskaber.",
    ORGANISERING: "Har brug for en skriftlig ugeplan for at overskue hverdagen.",
    U("b93216fa-3843-4a7e-85bc-e3ef35a1967f"): "Går i stå, når noget uventet sker.",
    U("61452fe5-cea2-4d92-b2f1-406e9a5d31cb"): "Glemmer aftaler; bruger kalender med påmindelser.",
    U("ef4271c4-f942-4194-a2b0-e9a7045eab22"): "Læser og regner på niveau med 3.–4. klasse.",
}
STOETTE_PSYKISK_TRIVSEL = U("ad7755d2-11bf-468d-958b-2f0c8d9c3742")

ADMINISTRATION = U("d473dea2-4f6d-4f36-a8f0-260f0213f50a")
DAGLIGE_OPGAVER = U("638f44df-6bf2-47f8-9935-b8fdc83e5bf5")
SOCIALE_RELATIONER = U("05cd5e81-1a3a-4bdd-901b-7ec96c12d990")
BESKAEFTIGELSE = U("cb1169ee-8969-46d3-813d-f0dd555bd838")
UDDANNELSE = U("1a2daf63-0510-4bf3-8578-662d4300c965")
OEKONOMI = Art(
    U("70443014-3faf-402d-abcf-396bfad32eb9"),
    "Har restancer; mangler overblik over faste udgifter.",
    ADMINISTRATION,
    "Betaler selv faste regninger via Betalingsservice.",
)
POST = Art(
    U("8bef71de-55b5-47fe-b438-18ac769106b3"),
    "Åbner ikke e-Boks; har brug for hjælp til at læse breve.",
    ADMINISTRATION,
    "Åbner e-Boks hver uge sammen med bostøtten.",
)
BOLIG = Art(
    U("fd4b8dd3-5c4b-4257-8c13-ea045617d2f6"),
    "Boligen er rodet; udlejer har klaget.",
    DAGLIGE_OPGAVER,
    "Holder boligen, så lejemålet kan fortsætte.",
)
MAD = Art(
    U("b947f321-7cdb-4b33-9653-f3ff800572b0"),
    "Lever mest af færdigretter og fastfood.",
    DAGLIGE_OPGAVER,
    "Laver et varmt måltid mindst tre gange om ugen.",
)
KOEBE_IND = Art(
    U("01770afa-cd17-41fe-a966-b8895e4d55d8"),
    "Undgår supermarkedet, når der er mange mennesker.",
    DAGLIGE_OPGAVER,
    "Handler selv ind i den nærmeste butik en gang om ugen.",
)
SAMSPIL = Art(
    U("3f9da5ac-9686-4eeb-b517-b46e17fcb1d7"),
    "Har kun kontakt med sin mor; undgår nye mennesker.",
    SOCIALE_RELATIONER,
    "Deltager i et fællesskab uden for hjemmet hver uge.",
)
NETVAERK = Art(
    U("4c082610-b122-4019-96f2-1061e287445e"),
    "Har mistet kontakten til venner og søskende.",
    SOCIALE_RELATIONER,
    "Ser en ven eller et familiemedlem mindst hver anden uge.",
)
FAELLESSKABER = Art(
    U("dcc6bb77-45af-4625-9c4d-7d7878307220"),
    "Har ingen fritidsaktiviteter; sidder meget alene.",
    SOCIALE_RELATIONER,
    "Deltager i et fællesskab uden for hjemmet hver uge.",
)
JOB = Art(
    U("685e8517-2f5c-4ef8-a7c4-fa2d008fdd9d"),
    "Har ikke været i arbejde i to år; ønsker et fleksjob.",
    BESKAEFTIGELSE,
    "Er i virksomhedspraktik 10 timer om ugen.",
)
UDDANNE_SIG = Art(
    U("8888edfa-642b-4329-9fe3-a9b180e6d3f4"),
    "Er stoppet på HF; vil gerne gennemføre.",
    UDDANNELSE,
    "Gennemfører første semester på HF.",
)
TRANSPORT = Art(
    U("eff3385d-01fa-4c9c-9850-52e179243f21"),
    "Tør ikke tage bussen alene.",
    U("0886a1b6-4a3a-47e5-9c97-066270529e4f"),  # støtte til transport
    "Tager selv bussen til aktivitetstilbuddet.",
)
SUNDHED = Art(
    U("4a58417e-9a75-43f2-9763-66505050159f"),
    "Går ikke til lægen og tager ikke medicinen fast.",
    U("3c1639d0-e486-43c6-8add-448b8aff4b8f"),  # støtte til sund levevis
    "Tager medicinen fast og går til kontrol hos egen læge.",
)

SOEVN = U("83376fdb-f55d-4dd9-944e-b49631a9836f")
FORHOLD = {
    SOEVN: "Sover uroligt og vågner tidligt.",
    U("e6f82424-da5a-41d1-bd1a-5796aa79d5f2"): "Vendt døgnrytme i perioder.",
    U("c8f4475a-8de3-4920-ad0c-eea78c49a68d"): "Dagligt forbrug af alkohol; i rusmiddelbehandling.",
    U("08aa68ce-acd6-4e03-b6b5-091811324345"): "Gæld til inkasso; lever af kontanthjælp.",
    U("35c56275-0093-4901-9fd8-d06fdb5cb8f3"): "Bor midlertidigt hos en ven; skrevet op til bolig.",
    U(
        "f695cec7-2b39-4c7e-8731-da8558a4fb3f"
    ): "Sygemeldt fra sit job; usikker på at kunne vende tilbage.",
    U(
        "69dbfad7-859a-4596-8737-8054f6b4948f"
    ): "Epilepsi efter hjerneskaden; anfaldsfri med medicin.",
}


@dataclass(frozen=True)
class Tilbud:
    """An offer (FFB tilbud or ydelse) granted under a paragraph, at a named provider."""

    type: U
    lov: str
    leverandoer: str


BOTILBUD_107 = Tilbud(
    U("25de7444-3919-4dab-b844-8cec6c15f30e"), "SEL § 107", "Botilbuddet Skovvangen"
)
BOTILBUD_108 = Tilbud(
    U("498fe92c-d7f7-41cd-9404-5b38fe113be0"), "SEL § 108", "Bofællesskabet Lyngbakken"
)
AKTIVITET_104 = Tilbud(
    U("9401777d-bdc5-4f52-9804-63c8cae9a792"), "SEL § 104", "Værestedet Frederiksgade"
)
BESKYTTET_103 = Tilbud(
    U("a0fb02a2-367c-48bc-bacd-92e49a861a4c"), "SEL § 103", "Værkstedet Hasle Bakker"
)
FORSORGSHJEM_110 = Tilbud(
    U("80aa8ea7-4ad8-405f-876a-4c0f89fde06a"), "SEL § 110", "Forsorgshjemmet Østervang"
)


@dataclass(frozen=True)
class Profil:
    """A kind of citizen in the social area: target group, typical conditions and offers."""

    navn: str
    maalgruppe: U
    mentale: tuple[U, ...]
    aktivitet: tuple[Art, ...]
    forhold: tuple[U, ...] = ()
    tilbud: tuple[Tilbud, ...] = ()
    region: str | None = None  # the regional psychiatry unit that also treats them
    jobcenter: str | None = None  # when the Jobcenter holds the case
    vaegt: int = 1


PROFILER = [
    Profil(
        "angst",
        U("303deb9b-84f0-49d2-ab7a-f8b98eed40a2"),
        (FOELELSER_OG_ADFAERD, IGANGSAETNING, OPMAERKSOMHED),
        (SAMSPIL, FAELLESSKABER, KOEBE_IND, TRANSPORT, JOB),
        (SOEVN,),
        (AKTIVITET_104,),
        region="pc-dep",
        vaegt=3,
    ),
    Profil(
        "depression",
        U("ee5b52bd-b839-4e69-ad04-c8b33eabfbde"),
        (FOELELSER_OG_ADFAERD, IGANGSAETNING, ORGANISERING),
        (BOLIG, MAD, NETVAERK, JOB),
        (SOEVN, U("e6f82424-da5a-41d1-bd1a-5796aa79d5f2")),
        region="pc-dep",
        vaegt=3,
    ),
    Profil(
        "psykose",
        U("f2ccc0c0-2a0a-49c9-9d6a-741a7cd220a3"),
        (VIRKELIGHEDSOPFATTELSE, INDSIGT, PSYKOSOCIALE),
        (OEKONOMI, BOLIG, SAMSPIL, SUNDHED),
        (U("08aa68ce-acd6-4e03-b6b5-091811324345"),),
        (BOTILBUD_107, AKTIVITET_104),
        region="pc-psy",
        vaegt=3,
    ),
    Profil(
        "udviklingshaemning",
        U("97c355cc-84e3-46d0-ac1b-00bc627d089f"),
        (U("b93216fa-3843-4a7e-85bc-e3ef35a1967f"), U("ef4271c4-f942-4194-a2b0-e9a7045eab22")),
        (OEKONOMI, POST, MAD, TRANSPORT),
        (),
        (BOTILBUD_108, BESKYTTET_103),
        vaegt=2,
    ),
    Profil(
        "autisme",
        U("9b3fd322-a75a-4ed8-9b74-425fa1e01c95"),
        (PSYKOSOCIALE, ORGANISERING, FOELELSER_OG_ADFAERD),
        (SAMSPIL, UDDANNE_SIG, OEKONOMI, POST),
        (),
        (BESKYTTET_103,),
        vaegt=2,
    ),
    Profil(
        "hjerneskade",
        U("d26f97e8-99ed-46a9-94db-93340f77a950"),
        (U("61452fe5-cea2-4d92-b2f1-406e9a5d31cb"), OPMAERKSOMHED, IGANGSAETNING),
        (BOLIG, MAD, TRANSPORT, JOB),
        (U("69dbfad7-859a-4596-8737-8054f6b4948f"),),
        (AKTIVITET_104,),
        vaegt=2,
    ),
    Profil(
        "misbrug",
        U("ab4413f0-fa81-41c0-ad8c-21782c12a0fa"),
        (INDSIGT, FOELELSER_OG_ADFAERD),
        (OEKONOMI, BOLIG, NETVAERK),
        (
            U("c8f4475a-8de3-4920-ad0c-eea78c49a68d"),
            U("35c56275-0093-4901-9fd8-d06fdb5cb8f3"),
            U("08aa68ce-acd6-4e03-b6b5-091811324345"),
        ),
        (FORSORGSHJEM_110,),
        vaegt=2,
    ),
    Profil(
        "stress",
        U("afaa7e31-2b5d-4a49-9008-56aa8df8dc13"),
        (FOELELSER_OG_ADFAERD, OPMAERKSOMHED),
        (JOB,),
        (SOEVN, U("f695cec7-2b39-4c7e-8731-da8558a4fb3f")),
        jobcenter="job-syg",
        vaegt=3,
    ),
    Profil(
        "adhd",
        U("cc6a58cf-d3d2-4e5f-b7fe-98b009647eac"),
        (OPMAERKSOMHED, ORGANISERING),
        (UDDANNE_SIG, OEKONOMI, POST),
        (),
        jobcenter="job-unge",
        vaegt=2,
    ),
]

# --- regional psychiatry ------------------------------------------------------------------

EMOTIONELLE_PROBLEMER = U("7b6a52c6-7e0d-4800-a223-ebdd2c9261e4")
# class, note, FSIII (True: a nursing assessment) or FFB
REGION = {
    "pc-psy": [
        (VIRKELIGHEDSOPFATTELSE, "Paranoid skizofreni; i behandling med depotmedicin.", False),
        (
            U("f7619a25-1f4f-4940-83b8-913a2da0ef47"),
            "Psykotiske symptomer i perioder; tæt kontakt til distriktspsykiatrien.",
            True,
        ),
        (
            U("d0496876-5673-4597-bd4a-6323d1dfea46"),
            "Svingende sygdomsindsigt; holder pause med medicinen i perioder.",
            True,
        ),
    ],
    "pc-dep": [
        (FOELELSER_OG_ADFAERD, "Moderat depressiv episode; i ambulant behandling.", False),
        (EMOTIONELLE_PROBLEMER, "Tristhed og indre uro; samtaler hver 14. dag.", True),
        (
            U("6c6a10b9-d4c3-44f6-8803-80466d158356"),
            "Indsovningsbesvær; sovemedicin aftrappes.",
            True,
        ),
        (IGANGSAETNING, "Nedsat energi og initiativ som led i depressionen.", False),
    ],
}

BORGERENS_ORD = [
    "Jeg vil gerne klare så meget som muligt selv.",
    "Det er blevet sværere det sidste halve år.",
    "Jeg har det bedst, når det er de samme, der kommer.",
    "Jeg vil ikke være til besvær for mine børn.",
    "Jeg vil gerne have hjælp, men ikke for meget.",
    "Nogle dage går det fint, andre dage slet ikke.",
    "Jeg vil gerne tilbage til en almindelig hverdag.",
]

LOVGRUNDLAG = (
    "SEL § 83",
    "SEL § 85",
    "SEL § 103",
    "SEL § 104",
    "SEL § 107",
    "SEL § 108",
    "SEL § 110",
    "SUL § 138",
    "SUL § 140",
    "LAB § 78",
)
ADGANGSHJEMMEL = "Retssikkerhedsloven § 11 c"
