from __future__ import annotations

from typing import Literal, get_args

from mockserver.schemas.common import Wire

# What an upload may ask for; the *_output/-results purposes are given only to files the server writes.
UploadPurpose = Literal["assistants", "batch", "fine-tune", "vision", "user_data", "evals"]
FilePurpose = Literal[
    "assistants", "assistants_output", "batch", "batch_output", "fine-tune", "fine-tune-results", "vision",
    "user_data", "evals",
]  # fmt: skip
UPLOAD_PURPOSES: tuple[str, ...] = get_args(UploadPurpose)


class FileObject(Wire):
    id: str
    object: Literal["file"] = "file"
    bytes: int
    created_at: int
    filename: str
    purpose: FilePurpose
    status: Literal["uploaded", "processed", "error"] = "processed"
    status_details: str | None = None
    expires_at: int | None = None
