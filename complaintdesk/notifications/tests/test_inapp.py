"""In-app notifications from task / SLA / alert events and the viewer's own list."""

from __future__ import annotations

import pytest
from django.db import transaction

from complaintdesk.core import events as ev
from complaintdesk.core.models import Outbox
from complaintdesk.notifications.fanout import fan_out
from complaintdesk.notifications.models import Notification
from complaintdesk.notifications.tests.conftest import run_jobs
from complaintdesk.tickets.actions import do_create_ticket
from complaintdesk.tickets.choices import Channel

pytestmark = pytest.mark.django_db


def _ticket(org):
    ticket, _ = do_create_ticket(actor=org.agent_a, subject="冰箱不制冷", channel=Channel.PHONE, customer=org.customer)
    return ticket


def _publish(name, payload):
    with transaction.atomic():
        return ev.publish(name, payload)


def test_task_created_notifies_its_users_in_their_language(org):
    ticket = _ticket(org)
    org.agent_b.language = "en"
    org.agent_b.save(update_fields=["language"])
    _publish(ev.TASK_CREATED, {"ticket_id": ticket.pk, "work_item_id": 7, "node_name": "售后处理",
                               "user_ids": [org.handler.pk, org.agent_b.pk]})
    run_jobs()
    zh = Notification.objects.get(user=org.handler)
    assert zh.kind == "task.created" and zh.ticket_id == ticket.pk
    assert zh.title == f"新待办：工单 {ticket.number}《冰箱不制冷》"
    assert "售后处理" in zh.body and "客户：张三" in zh.body and zh.read_at is None
    en = Notification.objects.get(user=org.agent_b)
    assert en.title == f'New task: Ticket {ticket.number} "冰箱不制冷"'
    created = Outbox.objects.filter(topic=ev.NOTIFICATION_CREATED).values_list("payload", flat=True)
    assert sorted(p["user_id"] for p in created) == sorted([org.handler.pk, org.agent_b.pk])


def test_sla_and_alert_events_notify_and_inactive_users_are_skipped(org):
    ticket = _ticket(org)
    org.quality.is_active = False
    org.quality.save(update_fields=["is_active"])
    _publish(ev.SLA_ESCALATED, {"ticket_id": ticket.pk, "level": "L2", "user_ids": [org.supervisor.pk, org.quality.pk]})
    _publish(ev.ALERT_FIRED, {"alert_id": 3, "rule_name": "物流投诉激增", "group_label": "顺丰", "level": "red",
                              "count": 42, "window_days": 7, "baseline": 20, "user_ids": [org.supervisor.pk]})
    run_jobs()
    titles = sorted(Notification.objects.filter(user=org.supervisor).values_list("title", flat=True))
    assert titles == [f"SLA 升级（L2）：工单 {ticket.number}《冰箱不制冷》", "红色预警：物流投诉激增 顺丰"]
    assert not Notification.objects.filter(user=org.quality).exists()


def test_the_same_event_twice_notifies_once(org):
    ticket = _ticket(org)
    event = _publish(ev.TASK_URGED, {"ticket_id": ticket.pk, "user_ids": [org.handler.pk]})
    fan_out(event)
    fan_out(event)
    run_jobs()
    assert Notification.objects.filter(user=org.handler).count() == 1


def test_events_outside_task_sla_alert_create_no_in_app_notification(org):
    ticket = _ticket(org)
    _publish(ev.TICKET_UPDATED, {"ticket_id": ticket.pk, "user_ids": [org.handler.pk]})
    run_jobs()
    assert not Notification.objects.exists()


def test_my_notifications_through_the_api(org):
    ticket = _ticket(org)
    for _ in range(3):
        _publish(ev.TASK_CC, {"ticket_id": ticket.pk, "user_ids": [org.handler.pk]})
    _publish(ev.TASK_CC, {"ticket_id": ticket.pk, "user_ids": [org.agent_b.pk]})
    run_jobs()
    api = org.client(org.handler)
    assert api.get("notifications/unread-count").json() == {"count": 3}
    page = api.get("notifications", {"page_size": 2}).json()
    assert page["count"] == 3 and len(page["items"]) == 2
    first = page["items"][0]
    assert first["ticket"] == {"id": ticket.pk, "number": ticket.number, "subject": "冰箱不制冷"}
    assert first["title"].startswith("抄送：")

    response = api.post(f"notifications/{first['id']}/read")
    assert response.status_code == 200 and response.json()["read_at"] is not None
    assert api.get("notifications/unread-count").json() == {"count": 2}
    assert api.get("notifications", {"unread": "true"}).json()["count"] == 2
    assert api.post("notifications/read-all").json() == {"count": 2}
    assert api.get("notifications/unread-count").json() == {"count": 0}
    assert api.get("notifications", {"unread": "true"}).json()["count"] == 0

    others = Notification.objects.get(user=org.agent_b)
    assert api.post(f"notifications/{others.pk}/read").status_code == 404  # nobody reads another's
    assert org.client(org.agent_b).get("notifications/unread-count").json() == {"count": 1}


def test_notification_list_costs_a_fixed_number_of_queries(org, django_assert_max_num_queries):
    ticket = _ticket(org)
    for _ in range(5):
        _publish(ev.TASK_CC, {"ticket_id": ticket.pk, "user_ids": [org.handler.pk]})
    run_jobs()
    api = org.client(org.handler)
    with django_assert_max_num_queries(6):  # token, user, page (+ count), roles for access
        assert len(api.get("notifications").json()["items"]) == 5


def test_anonymous_gets_401(org):
    response = org.client(None).get("notifications")
    assert response.status_code == 401 and response.json()["code"] == "unauthenticated"
