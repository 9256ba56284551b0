from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mockserver.errors import InvalidRequestError
from mockserver.http import SCENARIO_HEADER, answer, answer_kept, answer_kept_list, project, read_body, services
from mockserver.kinds.videos.form import read_form_or_json
from mockserver.kinds.videos.lifecycle import VideoLifecycle
from mockserver.kinds.videos.media import CONTENT_TYPES, VARIANTS
from mockserver.kinds.videos.schemas import CreateCharacter, CreateVideo, EditVideo, ExtendVideo, RemixVideo
from mockserver.pagination import cursor_list, read_choice, read_order


def videos(request: Request) -> VideoLifecycle:
    return services(request).lifecycle(VideoLifecycle)


def _scenario(request: Request) -> str | None:
    """The outcome a create asks for (remixes, edits and extensions are creates too)."""
    return request.headers.get(SCENARIO_HEADER)


def _missing(name: str) -> InvalidRequestError:
    return InvalidRequestError(f"Missing required parameter: '{name}'.", param=name, code="missing_required_parameter")


async def create_video(request: Request) -> Response:
    body = await read_form_or_json(request, CreateVideo, files=("input_reference",))
    if "input_reference" in body.uploads and body.fields.input_reference is not None:
        raise InvalidRequestError(
            "Give 'input_reference' as an upload or as an object, not both.", param="input_reference"
        )
    lifecycle = videos(request)
    return answer(lifecycle.create(project(request), body.fields, scenario=_scenario(request)))


async def list_videos(request: Request) -> Response:
    query = request.query_params
    order = read_order(query, default="desc")
    items = videos(request).objects
    listed = items.newest_first(project(request)) if order == "desc" else items.oldest_first(project(request))
    return answer_kept_list(request, cursor_list(listed, query))


async def retrieve_video(request: Request) -> Response:
    return answer_kept(request, videos(request).get(project(request), request.path_params["video_id"]))


async def delete_video(request: Request) -> Response:
    return answer(videos(request).delete(project(request), request.path_params["video_id"]))


async def video_content(request: Request) -> Response:
    variant = read_choice(request.query_params, "variant", VARIANTS, "video") or "video"
    chosen = next(v for v in VARIANTS if v == variant)
    data = videos(request).download(project(request), request.path_params["video_id"], chosen)
    return Response(data, media_type=CONTENT_TYPES[chosen])


async def remix_video(request: Request) -> Response:
    body = await read_body(request, RemixVideo)
    source = request.path_params["video_id"]
    derived = videos(request).derive(
        project(request), source, body.prompt, param="video_id", remix=True, scenario=_scenario(request)
    )
    return answer(derived)


async def edit_video(request: Request) -> Response:
    body = await read_form_or_json(request, EditVideo, files=("video",))
    lifecycle, fields = videos(request), body.fields
    if fields.video is not None:
        derived = lifecycle.derive(
            project(request), fields.video.id, fields.prompt, param="video.id", remix=False, scenario=_scenario(request)
        )
        return answer(derived)
    if "video" not in body.uploads:
        raise _missing("video")
    return answer(lifecycle.from_upload(project(request), fields.prompt, "4", scenario=_scenario(request)))


async def extend_video(request: Request) -> Response:
    body = await read_form_or_json(request, ExtendVideo, files=("video",))
    lifecycle, fields = videos(request), body.fields
    if fields.video is not None:
        derived = lifecycle.derive(
            project(request),
            fields.video.id,
            fields.prompt,
            param="video.id",
            seconds=fields.seconds,
            remix=False,
            scenario=_scenario(request),
        )
        return answer(derived)
    if "video" not in body.uploads:
        raise _missing("video")
    return answer(lifecycle.from_upload(project(request), fields.prompt, fields.seconds, scenario=_scenario(request)))


async def create_character(request: Request) -> Response:
    body = await read_form_or_json(request, CreateCharacter, files=("video",))
    if "video" not in body.uploads:
        raise _missing("video")
    return answer(videos(request).create_character(project(request), body.fields.name))


async def get_character(request: Request) -> Response:
    return answer_kept(request, videos(request).get_character(project(request), request.path_params["character_id"]))


routes: list[Route] = [
    Route("/videos", create_video, methods=["POST"]),
    Route("/videos", list_videos, methods=["GET"]),
    Route("/videos/edits", edit_video, methods=["POST"]),
    Route("/videos/extensions", extend_video, methods=["POST"]),
    Route("/videos/characters", create_character, methods=["POST"]),
    Route("/videos/characters/{character_id}", get_character, methods=["GET"]),
    Route("/videos/{video_id}", retrieve_video, methods=["GET"]),
    Route("/videos/{video_id}", delete_video, methods=["DELETE"]),
    Route("/videos/{video_id}/content", video_content, methods=["GET"]),
    Route("/videos/{video_id}/remix", remix_video, methods=["POST"]),
]
