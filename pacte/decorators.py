"""View decorators for roles. Outside their role, staff get 403; outside their perimeter, 404 — and
404 too for a page whose very existence is not for other roles (`hidden=True`: a report)."""

from __future__ import annotations

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import Http404

from .roles import has_role


def role_required(*roles: str, hidden: bool = False):
    """Allow the view only to members of one of `roles` (login is enforced by the middleware).

    Others get 403, or 404 with `hidden=True` (the page is not theirs to know of)."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not has_role(request.user, *roles):
                if hidden:
                    raise Http404
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.pacte_roles = roles
        return wrapper

    return decorator
