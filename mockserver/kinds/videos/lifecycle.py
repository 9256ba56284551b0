"""Videos: `queued` → `in_progress` (with `progress` rising in steps across the phase) → `completed` | `failed`.
No cancel: a video that is not wanted is deleted. Remixes, edits and extensions are new videos made from a
completed one; characters are kept as named, nothing more."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mockserver.errors import APIError, InvalidRequestError, NotFoundError
from mockserver.kinds.videos.media import Variant, content
from mockserver.kinds.videos.schemas import (
    CreateVideo,
    Video,
    VideoCharacter,
    VideoDeleted,
    VideoError,
)
from mockserver.lifecycles.base import Entry, Lifecycle
from mockserver.lifecycles.machine import StateMachine
from mockserver.store import Collection

if TYPE_CHECKING:
    from mockserver.files import Files
    from mockserver.kinds.kind import Kind
    from mockserver.lifecycles.runtime import Runtime

MACHINE = StateMachine(
    edges={"queued": ("in_progress", "failed"), "in_progress": ("completed", "failed")},
    terminal=frozenset({"completed", "failed"}),
)
PROGRESS_STEPS = 10
# How long a completed video's assets can be downloaded (OpenAI's guide: up to an hour after generation).
ASSETS_SECONDS = 3600
FAILURE = VideoError(
    code="video_generation_failed", message="Video generation failed due to an internal error. Please try again."
)
TRIGGER_PROMPT = "A calico cat playing a piano on stage"


@dataclass(kw_only=True)
class _Video(Entry[Video]):
    in_progress_started: float = 0.0
    steps_done: int = 0


class VideoLifecycle(Lifecycle[Video, _Video]):
    def __init__(self, kind: Kind, runtime: Runtime, files: Files) -> None:
        super().__init__(kind, runtime, files)
        self.characters: Collection[VideoCharacter] = Collection()

    def not_found(self, object_id: str) -> APIError:
        return NotFoundError(f"Video with id '{object_id}' not found.", param="video_id", code="video_not_found")

    # -- the API -----------------------------------------------------------------------------------------------------

    def create(
        self,
        project: str,
        request: CreateVideo,
        *,
        scenario: str | None = None,
        video_id: str | None = None,
        remixed_from: str | None = None,
    ) -> Video:
        scenario = self.scenario(scenario, None)
        if request.input_reference is not None and request.input_reference.file_id is not None:
            if self._files.find(project, request.input_reference.file_id) is None:
                raise InvalidRequestError(
                    f"No such File object: {request.input_reference.file_id}", param="input_reference.file_id"
                )
        return self._start(
            project,
            scenario,
            video_id=video_id,
            model=request.model,
            prompt=request.prompt,
            size=request.size,
            seconds=request.seconds,
            remixed_from=remixed_from,
        )

    def _start(
        self,
        project: str,
        scenario: str,
        *,
        video_id: str | None,
        model: str,
        prompt: str,
        size: str,
        seconds: str,
        remixed_from: str | None,
    ) -> Video:
        at = self._rt.now()
        video = Video(
            id=video_id or self.kind.new_id(self._rt.ids),
            model=model,
            status="queued",
            created_at=int(at),
            prompt=prompt,
            size=size,
            seconds=seconds,
            remixed_from_video_id=remixed_from,
        )
        entry = _Video(obj=video, project=project, scenario=scenario)
        self._add(entry)
        if scenario != "stall":
            self._after_phase(entry, "video.queued", at, lambda e, when: self._move(e, "in_progress", when))
        return video

    def completed(self, project: str, video_id: str, param: str = "video_id") -> Video:
        """A video that others are made from (remix, edit, extend) or downloaded: refused unless it completed."""
        video = self.get(project, video_id)
        if video.status != "completed":
            raise InvalidRequestError(
                f"Video {video_id} is not completed: its status is '{video.status}'. "
                "Only completed videos can be downloaded, remixed, edited or extended.",
                param=param,
            )
        return video

    def derive(
        self,
        project: str,
        source_id: str,
        prompt: str,
        *,
        param: str,
        seconds: str | None = None,
        remix: bool,
        scenario: str | None = None,
    ) -> Video:
        """A new video made from a completed one: a remix, an edit (same length) or an extension (longer)."""
        source = self.completed(project, source_id, param)
        return self._start(
            project,
            self.scenario(scenario, None),
            video_id=None,
            model=source.model,
            prompt=prompt,
            size=source.size,
            seconds=source.seconds if seconds is None else str(int(source.seconds) + int(seconds)),
            remixed_from=source.id if remix else None,
        )

    def from_upload(self, project: str, prompt: str, seconds: str, *, scenario: str | None = None) -> Video:
        """An edit or extension of an uploaded video: nothing is read from it, the result has the default size."""
        return self._start(
            project,
            self.scenario(scenario, None),
            video_id=None,
            model="sora-2",
            prompt=prompt,
            size="720x1280",
            seconds=seconds,
            remixed_from=None,
        )

    def delete(self, project: str, video_id: str) -> VideoDeleted:
        self.get(project, video_id)
        self._remove(project, video_id)
        return VideoDeleted(id=video_id)

    def download(self, project: str, video_id: str, variant: Variant) -> bytes:
        video = self.completed(project, video_id)
        return content(variant, int(video.seconds))

    def create_character(self, project: str, name: str) -> VideoCharacter:
        character = VideoCharacter(id=self._rt.ids.hex("char_", 32), name=name, created_at=int(self._rt.now()))
        self.characters.add(project, character.id or "", character)
        return character

    def get_character(self, project: str, character_id: str) -> VideoCharacter:
        character = self.characters.get(project, character_id)
        if character is None:
            raise NotFoundError(
                f"Character with id '{character_id}' not found.", param="character_id", code="character_not_found"
            )
        return character

    def seed(self, project: str, fields: dict[str, Any], *, object_id: str | None, scenario: str | None) -> Video:
        return self.create(project, CreateVideo.model_validate(fields), scenario=scenario, video_id=object_id)

    def create_for_trigger(self, project: str) -> Video:
        return self.create(project, CreateVideo(prompt=TRIGGER_PROMPT))

    # -- timers ------------------------------------------------------------------------------------------------------

    def _schedule_step(self, entry: _Video) -> None:
        phase = self._rt.phases["video.in_progress"]
        due = entry.in_progress_started + phase * (entry.steps_done + 1) / PROGRESS_STEPS
        self._schedule(entry, due, self._step)

    def _step(self, entry: _Video, at: float) -> None:
        entry.steps_done += 1
        if entry.steps_done < PROGRESS_STEPS:
            entry.obj.progress = 100 * entry.steps_done // PROGRESS_STEPS
            self._schedule_step(entry)
        elif entry.scenario == "fail":
            self._move(entry, "failed", at)
        else:
            self._move(entry, "completed", at)

    # -- what each status does ---------------------------------------------------------------------------------------

    def _enter(self, entry: _Video, source: str, target: str, at: float, details: dict[str, Any]) -> None:
        video = entry.obj
        if target == "in_progress":
            entry.in_progress_started = at
            video.progress = 0
            self._schedule_step(entry)
        elif target == "completed":
            video.progress = 100
            video.completed_at = int(at)
            video.expires_at = int(at) + ASSETS_SECONDS
        elif target == "failed":
            error = details.get("error")
            video.error = FAILURE if error is None else VideoError.model_validate(error)
