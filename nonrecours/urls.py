app_name = "nonrecours"

urlpatterns: list = []
