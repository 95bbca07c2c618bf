from django.conf import settings

from .espace import nav_items


def portail(request):
    """Public contact values and the main navigation, on every page."""
    return {
        "LYON_EN_DIRECT_PHONE": settings.LYON_EN_DIRECT_PHONE,
        "LYON_EN_DIRECT_HOURS": settings.LYON_EN_DIRECT_HOURS,
        "nav_items": lambda: [
            (label, url, request.path == url if url == "/" else request.path.startswith(url))
            for label, url in nav_items()
        ],
        "STAFF_IDLE_TIMEOUT": settings.STAFF_IDLE_TIMEOUT,
        "STAFF_IDLE_WARNING": settings.STAFF_IDLE_WARNING,
    }
