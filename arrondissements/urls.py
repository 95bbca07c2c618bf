app_name = "arrondissements"

urlpatterns: list = []
