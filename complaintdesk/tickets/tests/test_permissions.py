"""Who may see and do what with tickets: role permissions (403) and data scope (404, never 403)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from complaintdesk.accounts.actions import do_update_user
from complaintdesk.tickets.actions import do_add_attachment, do_add_comment, do_link_tickets
from complaintdesk.tickets.models import Ticket, TicketEvent, TicketLink

pytestmark = pytest.mark.django_db

TXT = "投诉照片说明".encode()


@dataclass
class Scene:
    own_a: Ticket  # created by agent_a
    team_a: Ticket  # team 客服一组
    assigned_a: Ticket  # assigned to agent_a
    team_b: Ticket  # created by agent_b for 客服二组
    after_sales: Ticket  # department 售后部
    repair: Ticket  # department 维修组 (under 售后部)
    quality: Ticket  # department 质量部
    plain: Ticket  # created by the supervisor, unrouted

    def all(self) -> set[int]:
        return {t.pk for t in vars(self).values()}


@pytest.fixture
def scene(org, frozen_clock, make_ticket, media_root):
    sup = org.supervisor
    scene = Scene(
        own_a=make_ticket(actor=org.agent_a),
        team_a=make_ticket(actor=sup, team=org.team_a),
        assigned_a=make_ticket(actor=sup, assignee=org.agent_a, department=None),
        team_b=make_ticket(actor=org.agent_b, team=org.team_b),
        after_sales=make_ticket(actor=sup, department=org.after_sales),
        repair=make_ticket(actor=sup, department=org.repair),
        quality=make_ticket(actor=sup, department=org.quality_dept),
        plain=make_ticket(actor=sup),
    )
    for ticket in (scene.after_sales, scene.repair):
        do_add_comment(ticket, actor=sup, body="内部备注", is_public=False)
        do_add_attachment(ticket, actor=sup, content=TXT, name="说明.txt")
    do_link_tickets(scene.after_sales, scene.repair, kind="parent_of", actor=sup)
    return scene


def _visible(api) -> set[int]:
    response = api.get("tickets", {"page_size": 200})
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["items"]}


def _assert_error(response, status, code):
    assert response.status_code == status, response.content
    assert response.json()["code"] == code


# --- data scope -----------------------------------------------------------------------------


def test_agent_sees_own_and_team_tickets(org, scene):
    expected = {scene.own_a.pk, scene.team_a.pk, scene.assigned_a.pk}
    api = org.client(org.agent_a)
    assert _visible(api) == expected
    for ticket in Ticket.objects.all():
        response = api.get(f"tickets/{ticket.pk}")
        assert response.status_code == (200 if ticket.pk in expected else 404), ticket.subject
    assert _visible(org.client(org.agent_b)) == {scene.team_b.pk}


def test_handler_sees_the_department_subtree(org, scene):
    assert _visible(org.client(org.handler)) == {scene.after_sales.pk, scene.repair.pk}
    # 维修组 sits under 售后部: its handler sees its own tickets only, not the parent's.
    assert _visible(org.client(org.repair_handler)) == {scene.repair.pk}
    _assert_error(org.client(org.repair_handler).get(f"tickets/{scene.after_sales.pk}"), 404, "not_found")


def test_handler_also_sees_tickets_assigned_to_them(org, scene, make_ticket):
    mine = make_ticket(actor=org.supervisor, assignee=org.repair_handler, department=org.quality_dept)
    assert mine.pk in _visible(org.client(org.repair_handler))


def test_scope_follows_reassignment(org, scene):
    sup = org.client(org.supervisor)
    assert sup.post(f"tickets/{scene.plain.pk}/assign", {"department_id": org.repair.pk}).status_code == 200
    assert scene.plain.pk in _visible(org.client(org.repair_handler))
    assert scene.plain.pk in _visible(org.client(org.handler))
    assert sup.post(f"tickets/{scene.plain.pk}/assign", {"department_id": org.quality_dept.pk}).status_code == 200
    assert scene.plain.pk not in _visible(org.client(org.repair_handler))


@pytest.mark.parametrize("who", ["admin", "supervisor", "quality", "auditor"])
def test_wide_roles_see_everything(org, scene, who):
    assert _visible(org.client(getattr(org, who))) == scene.all()


def test_team_scope_follows_team_membership(org, scene):
    do_update_user(org.agent_b, teams=[org.team_a, org.team_b], actor=None)
    assert _visible(org.client(org.agent_b)) == {scene.team_a.pk, scene.team_b.pk}


# --- out of scope is 404 on every endpoint --------------------------------------------------


def _hidden_requests(api, hidden: Ticket, mine: Ticket) -> dict[str, Any]:
    link = TicketLink.objects.filter(source=hidden).first()
    attachment = hidden.attachments.first()
    assert link is not None and attachment is not None
    h = hidden.pk
    return {
        "detail": api.get(f"tickets/{h}"),
        "by-number": api.get(f"tickets/by-number/{hidden.number}"),
        "patch": api.patch(f"tickets/{h}", {"subject": "改"}),
        "assign": api.post(f"tickets/{h}/assign", {"assignee_id": api.user.pk}),
        "transition": api.post(f"tickets/{h}/transition", {"status": "accepted"}),
        "comments": api.get(f"tickets/{h}/comments"),
        "comment": api.post(f"tickets/{h}/comments", {"body": "看看"}),
        "attachments": api.get(f"tickets/{h}/attachments"),
        "upload": api.upload(f"tickets/{h}/attachments", "a.txt", TXT),
        "download": api.get(f"tickets/{h}/attachments/{attachment.pk}/download"),
        "links": api.get(f"tickets/{h}/links"),
        "link from hidden": api.post(f"tickets/{h}/links", {"target_id": mine.pk}),
        "link to hidden": api.post(f"tickets/{mine.pk}/links", {"target_id": h}),
        "unlink": api.delete(f"tickets/{h}/links/{link.pk}"),
        "merge hidden": api.post(f"tickets/{h}/merge", {"into_id": mine.pk}),
        "merge into hidden": api.post(f"tickets/{mine.pk}/merge", {"into_id": h}),
        "events": api.get(f"tickets/{h}/events"),
    }


@pytest.mark.parametrize("who", ["agent_a", "repair_handler"])
def test_a_ticket_outside_the_scope_is_404_everywhere(org, scene, who):
    user = getattr(org, who)
    api = org.client(user)
    mine = scene.own_a if who == "agent_a" else scene.repair
    hidden = scene.after_sales
    events_before = TicketEvent.objects.filter(ticket=hidden).count()
    for name, response in _hidden_requests(api, hidden, mine).items():
        assert response.status_code == 404, (name, response.content)
        assert response.json()["code"] == "not_found", name
    hidden.refresh_from_db()
    assert (hidden.subject, hidden.status, hidden.assignee_id, hidden.merged_into_id) == (
        scene.after_sales.subject, "new", None, None)
    assert TicketEvent.objects.filter(ticket=hidden).count() == events_before
    assert hidden.comments.count() == 1 and hidden.attachments.count() == 1


def test_hidden_and_missing_tickets_answer_alike(org, scene):
    api = org.client(org.agent_a)
    hidden = api.get(f"tickets/{scene.after_sales.pk}")
    missing = api.get("tickets/999999")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["code"] == missing.json()["code"]
    assert hidden.json()["details"] == missing.json()["details"]


def test_an_attachment_of_another_ticket_is_404(org, scene):
    # The download URL names the ticket: a visible ticket id does not unlock another ticket's file.
    api = org.client(org.handler)
    other = scene.repair.attachments.get()
    response = api.get(f"tickets/{scene.after_sales.pk}/attachments/{other.pk}/download")
    _assert_error(response, 404, "not_found")


def test_a_link_of_another_ticket_is_404(org, scene):
    api = org.client(org.supervisor)
    link = TicketLink.objects.get(source=scene.after_sales)
    _assert_error(api.delete(f"tickets/{scene.plain.pk}/links/{link.pk}"), 404, "not_found")
    assert TicketLink.objects.filter(pk=link.pk).exists()


def test_intake_redelivery_of_a_hidden_ticket_is_409(org, frozen_clock):
    payload = {"subject": "x", "channel": "wechat", "external_id": "wx-77"}
    assert org.client(org.agent_a).post("tickets", payload).status_code == 201
    response = org.client(org.agent_b).post("tickets", payload)
    _assert_error(response, 409, "duplicate_external_id")
    assert "id" not in response.json()
    assert Ticket.objects.count() == 1


# --- permissions (403) ----------------------------------------------------------------------


def test_auditor_reads_but_cannot_write(org, scene):
    api = org.client(org.auditor)
    t = scene.after_sales.pk
    for path in (f"tickets/{t}", f"tickets/{t}/comments", f"tickets/{t}/attachments", f"tickets/{t}/links",
                 f"tickets/{t}/events", f"tickets/by-number/{scene.after_sales.number}", "tickets/meta",
                 "categories"):
        assert api.get(path).status_code == 200, path
    link = TicketLink.objects.get(source=scene.after_sales)
    attempts = {
        "create": api.post("tickets", {"subject": "x"}),
        "patch": api.patch(f"tickets/{t}", {"subject": "改"}),
        "assign": api.post(f"tickets/{t}/assign", {"assignee_id": org.handler.pk}),
        "transition": api.post(f"tickets/{t}/transition", {"status": "accepted"}),
        "comment": api.post(f"tickets/{t}/comments", {"body": "x"}),
        "upload": api.upload(f"tickets/{t}/attachments", "a.txt", TXT),
        "link": api.post(f"tickets/{t}/links", {"target_id": scene.plain.pk}),
        "unlink": api.delete(f"tickets/{t}/links/{link.pk}"),
        "merge": api.post(f"tickets/{t}/merge", {"into_id": scene.plain.pk}),
        "category": api.post("categories", {"key": "new_cat", "name": "新分类"}),
        "category patch": api.patch(f"categories/{org.categories['other'].pk}", {"name": "其它"}),
    }
    for name, response in attempts.items():
        assert response.status_code == 403, (name, response.content)
        body = response.json()
        assert body["code"] == "permission_denied", name
        assert body["details"]["permission"].split(".")[0] in ("ticket", "category"), name
    fresh = Ticket.objects.get(pk=t)
    assert (fresh.subject, fresh.status, fresh.assignee_id) == (scene.after_sales.subject, "new", None)
    assert Ticket.objects.count() == 8
    assert TicketLink.objects.count() == 1


def test_handler_permissions(org, scene):
    api = org.client(org.handler)
    t = scene.after_sales.pk
    # Allowed: edit, move on, comment, upload.
    assert api.patch(f"tickets/{t}", {"description": "已联系"}).status_code == 200
    assert api.post(f"tickets/{t}/transition", {"status": "in_progress"}).status_code == 200
    assert api.post(f"tickets/{t}/comments", {"body": "处理中", "is_public": True}).status_code == 201
    assert api.upload(f"tickets/{t}/attachments", "a.txt", TXT).status_code == 201
    # Not allowed: create, assign, link, merge, close.
    denied = {
        "create": (api.post("tickets", {"subject": "x"}), "ticket.create"),
        "assign": (api.post(f"tickets/{t}/assign", {"assignee_id": org.repair_handler.pk}), "ticket.assign"),
        "link": (api.post(f"tickets/{t}/links", {"target_id": scene.repair.pk, "kind": "related"}), "ticket.merge"),
        "merge": (api.post(f"tickets/{scene.repair.pk}/merge", {"into_id": t}), "ticket.merge"),
    }
    for name, (response, permission) in denied.items():
        assert response.status_code == 403, (name, response.content)
        assert response.json()["details"] == {"permission": permission}, name
    assert api.post(f"tickets/{t}/transition", {"status": "resolved"}).status_code == 200
    response = api.post(f"tickets/{t}/transition", {"status": "closed"})
    assert response.status_code == 403
    assert response.json()["details"] == {"permission": "ticket.close"}


def test_quality_can_comment_but_not_edit(org, scene):
    api = org.client(org.quality)
    t = scene.quality.pk
    assert api.post(f"tickets/{t}/comments", {"body": "需要8D报告"}).status_code == 201
    _assert_error(api.patch(f"tickets/{t}", {"subject": "x"}), 403, "permission_denied")
    _assert_error(api.post(f"tickets/{t}/transition", {"status": "accepted"}), 403, "permission_denied")


def test_permission_is_checked_before_the_business_rule(org, scene):
    # A handler asking to close a "new" ticket learns about the permission, not the lifecycle.
    response = org.client(org.handler).post(f"tickets/{scene.after_sales.pk}/transition", {"status": "closed"})
    _assert_error(response, 403, "permission_denied")


def test_a_user_without_roles_is_refused(org, scene):
    api = org.client(org.nobody)
    t = scene.plain.pk
    for name, response in {
        "list": api.get("tickets"),
        "detail": api.get(f"tickets/{t}"),
        "by-number": api.get(f"tickets/by-number/{scene.plain.number}"),
        "create": api.post("tickets", {"subject": "x"}),
        "events": api.get(f"tickets/{t}/events"),
        "comment": api.post(f"tickets/{t}/comments", {"body": "x"}),
        "categories": api.get("categories"),
    }.items():
        assert response.status_code == 403, (name, response.content)
        assert response.json()["code"] == "permission_denied", name


def test_role_removal_takes_effect_at_once(org, scene):
    api = org.client(org.agent_a)
    assert api.get("tickets").status_code == 200
    do_update_user(org.agent_a, roles=[], actor=None)
    _assert_error(api.get("tickets"), 403, "permission_denied")


# --- authentication (401) -------------------------------------------------------------------


def test_unauthenticated_requests_are_401(org, scene):
    anonymous = org.client(None)
    forged = org.client(org.supervisor)
    forged.headers = {"HTTP_AUTHORIZATION": "Bearer cd_not-a-real-token"}
    t = scene.plain.pk
    for api in (anonymous, forged):
        for name, response in {
            "list": api.get("tickets"),
            "meta": api.get("tickets/meta"),
            "detail": api.get(f"tickets/{t}"),
            "by-number": api.get(f"tickets/by-number/{scene.plain.number}"),
            "create": api.post("tickets", {"subject": "x"}),
            "patch": api.patch(f"tickets/{t}", {"subject": "x"}),
            "assign": api.post(f"tickets/{t}/assign", {"assignee_id": org.handler.pk}),
            "transition": api.post(f"tickets/{t}/transition", {"status": "accepted"}),
            "comments": api.get(f"tickets/{t}/comments"),
            "comment": api.post(f"tickets/{t}/comments", {"body": "x"}),
            "attachments": api.get(f"tickets/{t}/attachments"),
            "upload": api.upload(f"tickets/{t}/attachments", "a.txt", TXT),
            "links": api.get(f"tickets/{t}/links"),
            "link": api.post(f"tickets/{t}/links", {"target_id": scene.repair.pk}),
            "merge": api.post(f"tickets/{t}/merge", {"into_id": scene.repair.pk}),
            "events": api.get(f"tickets/{t}/events"),
            "categories": api.get("categories"),
        }.items():
            assert response.status_code == 401, (name, response.content)
            assert response.json()["code"] == "unauthenticated", name
    assert Ticket.objects.count() == 8


def test_a_deactivated_users_token_stops_working(org, scene):
    api = org.client(org.agent_a)
    assert api.get("tickets").status_code == 200
    do_update_user(org.agent_a, is_active=False, actor=None)
    _assert_error(api.get("tickets"), 401, "unauthenticated")
