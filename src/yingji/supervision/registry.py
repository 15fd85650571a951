"""The supervision types on the shared registry: generic lists, detail pages, Excel import/export for the result
code table, meetings with their decisions, and responsibility lists (versions are published by a service)."""

from django.utils.translation import gettext_lazy as _

from yingji.core.kinds.registry import Kind, register
from yingji.supervision.models import Decision, Meeting, ResponsibilityList, ResultCode

_OWNER = ("owner_unit", "所属单位")


def _meeting_action(user, obj):
    from yingji.supervision.views import decision_form

    return decision_form(user, obj)


KINDS = register("supervision", [
    Kind("result-codes", ResultCode, _("办理结果代码"),
         (("code", "代码"), ("name", "名称"), ("counts_as_resolved", "视为已解决"), ("is_active", "启用")),
         required=("code", "name"), search=("code", "name"), ordering={"code": "code"}, select_related=(),
         example={"code": "E", "name": "已列入计划"}),
    Kind("meetings", Meeting, _("会议"),
         (_OWNER, ("title", "会议名称"), ("kind", "会议类型"), ("held_at", "召开时间"), ("location", "地点"),
          ("agenda", "议程"), ("attendees", "参会单位和人员"), ("minutes", "会议纪要")),
         required=("owner_unit", "title", "held_at"), search=("title",), filters=("kind",),
         ordering={"held_at": "held_at"}, children=(("decisions", "meeting"),), action_form=_meeting_action,
         hidden=frozenset({"agenda", "attendees", "minutes"}), importable=False),
    Kind("decisions", Decision, _("议定事项"),
         (_OWNER, ("meeting", "会议"), ("text", "议定事项"), ("task", "督办任务")),
         search=("text",), writable=False, importable=False, owning_parent="meeting",
         select_related=("owner_unit", "meeting", "task")),
    Kind("duty-lists", ResponsibilityList, _("责任清单"),
         (_OWNER, ("title", "名称"), ("version", "版本"), ("effective_from", "生效日期"), ("is_current", "现行版本"),
          ("items", "责任事项")),
         search=("title",), filters=("is_current",), ordering={"version": "version"}, writable=False,
         importable=False, hidden=frozenset({"items"})),
])
