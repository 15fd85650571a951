"""Read-only admin views for operators: messages, sign-offs and the delivery log (changes go through services)."""

from django.contrib import admin

from yingji.notifications.models import Delivery, DeliveryAttempt, Message, SignOff


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Message)
class MessageAdmin(ReadOnly):
    list_display = ("title", "kind", "key", "needs_signoff", "sign_deadline", "created_at")
    list_filter = ("kind", "needs_signoff")
    search_fields = ("title", "key")


@admin.register(SignOff)
class SignOffAdmin(ReadOnly):
    list_display = ("message", "unit", "signed_by", "signed_at", "escalated_at")


@admin.register(Delivery)
class DeliveryAdmin(ReadOnly):
    list_display = ("key", "channel", "address", "status", "attempts", "next_attempt_at", "last_error")
    list_filter = ("channel", "status")


@admin.register(DeliveryAttempt)
class DeliveryAttemptAdmin(ReadOnly):
    list_display = ("delivery", "at", "ok", "status_code", "detail")
