"""API schemas of the notifications app."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema


class SignOffOut(Schema):
    unit_id: int | None
    signed: bool
    signed_by: str | None
    signed_at: datetime | None
    escalated_at: datetime | None

    @staticmethod
    def resolve_signed(obj) -> bool:
        return obj.signed_at is not None

    @staticmethod
    def resolve_signed_by(obj) -> str | None:
        return obj.signed_by.username if obj.signed_by_id else None


class NotificationOut(Schema):
    id: int
    kind: str = Field(..., alias="message.kind")
    title: str = Field(..., alias="message.title")
    body: str = Field(..., alias="message.body")
    url: str = Field(..., alias="message.url")
    subject_type: str | None
    subject_id: str = Field(..., alias="message.subject_id")
    via_unit_id: int | None
    created_at: datetime
    read_at: datetime | None
    needs_signoff: bool = Field(..., alias="message.needs_signoff")
    sign_deadline: datetime | None = Field(..., alias="message.sign_deadline")
    signoff: SignOffOut | None = None

    @staticmethod
    def resolve_subject_type(obj) -> str | None:
        ct = obj.message.subject_type
        return f"{ct.app_label}.{ct.model}" if ct else None


class NotificationFilter(Schema):
    unread: bool | None = Field(None, description="true: only unread; false: only read")
    kind: str | None = None


class KindOut(Schema):
    code: str
    label: str
    default_channels: list[str]


class ChannelOut(Schema):
    code: str
    label: str


class PreferencesOut(Schema):
    channels: dict[str, list[str]] = Field(..., description="kind → chosen channels (the inbox is always on)")
    webhook_url: str
    kinds: list[KindOut]
    available_channels: list[ChannelOut]


class PreferencesIn(Schema):
    channels: dict[str, list[str]] = Field(default_factory=dict)
    webhook_url: str | None = Field(None, description="where the webhook channel posts; empty to remove")
