from overblik.views import (
    berigtigelse,
    borger,
    dialog,
    eksport,
    forside,
    indsats,
    mine_data,
    mine_samtaler,
    notifikationer,
    samtykke_borger,
    samtykke_personale,
    tilstand,
)

app_name = "overblik"

urlpatterns = [
    *forside.urlpatterns,
    *borger.urlpatterns,
    *tilstand.urlpatterns,
    *indsats.urlpatterns,
    *mine_data.urlpatterns,
    *eksport.urlpatterns,
    *berigtigelse.urlpatterns,
    *samtykke_borger.urlpatterns,
    *samtykke_personale.urlpatterns,
    *dialog.urlpatterns,
    *mine_samtaler.urlpatterns,
    *notifikationer.urlpatterns,
]
