from yingji.core import services as core
from yingji.core.models import User


def user_at(unit, role: str, name: str) -> User:
    user = core.create_user(None, username=name, password="correct-horse-battery-9", unit=unit, display_name=name)
    core.assign_role(None, user, role, unit)
    return User.objects.get(pk=user.pk)
