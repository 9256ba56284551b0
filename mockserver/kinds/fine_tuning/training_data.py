"""Reading a fine-tuning file as the real service does in `validating_files`: format, examples, tokens.

Problems are not raised here: they are returned as the `error` a job fails with when validation ends, because the
real API accepts the create request and fails the job later.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from mockserver.kinds.fine_tuning.schemas import JobError
from mockserver.validation import loads

MIN_EXAMPLES = 10
_ROLES = {"system", "developer", "user", "assistant", "tool", "function"}


@dataclass(frozen=True)
class TrainingData:
    examples: int
    tokens: int
    error: JobError | None = None


def _estimate_tokens(value: Any) -> int:
    """About four characters a token: what matters is that bigger files cost more, not the exact tokenizer."""
    if isinstance(value, str):
        return max(1, len(value) // 4)
    if isinstance(value, list):
        return sum(_estimate_tokens(item) for item in value)
    if isinstance(value, dict):
        return sum(_estimate_tokens(item) for item in value.values()) + 1
    return 0


def _check_messages(messages: Any, *, need_assistant: bool) -> str | None:
    if not isinstance(messages, list) or not messages:
        return "'messages' must be a non-empty array"
    for index, message in enumerate(messages):
        if not isinstance(message, dict):
            return f"message {index} is not an object"
        role = message.get("role")
        if role not in _ROLES:
            return f"message {index} has an invalid role {json.dumps(role)}"
        if "content" not in message and "tool_calls" not in message and "function_call" not in message:
            return f"message {index} has no 'content'"
    if need_assistant and not any(message.get("role") == "assistant" for message in messages):
        return "it has no message with role 'assistant'"
    return None


def _example_problem(example: dict[str, Any], method: str, legacy_completions: bool) -> str | None:
    if legacy_completions:
        if not isinstance(example.get("prompt"), str) or not isinstance(example.get("completion"), str):
            return "it must have string 'prompt' and 'completion' keys"
        return None
    if method == "dpo":
        given = example.get("input")
        if not isinstance(given, dict):
            return "it must have an 'input' object with 'messages'"
        problem = _check_messages(given.get("messages"), need_assistant=False)
        if problem:
            return problem
        for key in ("preferred_output", "non_preferred_output"):
            problem = _check_messages(example.get(key), need_assistant=True)
            if problem:
                return f"'{key}': {problem}"
        return None
    return _check_messages(example.get("messages"), need_assistant=method == "supervised")


def _invalid(file_id: str, param: str, detail: str) -> JobError:
    kind = "training" if param == "training_file" else "validation"
    return JobError(
        code=f"invalid_{kind}_file",
        message=f"The job failed due to an invalid {kind} file. Invalid file format. {detail}",
        param=param,
    )


def inspect_file(content: bytes, *, file_id: str, method: str, model: str, param: str) -> TrainingData:
    legacy_completions = model in ("babbage-002", "davinci-002")
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return TrainingData(0, 0, _invalid(file_id, param, f"Input file {file_id} is not valid UTF-8 text."))
    examples = tokens = 0
    for line_number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            example = loads(line)
        except ValueError:
            return TrainingData(0, 0, _invalid(file_id, param, f"Line {line_number} is not valid JSON."))
        if not isinstance(example, dict):
            return TrainingData(0, 0, _invalid(file_id, param, f"Line {line_number} is not a JSON object."))
        if method == "dpo" and "messages" in example and "input" not in example:
            # The real message, trailing space included.
            return TrainingData(0, 0, JobError(
                code=f"invalid_{'training' if param == 'training_file' else 'validation'}_file",
                message=(
                    "The job failed due to an invalid training file. Invalid file format. Input file "
                    f"{file_id} is in the fine-tune-chat format, but the specified fine-tuning job is not using "
                    "'supervised' as the training method (provided method=dpo). "
                ),
                param=param,
            ))  # fmt: skip
        problem = _example_problem(example, method, legacy_completions)
        if problem:
            return TrainingData(
                0, 0, _invalid(file_id, param, f"Example {examples + 1} (line {line_number}): {problem}.")
            )
        examples += 1
        tokens += _estimate_tokens(example)
    if param == "training_file" and examples < MIN_EXAMPLES:
        return TrainingData(examples, tokens, JobError(
            code="invalid_n_examples",
            message=f"Training file has {examples} example(s), but must have at least {MIN_EXAMPLES} examples",
            param="training_file",
        ))  # fmt: skip
    return TrainingData(examples, tokens)
