from django.db import transaction
from tests.sample_app.models import Hydrant

from yingji.core import crud, timeline
from yingji.core.roles import Action


def test_pressure(actor, hydrant: Hydrant, bar: float) -> Hydrant:
    """A module's own service: lock, change, audit (crud), then note it on the subject's timeline."""
    with transaction.atomic():
        hydrant = crud.get_for(actor, Hydrant, hydrant.pk, Action.CHANGE, lock=True)
        hydrant = crud.update(actor, hydrant, {"working": bar >= 1.0})
        timeline.add(actor, hydrant, "pressure", f"{bar} bar", {"bar": bar})
    return hydrant
