"""Videos: the video job, its error, the create/remix/edit/extend requests, characters and the forced transition."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from mockserver.schemas.common import RequestBody, Wire
from mockserver.schemas.control import ForceTransition

VideoStatus = Literal["queued", "in_progress", "completed", "failed"]
VideoSeconds = Literal["4", "8", "12"]
VideoSize = Literal["720x1280", "1280x720", "1024x1792", "1792x1024"]
# The SDK's `VideoModel` is an open string with these known values; the create request takes the two names.
VideoModel = Literal["sora-2", "sora-2-pro"]
Prompt = Annotated[str, Field(min_length=1, max_length=32000)]


class VideoError(BaseModel):
    code: str
    message: str


class Video(Wire):
    id: str
    object: Literal["video"] = "video"
    model: str
    status: VideoStatus
    progress: int = 0
    created_at: int
    completed_at: int | None = None
    expires_at: int | None = None
    prompt: str | None = None
    size: str
    seconds: str
    remixed_from_video_id: str | None = None
    error: VideoError | None = None


class ImageReference(RequestBody):
    """`input_reference` given as an object rather than an upload: an uploaded file's id or an image URL."""

    file_id: str | None = None
    image_url: str | None = None


class CreateVideo(RequestBody):
    prompt: Prompt
    model: VideoModel = "sora-2"
    seconds: VideoSeconds = "4"
    size: VideoSize = "720x1280"
    # An upload (multipart) is read and checked by the route; the object form is this.
    input_reference: ImageReference | None = None


class RemixVideo(RequestBody):
    prompt: Prompt


class VideoReference(RequestBody):
    id: str


class EditVideo(RequestBody):
    prompt: Prompt
    video: VideoReference | None = None  # None: an upload, which the route read


class ExtendVideo(RequestBody):
    prompt: Prompt
    # The spec's and the SDK's type; their description also names 16 and 20, which neither admits.
    seconds: VideoSeconds
    video: VideoReference | None = None


class CreateCharacter(RequestBody):
    name: Annotated[str, Field(min_length=1, max_length=80)]


class VideoCharacter(BaseModel):
    id: str | None
    name: str | None
    created_at: int


class VideoDeleted(BaseModel):
    id: str
    object: Literal["video.deleted"] = "video.deleted"
    deleted: bool = True


class ForceVideoTransition(ForceTransition):
    error: VideoError | None = None
