from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from core import roles


def require_perm(user, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied(_("Your role does not allow this."))


def client_facing(user) -> bool:
    return bool(roles.role_names(user) & {roles.RELATIONSHIP_MANAGER, roles.TEAM_LEAD})
