"""The routing rules, pure: every rule of routing.py with its fallbacks."""

from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from tandem.inbox.routing import (
    Candidate,
    Reason,
    RoutingInput,
    TeamSnapshot,
    next_in_queue,
    pick_fairly,
    route,
)

T0 = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


def person(pk, presence="available", hours=True, load=0, capacity=5, active=True, last=None):
    return Candidate(
        employee_id=pk,
        active=active,
        presence=presence,
        in_working_hours=hours,
        capacity=capacity,
        open_conversations=load,
        last_assigned_at=last,
    )


def team(pk, kind, *members, open_now=True, node=1):
    return TeamSnapshot(
        team_id=pk, kind=kind, node_id=node, open_now=open_now, members=tuple(members)
    )


BRANCH = team(10, "branch", person(1), person(2))
POOL = team(20, "regional_pool", person(21))
URGENT = team(30, "urgent", person(31), person(32))
COMPLAINTS = team(40, "complaints", person(41))
RECRUITING = team(50, "recruiting", person(51))
COMMUNITY = team(60, "community", person(61))
EXPERTS = {"urgent": URGENT, "complaints": COMPLAINTS, "recruiting": RECRUITING}


def linked(topic="general", advisor=None, branch=BRANCH, **kwargs):
    return RoutingInput(
        topic=topic,
        account_owner_level="branch",
        account_team=BRANCH,
        linked_advisor=advisor if advisor is not None else person(7),
        customer_branch_team=branch,
        expert_teams=EXPERTS,
        regional_pool=POOL,
        **kwargs,
    )


def unlinked(topic="general", account_team=BRANCH, level="branch", **kwargs):
    return RoutingInput(
        topic=topic,
        account_owner_level=level,
        account_team=account_team,
        expert_teams=EXPERTS,
        regional_pool=POOL,
        **kwargs,
    )


def test_own_advisor_first():
    decision = route(linked())
    assert (decision.reason, decision.assignee_id, decision.team_id) == (Reason.OWN_ADVISOR, 7, 10)


@pytest.mark.parametrize(
    "advisor",
    [
        person(7, presence="away"),
        person(7, presence="offline"),
        person(7, presence="busy"),
        person(7, hours=False),
        person(7, load=5),
        person(7, active=False),
    ],
)
def test_advisor_unavailable_goes_to_the_branch_team(advisor):
    decision = route(linked(advisor=advisor))
    assert decision.reason == Reason.CUSTOMER_BRANCH
    assert decision.assignee_id in {1, 2}


def test_branch_full_goes_to_the_regional_pool():
    full = team(10, "branch", person(1, load=5), person(2, load=5))
    decision = route(linked(advisor=person(7, presence="away"), branch=full))
    assert (decision.reason, decision.assignee_id) == (Reason.REGIONAL_POOL, 21)


def test_out_of_hours_urgent_goes_to_the_24_7_team():
    closed = replace(BRANCH, open_now=False)
    decision = route(linked(topic="card_lost", advisor=person(7, hours=False), branch=closed))
    assert decision.reason == Reason.URGENT_TEAM
    assert decision.assignee_id in {31, 32}


def test_out_of_hours_other_topics_wait_for_the_branch():
    closed = replace(BRANCH, open_now=False)
    pool_closed = replace(POOL, open_now=False)
    decision = route(
        RoutingInput(
            topic="loan",
            account_owner_level="branch",
            account_team=closed,
            linked_advisor=person(7, hours=False),
            customer_branch_team=closed,
            expert_teams=EXPERTS,
            regional_pool=pool_closed,
        )
    )
    assert decision.queued
    assert decision.team_id == 10
    assert decision.assignee_id is None


def test_linked_urgent_stays_with_the_branch_while_it_can_act():
    decision = route(linked(topic="fraud", advisor=person(7, presence="away")))
    assert decision.reason == Reason.CUSTOMER_BRANCH


def test_unlinked_urgent_goes_straight_to_the_24_7_team():
    decision = route(unlinked(topic="fraud"))
    assert decision.reason == Reason.URGENT_TEAM


@pytest.mark.parametrize(("topic", "team_id"), [("complaint", 40), ("job_application", 50)])
def test_expert_topics_go_to_their_team(topic, team_id):
    decision = route(unlinked(topic=topic))
    assert (decision.reason, decision.team_id) == (Reason.EXPERT_TEAM, team_id)


def test_expert_team_full_queues_there():
    full = team(40, "complaints", person(41, load=5))
    decision = route(
        RoutingInput(
            topic="complaint",
            account_owner_level="branch",
            account_team=BRANCH,
            expert_teams={"complaints": full},
        )
    )
    assert decision.queued and decision.team_id == 40


def test_unlinked_goes_to_the_account_owner():
    assert route(unlinked()).reason == Reason.ACCOUNT_OWNER
    assert route(unlinked()).team_id == 10
    regional = route(unlinked(account_team=COMMUNITY, level="regional"))
    assert (regional.team_id, regional.assignee_id) == (60, 61)


def test_everyone_at_capacity_queues():
    full = team(10, "branch", person(1, load=5), person(2, load=5))
    decision = route(unlinked(account_team=full))
    assert decision.queued and decision.team_id == 10 and decision.assignee_id is None


def test_no_team_at_all():
    decision = route(
        RoutingInput(topic="general", account_owner_level="regional", account_team=None)
    )
    assert decision.reason == Reason.NO_TEAM


def test_returning_customer_goes_back_to_their_person_when_available():
    decision = route(unlinked(previous_assignee=person(2), previous_team=BRANCH))
    assert (decision.reason, decision.assignee_id, decision.notify_employee_id) == (
        Reason.RETURNING,
        2,
        None,
    )


def test_returning_customer_rerouted_and_the_person_told():
    decision = route(unlinked(previous_assignee=person(2, presence="away"), previous_team=BRANCH))
    assert decision.reason == Reason.ACCOUNT_OWNER
    assert decision.assignee_id == 1
    assert decision.notify_employee_id == 2


def test_fair_rotation_over_a_thousand_conversations():
    members = {pk: person(pk, capacity=10_000) for pk in (1, 2, 3, 4, 5, 6, 7)}
    counts: Counter[int] = Counter()
    now = T0
    for _ in range(1000):
        chosen = pick_fairly(list(members.values()))
        assert chosen is not None
        counts[chosen.employee_id] += 1
        now += timedelta(seconds=1)
        members[chosen.employee_id] = replace(
            chosen, last_assigned_at=now, open_conversations=chosen.open_conversations + 1
        )
    assert max(counts.values()) - min(counts.values()) <= 1
    assert sum(counts.values()) == 1000


def test_fair_rotation_skips_the_ineligible():
    members = [person(1, last=T0), person(2, presence="away"), person(3, last=T0 - timedelta(1))]
    assert pick_fairly(members).employee_id == 3
    assert pick_fairly([person(1, presence="away")]) is None


def test_queue_is_first_in_first_out():
    waiting = [("c", T0 + timedelta(minutes=2)), ("a", T0), ("b", T0 + timedelta(minutes=1))]
    assert next_in_queue(waiting) == "a"
    assert next_in_queue([]) is None
