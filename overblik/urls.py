from overblik.views import borger, indsats, mine_data, tilstand

app_name = "overblik"

urlpatterns = [
    *borger.urlpatterns,
    *tilstand.urlpatterns,
    *indsats.urlpatterns,
    *mine_data.urlpatterns,
]
