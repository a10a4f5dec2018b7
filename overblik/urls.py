from overblik.views import (
    borger,
    dialog,
    indsats,
    mine_data,
    mine_samtaler,
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
    *dialog.urlpatterns,
    *mine_samtaler.urlpatterns,
]
