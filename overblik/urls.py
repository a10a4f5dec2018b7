from overblik.views import (
    borger,
    indsats,
    mine_data,
    notifikationer,
    samtykke_borger,
    samtykke_personale,
    tilstand,
)

app_name = "overblik"

urlpatterns = [
    *borger.urlpatterns,
    *tilstand.urlpatterns,
    *indsats.urlpatterns,
    *mine_data.urlpatterns,
    *samtykke_borger.urlpatterns,
    *samtykke_personale.urlpatterns,
    *notifikationer.urlpatterns,
]
