"""notify(): who receives what, once per event key; bad input writes nothing; every change is audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from yingji.core.errors import ValidationFailed
from yingji.core.models import AuditEntry
from yingji.core.roles import RoleCode
from yingji.notifications import kinds, services
from yingji.notifications.models import Delivery, DeliveryStatus, Message, Notification, SignOff
from yingji.notifications.services import Recipient

pytestmark = pytest.mark.django_db


def _counts():
    return (Message.objects.count(), Notification.objects.count(), SignOff.objects.count(),
            Delivery.objects.count(), AuditEntry.objects.count())


def test_unit_recipient_reaches_users_holding_roles_there_optionally_by_role(tree, people):
    m = services.notify(kinds.GENERAL, key="t:1", recipients=[Recipient.of_unit(tree["A1"])], title="全体")
    assert set(m.notifications.values_list("user__username", flat=True)) == {"staff_a1", "staff2_a1", "admin_a1"}
    m2 = services.notify(kinds.GENERAL, key="t:2", title="管理员",
                         recipients=[Recipient.of_unit(tree["A1"], [RoleCode.UNIT_ADMIN])])
    assert list(m2.notifications.values_list("user__username", flat=True)) == ["admin_a1"]
    # A role at the district does not make its holder a recipient of the town below.
    assert not m.notifications.filter(user=people.admin_a).exists()


def test_same_event_key_sends_nothing_twice(tree, people):
    first = services.notify(kinds.GENERAL, key="evt:42", recipients=[Recipient.of_user(people.staff_a1)], title="一")
    before = _counts()
    again = services.notify(kinds.GENERAL, key="evt:42", recipients=[Recipient.of_unit(tree["A1"])], title="二")
    assert again.pk == first.pk
    assert _counts() == before


def test_a_user_reached_twice_gets_one_copy(tree, people):
    m = services.notify(kinds.GENERAL, key="dup", title="x",
                        recipients=[Recipient.of_user(people.staff_a1), Recipient.of_unit(tree["A1"])])
    assert m.notifications.filter(user=people.staff_a1).count() == 1


def test_subject_is_a_generic_link_with_url(tree, people):
    m = services.notify(kinds.GENERAL, key="subj", recipients=[Recipient.of_user(people.staff_a1)],
                        title="关于某单位", subject=tree["E1"], url=f"/units/{tree['E1'].pk}/")
    m.refresh_from_db()
    assert (m.subject_type.app_label, m.subject_type.model, m.subject_id) == ("core", "orgunit", str(tree["E1"].pk))
    assert m.url == f"/units/{tree['E1'].pk}/"


@pytest.mark.parametrize("kwargs, field", [
    ({"kind": "no.such.kind"}, "kind"),
    ({"url": "javascript:alert(1)"}, "url"),
    ({"needs_signoff": True}, "sign_deadline"),
    ({"title": ""}, "title"),
])
def test_bad_input_is_refused_and_writes_nothing(tree, people, kwargs, field):
    args = {"kind": kinds.GENERAL, "key": "bad", "title": "x", "recipients": [Recipient.of_unit(tree["A1"])]}
    args.update(kwargs)
    before = _counts()
    with pytest.raises(ValidationFailed) as err:
        services.notify(args.pop("kind"), **args)
    assert field in err.value.details
    assert _counts() == before


def test_every_row_written_is_in_the_audit_log(tree, people):
    deadline = timezone.now() + dt.timedelta(hours=2)
    m = services.notify(kinds.GENERAL, key="aud", recipients=[Recipient.of_unit(tree["A1"])], title="审计",
                        needs_signoff=True, sign_deadline=deadline)
    created = AuditEntry.objects.filter(action="create")
    assert created.filter(object_type="notifications.message", object_id=str(m.pk)).count() == 1
    assert created.filter(object_type="notifications.notification").count() == 3
    assert created.filter(object_type="notifications.signoff").count() == 1
    from yingji.core.audit import verify

    assert verify().ok


def test_channels_follow_the_users_choice_and_kind_defaults(tree, people):
    people.staff_a1.email = "a1@example.org"
    people.staff_a1.save()
    services.set_preferences(people.staff_a1, {kinds.GENERAL: ["email", "sms"]})
    m = services.notify(kinds.GENERAL, key="ch", recipients=[Recipient.of_unit(tree["A1"])], title="渠道")
    rows = {(d.notification.user.username, d.channel): d.status
            for d in Delivery.objects.filter(notification__message=m).select_related("notification__user")}
    # staff_a1 chose e-mail (has an address) and SMS (no phone: recorded as skipped); the others keep the
    # general kind's default, which is the inbox only.
    assert rows == {("staff_a1", "email"): DeliveryStatus.PENDING, ("staff_a1", "sms"): DeliveryStatus.SKIPPED}
