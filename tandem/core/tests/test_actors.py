from tandem.core.actors import ANONYMOUS, Actor, Grant


def test_scope_paths_are_minimal_and_cover_subtrees():
    actor = Actor(
        user_id=1,
        grants=(
            Grant("advisor", 3, "/1/2/3/"),
            Grant("branch_manager", 2, "/1/2/"),
            Grant("advisor", 9, "/1/9/"),
        ),
    )
    assert actor.scope_paths() == ("/1/2/", "/1/9/")
    assert actor.scope_paths(["advisor"]) == ("/1/2/3/", "/1/9/")
    assert actor.covers("/1/2/3/44/")
    assert not actor.covers("/1/20/")  # a prefix of digits is not an ancestor
    assert actor.has_role("advisor", path="/1/9/10/")
    assert not actor.has_role("branch_manager", path="/1/9/10/")


def test_no_grant_means_no_rows():
    assert str(ANONYMOUS.scope_q()) == str(Actor(user_id=None).scope_q())
    assert "pk__in" in str(ANONYMOUS.scope_q())
    assert not ANONYMOUS.is_authenticated


def test_remember_computes_once_per_actor_and_is_not_part_of_the_value():
    calls = []
    actor = Actor(user_id=1, employee_id=2)
    assert actor.remember("teams", lambda: calls.append(1) or [7]) == [7]
    assert actor.remember("teams", lambda: calls.append(1) or [8]) == [7]
    assert calls == [1]
    other = Actor(user_id=1, employee_id=2)
    assert other == actor
    assert hash(other) == hash(actor)
    assert other.remember("teams", lambda: [9]) == [9]
