"""Plausible made-up values (organisation names, training metrics), reproducible under `--seed`."""

from __future__ import annotations

import random
import re
from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from faker import Faker


class FakeData:
    def __init__(self, seed: int | None = None) -> None:
        self._seed = seed
        # Seeded separately from ids so that asking for a name never shifts the id sequence.
        self._identity = random.Random(seed)

    @cached_property
    def faker(self) -> Faker:
        # Imported on first use: Faker's import costs ~0.1 s that a server which never needs a name should not pay.
        from faker import Faker

        faker = Faker()
        faker.seed_instance(self._seed)
        return faker

    @cached_property
    def organization_id(self) -> str:
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
        return "org-" + "".join(self._identity.choices(alphabet, k=24))

    @cached_property
    def organization_slug(self) -> str:
        """The organisation part of fine-tuned model names (`ft:model:{slug}:suffix:id`)."""
        return re.sub(r"[^a-z0-9]+", "-", self.faker.company().lower()).strip("-")
