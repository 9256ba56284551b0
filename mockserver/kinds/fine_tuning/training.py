"""What a running fine-tuning job computes: resolved hyperparameters, steps, and plausible loss curves."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
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


@dataclass
class Plan:
    n_epochs: int
    batch_size: int
    learning_rate_multiplier: float
    steps_per_epoch: int
    has_validation: bool
    losses: list[tuple[int, float, float]] = field(default_factory=list)

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


def train_epoch(plan: Plan, epoch: int, rng: random.Random) -> list[tuple[int, dict[str, Any]]]:
    """The metrics events of one epoch (1-based): `(step, data)` for each reported step."""
    reported = []
    last_step = epoch * plan.steps_per_epoch
    for step in range((epoch - 1) * plan.steps_per_epoch + 1, last_step + 1):
        progress = step / plan.total_steps
        loss = (0.08 + 2.4 * math.exp(-3.5 * progress)) * rng.uniform(0.85, 1.15)
        accuracy = min(1.0, max(0.0, 1.0 - loss / 3.0 + rng.uniform(-0.03, 0.03)))
        if step % plan.stride and step != last_step:
            continue
        data: dict[str, Any] = {
            "step": step,
            "train_loss": round(loss, 6),
            "total_steps": plan.total_steps,
            "train_mean_token_accuracy": round(accuracy, 6),
        }
        if plan.has_validation and (step == last_step or step % (plan.stride * 10) == 0):
            data["valid_loss"] = round(loss * rng.uniform(1.0, 1.3), 6)
            data["valid_mean_token_accuracy"] = round(accuracy * rng.uniform(0.9, 1.0), 6)
            if step == plan.total_steps:
                data["full_valid_loss"] = round(data["valid_loss"] * rng.uniform(0.95, 1.05), 6)
                data["full_valid_mean_token_accuracy"] = round(data["valid_mean_token_accuracy"], 6)
        plan.losses.append((step, data["train_loss"], data["train_mean_token_accuracy"]))
        reported.append((step, data))
    return reported


def metrics_message(step: int, data: dict[str, Any]) -> str:
    message = f"Step {step}/{data['total_steps']}: training loss={data['train_loss']:.2f}"
    if "valid_loss" in data:
        message += f", validation loss={data['valid_loss']:.2f}"
    if "full_valid_loss" in data:
        message += f", full validation loss={data['full_valid_loss']:.2f}"
    return message


def checkpoint_metrics(data: dict[str, Any]) -> CheckpointMetrics:
    return CheckpointMetrics.model_validate({key: value for key, value in data.items() if key != "total_steps"})


def results_csv(plan: Plan) -> bytes:
    """The `step_metrics.csv` result file of a succeeded job."""
    rows = ["step,train_loss,train_accuracy,valid_loss,valid_mean_token_accuracy"]
    rows += [f"{step},{loss:.5f},{accuracy:.5f},," for step, loss, accuracy in plan.losses]
    return ("\n".join(rows) + "\n").encode()
