"""What a running fine-tuning job computes: resolved hyperparameters, steps, and plausible loss curves.

A step's metrics are a pure function of the plan, the job's seed and the step (`step_metrics`), so nothing of them
is kept: the events, checkpoints and `step_metrics.csv` of a job are computed again whenever they are read, the same
each time. Two jobs with the same seed, file and hyperparameters report the same curve, as a real seeded run would.
"""

from __future__ import annotations

import hashlib
import math
import struct
from dataclasses import dataclass
from typing import Any

from mockserver.kinds.fine_tuning.schemas import CheckpointMetrics, Hyperparameters, Method

# Most metrics events a job keeps; longer runs report every k-th step (and every epoch's last step).
MAX_METRIC_EVENTS = 100


def resolve_epochs(examples: int) -> int:
    """OpenAI's published default: about 3 epochs, more for tiny files, fewer for huge ones."""
    examples = max(examples, 1)
    if examples * 3 < 100:
        return min(25, math.ceil(100 / examples))
    if examples * 3 > 25_000:
        return max(1, 25_000 // examples)
    return 3


def resolve_batch_size(examples: int) -> int:
    return max(1, min(256, round(examples * 0.002)))


@dataclass(frozen=True, slots=True)
class Plan:
    n_epochs: int
    batch_size: int
    learning_rate_multiplier: float
    steps_per_epoch: int
    has_validation: bool

    @property
    def total_steps(self) -> int:
        return self.n_epochs * self.steps_per_epoch

    @property
    def stride(self) -> int:
        return max(1, math.ceil(self.total_steps / MAX_METRIC_EVENTS))

    def hyperparameters(self) -> Hyperparameters:
        return Hyperparameters(
            batch_size=self.batch_size, learning_rate_multiplier=self.learning_rate_multiplier, n_epochs=self.n_epochs
        )


def make_plan(method: Method, examples: int, *, has_validation: bool) -> Plan:
    chosen = method.hyperparameters
    n_epochs = resolve_epochs(examples) if chosen.n_epochs == "auto" else chosen.n_epochs
    batch_size = resolve_batch_size(examples) if chosen.batch_size == "auto" else chosen.batch_size
    if chosen.learning_rate_multiplier == "auto":
        lr = 1.8 if batch_size == 1 else 2.0
    else:
        lr = chosen.learning_rate_multiplier
    steps = max(1, math.ceil(max(examples, 1) / batch_size))
    return Plan(n_epochs, batch_size, lr, steps, has_validation)


def resolve_method(method: Method, plan: Plan) -> Method:
    """`method` with every "auto" replaced, as a job shows it once it runs."""
    data: dict[str, Any] = method.model_dump()
    chosen = data.get(method.type) or {}
    values: dict[str, Any] = {
        "n_epochs": plan.n_epochs,
        "batch_size": plan.batch_size,
        "learning_rate_multiplier": plan.learning_rate_multiplier,
        "beta": 0.1,
        "compute_multiplier": 1.0,
        "eval_interval": 1,
        "eval_samples": 1,
    }
    hyperparameters = chosen.get("hyperparameters") or {}
    for key, value in hyperparameters.items():
        if value == "auto" and key in values:
            hyperparameters[key] = values[key]
    if method.type == "reinforcement" and hyperparameters.get("reasoning_effort") == "default":
        hyperparameters["reasoning_effort"] = "medium"
    return Method.model_validate(data)


def reported_steps(plan: Plan, epoch: int) -> range | list[int]:
    """The steps of one epoch (1-based) that report metrics: every `stride`-th, and the epoch's last."""
    first, last = (epoch - 1) * plan.steps_per_epoch + 1, epoch * plan.steps_per_epoch
    strided = range(first + (-first) % plan.stride, last + 1, plan.stride)
    return strided if last % plan.stride == 0 else [*strided, last]


def reported_count(plan: Plan, epoch: int) -> int:
    """`len(reported_steps(plan, epoch))`, without making them."""
    first, last = (epoch - 1) * plan.steps_per_epoch + 1, epoch * plan.steps_per_epoch
    return last // plan.stride - (first - 1) // plan.stride + (last % plan.stride != 0)


def _noise(seed: int, step: int) -> tuple[float, ...]:
    """Five uniform draws in [0, 1) for one step of one seed: a hash, so any step is computed without the others."""
    digest = hashlib.blake2b(f"{seed}/{step}".encode(), digest_size=40).digest()
    return tuple((value >> 11) * 2.0**-53 for value in struct.unpack("<5Q", digest))


def step_metrics(plan: Plan, seed: int, step: int) -> dict[str, Any]:
    """The metrics a reported step sends (the `data` of its metrics event)."""
    u_loss, u_accuracy, u_valid_loss, u_valid_accuracy, u_full = _noise(seed, step)
    progress = step / plan.total_steps
    loss = (0.08 + 2.4 * math.exp(-3.5 * progress)) * (0.85 + 0.3 * u_loss)
    accuracy = min(1.0, max(0.0, 1.0 - loss / 3.0 - 0.03 + 0.06 * u_accuracy))
    data: dict[str, Any] = {
        "step": step,
        "train_loss": round(loss, 6),
        "total_steps": plan.total_steps,
        "train_mean_token_accuracy": round(accuracy, 6),
    }
    if plan.has_validation and (step % plan.steps_per_epoch == 0 or step % (plan.stride * 10) == 0):
        data["valid_loss"] = round(loss * (1.0 + 0.3 * u_valid_loss), 6)
        data["valid_mean_token_accuracy"] = round(accuracy * (0.9 + 0.1 * u_valid_accuracy), 6)
        if step == plan.total_steps:
            data["full_valid_loss"] = round(data["valid_loss"] * (0.95 + 0.1 * u_full), 6)
            data["full_valid_mean_token_accuracy"] = data["valid_mean_token_accuracy"]
    return data


def metrics_message(step: int, data: dict[str, Any]) -> str:
    message = f"Step {step}/{data['total_steps']}: training loss={data['train_loss']:.2f}"
    if "valid_loss" in data:
        message += f", validation loss={data['valid_loss']:.2f}"
    if "full_valid_loss" in data:
        message += f", full validation loss={data['full_valid_loss']:.2f}"
    return message


def checkpoint_metrics(data: dict[str, Any]) -> CheckpointMetrics:
    return CheckpointMetrics.model_validate({key: value for key, value in data.items() if key != "total_steps"})


@dataclass(frozen=True, slots=True)
class ResultsCsv:
    """The `step_metrics.csv` result file of a succeeded job (every reported step), made on each download: the
    Files backend keeps this instead of the bytes."""

    plan: Plan
    seed: int

    def __call__(self) -> bytes:
        rows = ["step,train_loss,train_accuracy,valid_loss,valid_mean_token_accuracy"]
        for epoch in range(1, self.plan.n_epochs + 1):
            for step in reported_steps(self.plan, epoch):
                data = step_metrics(self.plan, self.seed, step)
                rows.append(f"{step},{data['train_loss']:.5f},{data['train_mean_token_accuracy']:.5f},,")
        return ("\n".join(rows) + "\n").encode()
