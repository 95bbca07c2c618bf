"""View decorators for roles. Outside their role, staff get 403; outside their perimeter, 404."""

from __future__ import annotations

from functools import wraps

from django.core.exceptions import PermissionDenied

from .roles import has_role


def role_required(*roles: str):
    """Allow the view only to members of one of `roles` (login is enforced by the middleware)."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not has_role(request.user, *roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.pacte_roles = roles
        return wrapper

    return decorator
