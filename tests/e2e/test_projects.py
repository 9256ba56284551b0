"""Projects with the SDK as the client: every key shares the default project, `--project-per-key` separates keys,
`OpenAI-Project` separates in both modes, and keys bound to projects (`--api-key KEY=PROJECT`) stay in them."""

from __future__ import annotations

from collections.abc import Callable

import openai
import pytest

from mockserver import MockServer
from tests.conftest import training_lines

pytestmark = pytest.mark.e2e

Sdk = Callable[..., openai.OpenAI]
ServerFactory = Callable[..., MockServer]


def _job(client: openai.OpenAI) -> tuple[str, str]:
    """A file and a fine-tuning job trained on it; their ids."""
    training = client.files.create(file=("t.jsonl", training_lines()), purpose="fine-tune")
    job = client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=training.id)
    return training.id, job.id


def _client(sdk: Sdk, server: MockServer, key: str, project: str | None = None) -> openai.OpenAI:
    headers = {"OpenAI-Project": project} if project else {}
    return sdk(server.base_url, api_key=key, default_headers=headers, _strict_response_validation=True)


def test_two_keys_share_one_project_by_default(sdk: Sdk, mock_server_factory: ServerFactory) -> None:
    server = mock_server_factory()
    uploader, trainer = _client(sdk, server, "sk-uploader"), _client(sdk, server, "sk-trainer")
    training = uploader.files.create(file=("t.jsonl", training_lines()), purpose="fine-tune")
    job = trainer.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=training.id)
    assert uploader.fine_tuning.jobs.retrieve(job.id).training_file == training.id
    assert uploader.fine_tuning.jobs.cancel(job.id).status == "cancelled"
    assert [f.id for f in trainer.files.list()] == [training.id]


def test_project_per_key_gives_each_key_its_own(sdk: Sdk, mock_server_factory: ServerFactory) -> None:
    server = mock_server_factory(project_per_key=True)
    mine, theirs = _client(sdk, server, "sk-worker-1"), _client(sdk, server, "sk-worker-2")
    training, job = _job(mine)
    with pytest.raises(openai.NotFoundError):
        theirs.fine_tuning.jobs.retrieve(job)
    with pytest.raises(openai.BadRequestError) as refused:
        theirs.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=training)
    assert refused.value.param == "training_file"
    assert list(theirs.files.list()) == [] and list(theirs.fine_tuning.jobs.list()) == []
    assert mine.fine_tuning.jobs.retrieve(job).id == job


@pytest.mark.parametrize("project_per_key", [False, True], ids=["shared-default", "project-per-key"])
def test_the_openai_project_header_separates_in_both_modes(
    sdk: Sdk, mock_server_factory: ServerFactory, project_per_key: bool
) -> None:
    server = mock_server_factory(project_per_key=project_per_key)
    in_x = _client(sdk, server, "sk-a", project="proj_x")
    _, job = _job(in_x)
    for outsider in (_client(sdk, server, "sk-a"), _client(sdk, server, "sk-a", project="proj_y")):
        with pytest.raises(openai.NotFoundError):
            outsider.fine_tuning.jobs.retrieve(job)
        assert list(outsider.fine_tuning.jobs.list()) == []
    # Another key that names the project reaches it: a project is not a key.
    assert _client(sdk, server, "sk-b", project="proj_x").fine_tuning.jobs.retrieve(job).id == job


def test_a_key_bound_to_projects_cannot_act_in_another(sdk: Sdk, mock_server_factory: ServerFactory) -> None:
    server = mock_server_factory(api_keys=("sk-alice=proj_alice", "sk-bob=proj_bob,proj_shared", "sk-ops"))
    alice = _client(sdk, server, "sk-alice")
    training, job = _job(alice)
    assert alice.fine_tuning.jobs.retrieve(job).id == job
    # Before binding, any accepted key reached another project's objects by naming that project (issue 12, item 9).
    bob_as_alice = _client(sdk, server, "sk-bob", project="proj_alice")
    for attempt in (
        lambda: bob_as_alice.fine_tuning.jobs.retrieve(job),
        lambda: bob_as_alice.fine_tuning.jobs.cancel(job),
        lambda: bob_as_alice.files.delete(training),
        lambda: bob_as_alice.files.content(training),
    ):
        with pytest.raises(openai.AuthenticationError) as caught:
            attempt()
        assert caught.value.status_code == 401
        assert caught.value.body == {
            "message": "OpenAI-Project header should match project for API key",
            "type": "invalid_request_error",
            "param": None,
            "code": "mismatched_project",
        }
    # Without the header a bound key acts in its first project, and a second bound project is open to it.
    with pytest.raises(openai.NotFoundError):
        _client(sdk, server, "sk-bob").fine_tuning.jobs.retrieve(job)
    assert list(_client(sdk, server, "sk-bob", project="proj_shared").files.list()) == []
    assert alice.fine_tuning.jobs.retrieve(job).status == "validating_files"
    # A plain key keeps its meaning: accepted, in the default project unless it names one.
    assert _client(sdk, server, "sk-ops", project="proj_alice").fine_tuning.jobs.retrieve(job).id == job
