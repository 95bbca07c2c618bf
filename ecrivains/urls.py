app_name = "ecrivains"

urlpatterns: list = []
