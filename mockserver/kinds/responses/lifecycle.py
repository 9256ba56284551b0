"""Responses: with `background: true`, `queued` → `in_progress` → `completed` | `failed` | `incomplete`, and
`cancelled` by a cancel from `queued` or `in_progress`; without it, answered at once (no transition, no webhook).

Each response keeps the stream events that its life produced, numbered by `sequence_number`, so that a stream can
be sent, or resumed `starting_after` an event, at any time; a change wakes the streams waiting for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mockserver.errors import APIError, InvalidRequestError, NotFoundError
from mockserver.kinds.responses.output import cut, input_items, input_text, tokens
from mockserver.kinds.responses.schemas import (
    CreateResponse,
    IncompleteDetails,
    InputMessage,
    OutputMessage,
    OutputText,
    Reasoning,
    Response,
    ResponseError,
    ResponseUsage,
    TextConfig,
    function_tools,
)
from mockserver.kinds.responses.stream_events import StreamEvent, message_events, snapshot
from mockserver.kinds.responses.watchers import Watchers
from mockserver.lifecycles.base import Entry, Lifecycle
from mockserver.lifecycles.machine import StateMachine, UserAction

MACHINE = StateMachine(
    edges={
        "queued": ("in_progress", "cancelled"),
        "in_progress": ("completed", "failed", "incomplete", "cancelled"),
    },
    terminal=frozenset({"completed", "failed", "incomplete", "cancelled"}),
    actions={"cancel": UserAction("cancelled", "cancelled", ("queued", "in_progress"))},
)

# How much longer a discounted completion window keeps a response queued than `soonest` (×`response.queued`): with
# the default 2 s, half an hour for `2h` and two hours for `8h`, well inside each window.
QUEUE_STRETCH = {"soonest": 1.0, "2h": 900.0, "8h": 3600.0}

# The tool choices that name the tool they force.
NAMED_TOOL_CHOICES = ("function", "custom", "mcp")

FAILURE = ResponseError(
    code="server_error",
    message="An error occurred while processing your request. You can retry your request, or contact us through our "
    "help center at help.openai.com if the error persists.",
)


def _echoed_choice(choice: str | dict[str, Any] | None) -> str | dict[str, Any]:
    """The tool choice as the response shows it: a mode, or a function or custom tool by name; the mock checks no
    other shape of tool choice, so it answers those as `auto` rather than echo what the real API might refuse."""
    if isinstance(choice, str):
        return choice
    if choice is not None and choice.keys() == {"type", "name"} and choice["type"] in ("function", "custom"):
        return choice
    return "auto"


@dataclass(kw_only=True)
class _Response(Entry[Response]):
    text: str  # what the model "says" when nothing cuts it short
    input_tokens: int
    items: list[InputMessage]
    window: str
    events: list[StreamEvent] = field(default_factory=list)


class ResponseLifecycle(Lifecycle[Response, _Response]):
    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.watchers = Watchers()

    def not_found(self, object_id: str) -> APIError:
        return NotFoundError(f"Response with id '{object_id}' not found.", param="response_id")

    # -- the API -----------------------------------------------------------------------------------------------------

    def create(
        self, project: str, request: CreateResponse, *, scenario: str | None = None, response_id: str | None = None
    ) -> tuple[Response, list[StreamEvent]]:
        """A new response, and the events its stream has so far (all of them for one answered at once)."""
        scenario = self.scenario(scenario, request.metadata)
        self._check(project, request)
        at = self._rt.now()
        background = bool(request.background)
        response = Response(
            id=response_id or self.kind.new_id(self._rt.ids),
            created_at=int(at),
            status="queued" if background else "in_progress",
            background=background,
            instructions=request.instructions,
            max_output_tokens=request.max_output_tokens,
            max_tool_calls=request.max_tool_calls,
            model=request.model,
            parallel_tool_calls=True if request.parallel_tool_calls is None else request.parallel_tool_calls,
            previous_response_id=request.previous_response_id,
            reasoning=Reasoning.model_validate(
                request.reasoning.model_dump(exclude_none=True) if request.reasoning else {}
            ),
            safety_identifier=request.safety_identifier,
            prompt_cache_key=request.prompt_cache_key,
            service_tier=request.service_tier or "default",
            store=True if request.store is None else request.store,
            temperature=1.0 if request.temperature is None else request.temperature,
            text=TextConfig.model_validate(
                request.text.model_dump(exclude_none=True, by_alias=True) if request.text else {}
            ),
            tool_choice=_echoed_choice(request.tool_choice),
            tools=function_tools(request.tools),
            top_logprobs=request.top_logprobs or 0,
            top_p=1.0 if request.top_p is None else request.top_p,
            truncation=request.truncation or "disabled",
            user=request.user,
            metadata=request.metadata or {},
        )
        entry = _Response(
            obj=response,
            project=project,
            scenario=scenario,
            text=self._rt.fakes.faker.paragraph(nb_sentences=4),
            input_tokens=tokens(input_text(request)),
            items=input_items(request, self._rt.ids),
            window=request.background_options.completion_window if request.background_options else "soonest",
        )
        self._log(entry, snapshot("response.created", response))
        if background:
            self._log(entry, snapshot("response.queued", response))
            self._add(entry)
            if scenario != "stall":
                self._after_queue(entry, at)
            return response, list(entry.events)
        # Answered at once: the same events a stream of it shows, and no transition (the real API sends no webhook).
        self._log(entry, snapshot("response.in_progress", response))
        self._finish(entry, self._outcome(entry), at, {})
        if response.store:
            self._add(entry)
        return response, list(entry.events)

    def seed(self, project: str, fields: dict[str, Any], *, object_id: str | None, scenario: str | None) -> Response:
        return self.create(project, CreateResponse.model_validate(fields), scenario=scenario, response_id=object_id)[0]

    def create_for_trigger(self, project: str) -> Response:
        request = CreateResponse(model="gpt-4o-mini", input=self._rt.fakes.faker.sentence(nb_words=8), background=True)
        return self.create(project, request, scenario="succeed")[0]

    def cancel(self, project: str, response_id: str) -> Response:
        response = self.get(project, response_id)
        if not response.background:
            raise InvalidRequestError(
                "Only responses created with background=true can be cancelled.", param="response_id"
            )
        if response.status == "cancelled":
            return response  # a second cancel answers the cancelled response again, as the real API does
        return self.act(project, response_id, "cancel")

    def delete(self, project: str, response_id: str) -> None:
        self.get(project, response_id)
        self._remove(project, response_id)
        self.watchers.notify()

    def items(self, project: str, response_id: str) -> list[InputMessage]:
        self.get(project, response_id)
        return self._entries[response_id].items

    def events(self, project: str, response_id: str) -> list[StreamEvent]:
        """The events of the response's stream so far (the list grows as it lives)."""
        self.get(project, response_id)
        return self._entries[response_id].events

    def is_live(self, response_id: str) -> bool:
        """Whether the response is still here and may yet change (a stream of it should wait)."""
        entry = self._entries.get(response_id)
        return entry is not None and not self.kind.machine.is_terminal(entry.obj.status)

    # -- checks ------------------------------------------------------------------------------------------------------

    def _check(self, project: str, request: CreateResponse) -> None:
        if request.background and request.store is False:
            raise InvalidRequestError("Background responses require store=true.", param="store")
        window = request.background_options.completion_window if request.background_options else "soonest"
        if window != "soonest" and not request.background:
            raise InvalidRequestError(
                f"background_options.completion_window '{window}' requires background=true.",
                param="background_options.completion_window",
            )
        if window != "soonest" and request.stream:
            raise InvalidRequestError(
                f"background_options.completion_window '{window}' cannot be used with stream=true.",
                param="background_options.completion_window",
            )
        choice = request.tool_choice
        if (
            isinstance(choice, dict)
            and choice.get("type") in NAMED_TOOL_CHOICES
            and not isinstance(choice.get("name"), str)
        ):
            # What the real API refuses too; the mock checks no other nested shape of tools (it runs none).
            raise InvalidRequestError(
                "Invalid 'tool_choice.name': expected the name of the tool, as a string.",
                param="tool_choice.name",
                code="invalid_type",
            )
        previous = request.previous_response_id
        if previous is not None and self.objects.get(project, previous) is None:
            raise NotFoundError(
                f"Previous response with id '{previous}' not found.",
                param="previous_response_id",
                code="previous_response_not_found",
            )

    # -- timers and outcomes -----------------------------------------------------------------------------------------

    def _after_queue(self, entry: _Response, at: float) -> None:
        due = at + self._rt.phases["response.queued"] * QUEUE_STRETCH[entry.window]
        self._schedule(entry, due, lambda e, when: self._move(e, "in_progress", when))

    def _outcome(self, entry: _Response) -> str:
        if entry.scenario == "fail":
            return "failed"
        limit = entry.obj.max_output_tokens
        if entry.scenario == "incomplete" or (limit is not None and tokens(entry.text) > limit):
            return "incomplete"
        return "completed"

    def _enter(self, entry: _Response, source: str, target: str, at: float, details: dict[str, Any]) -> None:
        if target == "in_progress":
            self._log(entry, snapshot("response.in_progress", entry.obj))
            self._after_phase(entry, "response.in_progress", at, lambda e, when: self._move(e, self._outcome(e), when))
        elif target in ("completed", "failed", "incomplete"):
            self._finish(entry, target, at, details)
        self.watchers.notify()  # a cancel too: its stream ends

    def _finish(self, entry: _Response, target: str, at: float, details: dict[str, Any]) -> None:
        """Write the outcome: the message (whole or cut short), usage, the error, and the stream's last events."""
        response = entry.obj
        response.status = target  # type: ignore[assignment]
        if target == "failed":
            response.error = ResponseError.model_validate(details.get("error") or FAILURE)
            self._log(entry, snapshot("response.failed", response))
            return
        text = entry.text
        if target == "incomplete":
            reason = details.get("incomplete_details") or IncompleteDetails(reason="max_output_tokens")
            response.incomplete_details = IncompleteDetails.model_validate(reason)
            limit = response.max_output_tokens or tokens(text) // 2
            text = cut(text, limit) if response.incomplete_details.reason == "max_output_tokens" else ""
        message = OutputMessage(
            id=self._rt.ids.hex("msg_", 48),
            status="completed" if target == "completed" else "incomplete",
            content=[OutputText(text=text)] if text else [],
        )
        output_tokens = tokens(text) if text else 0
        response.output = [message]
        response.usage = ResponseUsage(
            input_tokens=entry.input_tokens,
            output_tokens=output_tokens,
            total_tokens=entry.input_tokens + output_tokens,
        )
        if target == "completed":
            response.completed_at = int(at)
        if text:
            for event in message_events(message):
                self._log(entry, event)
        self._log(entry, snapshot(f"response.{target}", response))

    def _log(self, entry: _Response, event: StreamEvent) -> None:
        event.sequence_number = len(entry.events)
        entry.events.append(event)
