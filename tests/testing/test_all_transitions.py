"""`add_webhook_endpoint(..., all_transitions=True)`: the receiver gets every state change as `mock.transition`,
and the receiver helpers find `video.*` events, which have no SDK class."""

from __future__ import annotations

import pytest

from mockserver.testing import InProcessMock

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # the SDK marks the Sora API deprecated


def test_a_receiver_that_asked_sees_every_state_change_and_one_that_did_not_only_the_outcome() -> None:
    with InProcessMock(clock="manual") as mock:
        watching, plain = mock.receiver(), mock.receiver()
        endpoint = mock.add_webhook_endpoint(watching, all_transitions=True)
        assert endpoint["all_transitions"] is True
        assert mock.add_webhook_endpoint(plain)["all_transitions"] is False
        with mock.client(_strict_response_validation=True) as client:
            video = client.videos.create(prompt="x")
            mock.advance(60)
        steps = watching.assert_received("mock.transition", object_id=video.id, count=2)
        assert [(e.data.to_dict()["from"], e.data.to_dict()["to"]) for e in steps] == [
            ("queued", "in_progress"), ("in_progress", "completed")
        ]  # fmt: skip
        watching.assert_received("video.completed", object_id=video.id, count=1)
        assert [e.type for e in plain.events] == ["video.completed"]
        assert plain.wait_for("video.completed", object_id=video.id).id == plain.events[0].id
