"""The move tables: every allowed move goes where it says, every other one is refused by name."""

from __future__ import annotations

import pytest

from publisher.core.states import (
    DELIVERY_MOVES,
    POST_MOVES,
    DeliveryStatus,
    InvalidTransition,
    PostStatus,
    next_delivery_status,
    next_post_status,
)

POST_CASES = [(action, state) for action in POST_MOVES for state in PostStatus]
DELIVERY_CASES = [(action, state) for action in DELIVERY_MOVES for state in DeliveryStatus]


@pytest.mark.parametrize(("action", "state"), POST_CASES)
def test_post_moves(action, state):
    if state in POST_MOVES[action]:
        assert next_post_status(state, action) == POST_MOVES[action][state]
    else:
        with pytest.raises(InvalidTransition) as info:
            next_post_status(state, action, record="post 7")
        assert info.value.message.startswith(f"post 7 is {state}; '{action}' is allowed only from:")
        assert info.value.status == 409


@pytest.mark.parametrize(("action", "state"), DELIVERY_CASES)
def test_delivery_moves(action, state):
    if state in DELIVERY_MOVES[action]:
        assert next_delivery_status(state, action) == DELIVERY_MOVES[action][state]
    else:
        with pytest.raises(InvalidTransition):
            next_delivery_status(state, action)


def test_the_workflow_named_in_the_design():
    assert next_post_status("draft", "submit") == "pending_approval"
    assert next_post_status("pending_approval", "approve") == "scheduled"
    assert next_post_status("scheduled", "edit") == "pending_approval"
    assert next_post_status("rejected", "edit") == "draft"
    for final in ("published", "cancelled", "publishing"):
        with pytest.raises(InvalidTransition):
            next_post_status(final, "edit")


def test_an_unknown_move_is_a_programming_error():
    with pytest.raises(ValueError, match="no such move"):
        next_post_status("draft", "publish_now")
