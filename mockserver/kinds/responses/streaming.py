"""A response's stream as Server-Sent Events: what has happened so far, then, for a background response that is not
finished, each new event as its life produces it.

Pacing: events are produced by the response's transitions on the server clock, so on the manual clock a stream
sends what is due and waits until `/_mock/clock/advance` (or a cancel, or a forced transition) moves the response
on; the whole message (its deltas) arrives with the transition that finishes it. The stream ends when the response
is finished, cancelled, deleted, or the server is reset (checked every `RECHECK` seconds of waiting)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence

from starlette.responses import StreamingResponse

from mockserver.clock import wait
from mockserver.errors import APIError
from mockserver.kinds.responses.lifecycle import ResponseLifecycle
from mockserver.kinds.responses.stream_events import StreamEvent

# Real seconds a waiting stream sleeps at most before it checks that its server was not reset meanwhile.
RECHECK = 1.0


def event_stream(body: AsyncIterator[bytes]) -> StreamingResponse:
    return StreamingResponse(body, media_type="text/event-stream", headers={"cache-control": "no-cache"})


async def replay(events: Sequence[StreamEvent]) -> AsyncIterator[bytes]:
    """A stream whose events are all known (a response answered at once)."""
    for event in events:
        yield event.sse()


async def follow(
    lifecycle: ResponseLifecycle, current: Callable[[], ResponseLifecycle], project: str, response_id: str, sent: int
) -> AsyncIterator[bytes]:
    """The events of a background response from number `sent` on, as they come; `current` is the app's lifecycle of
    responses now (another one after a reset, which ends this stream)."""
    with lifecycle.watchers.watching() as wakeup:
        while current() is lifecycle:
            wakeup.clear()
            try:
                events = lifecycle.events(project, response_id)
            except APIError:
                return  # deleted meanwhile
            for event in events[sent:]:
                yield event.sse()
            sent = len(events)
            if not lifecycle.is_live(response_id):
                return
            await wait(wakeup, RECHECK)
