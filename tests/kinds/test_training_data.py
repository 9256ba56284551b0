from __future__ import annotations

import json

from mockserver.kinds.fine_tuning.training_data import TrainingData, inspect_file
from tests.conftest import FIXTURES


def _inspect(content: bytes, method: str = "supervised", model: str = "gpt-4o-mini-2024-07-18") -> TrainingData:
    return inspect_file(content, file_id="file-abc", method=method, model=model, param="training_file")


def test_a_valid_chat_file_counts_examples_and_tokens() -> None:
    data = _inspect((FIXTURES / "training" / "valid.jsonl").read_bytes())
    assert data.error is None
    assert data.examples == 12
    assert data.tokens > 12


def test_too_few_examples_fail_with_the_real_message() -> None:
    data = _inspect((FIXTURES / "training" / "too_few.jsonl").read_bytes())
    assert data.error is not None
    assert data.error.code == "invalid_n_examples"
    assert data.error.message == "Training file has 7 example(s), but must have at least 10 examples"
    assert data.error.param == "training_file"


def test_malformed_json_names_the_line() -> None:
    data = _inspect((FIXTURES / "training" / "malformed.jsonl").read_bytes())
    assert data.error is not None
    assert data.error.code == "invalid_training_file"
    assert "Line 4 is not valid JSON" in data.error.message


def test_chat_examples_need_an_assistant_message() -> None:
    line = json.dumps({"messages": [{"role": "user", "content": "hi"}]})
    data = _inspect(("\n".join([line] * 12)).encode())
    assert data.error is not None and "assistant" in data.error.message


def test_chat_format_for_a_dpo_job_fails_with_the_real_message() -> None:
    data = _inspect((FIXTURES / "training" / "valid.jsonl").read_bytes(), method="dpo")
    assert data.error is not None
    assert data.error.message == (
        "The job failed due to an invalid training file. Invalid file format. Input file file-abc is in the "
        "fine-tune-chat format, but the specified fine-tuning job is not using 'supervised' as the training method "
        "(provided method=dpo). "
    )


def test_dpo_and_completion_formats_are_understood() -> None:
    dpo = json.dumps(
        {
            "input": {"messages": [{"role": "user", "content": "hi"}]},
            "preferred_output": [{"role": "assistant", "content": "hello"}],
            "non_preferred_output": [{"role": "assistant", "content": "go away"}],
        }
    )
    assert _inspect(("\n".join([dpo] * 10)).encode(), method="dpo").error is None
    legacy = json.dumps({"prompt": "2+2=", "completion": "4"})
    assert _inspect(("\n".join([legacy] * 10)).encode(), model="babbage-002").error is None


def test_bytes_that_are_not_text_are_refused() -> None:
    data = _inspect(b"\xff\xfe\x00binary")
    assert data.error is not None and "UTF-8" in data.error.message
