app_name = "demarches"

urlpatterns: list = []
