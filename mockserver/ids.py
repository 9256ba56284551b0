"""Object ids in OpenAI's formats, from one seedable random source so that `--seed` makes a run reproducible."""

from __future__ import annotations

import hashlib
import random
import string

_ALNUM = string.ascii_letters + string.digits
# Alphanumeric ids: random bytes mapped through a table, one C call for a whole id, where `random.choices` calls back
# into Python per character (ids are minted on every state change, so this is on the request path). 256 is not a
# multiple of 62, so eight alphanumerics are 5/4 as likely as the rest: invisible in a fake id, and still a pure
# function of the seed.
_TO_ALNUM = bytes(ord(_ALNUM[byte % len(_ALNUM)]) for byte in range(256))


def derived(prefix: str, length: int, key: str) -> str:
    """An id in the same alphabet and length as `IdFactory.alnum`'s, but a pure function of `key`: for records that
    are rebuilt on every read rather than kept (a fine-tuning job's metrics events), whose ids must not change."""
    return prefix + _digest(key, length).translate(_TO_ALNUM).decode("ascii")


def derived_hex(prefix: str, length: int, key: str) -> str:
    """`derived`, in `IdFactory.hex`'s alphabet."""
    return prefix + _digest(key, (length + 1) // 2).hex()[:length]


def _digest(key: str, length: int) -> bytes:
    return hashlib.blake2b(key.encode(), digest_size=length).digest()


class IdFactory:
    def __init__(self, seed: int | None = None) -> None:
        self._seed = seed
        self._random = random.Random(seed)

    def reseed(self) -> None:
        """Start the sequence again (after a reset), so a seeded run hands out the same ids each time."""
        self._random = random.Random(self._seed)

    @property
    def random(self) -> random.Random:
        """The shared source for other simulated values (metrics, token counts)."""
        return self._random

    def alnum(self, prefix: str, length: int) -> str:
        return prefix + self._random.randbytes(length).translate(_TO_ALNUM).decode("ascii")

    def hex(self, prefix: str, length: int = 32) -> str:
        # Random bits formatted as hex: one C call and a format, cheaper still than the alphanumeric table.
        return f"{prefix}{self._random.getrandbits(length * 4):0{length}x}"

    def file(self) -> str:
        return self.alnum("file-", 22)

    def fine_tuning_job(self) -> str:
        return self.alnum("ftjob-", 24)

    def model_tag(self) -> str:
        return self.alnum("", 8)

    def batch(self) -> str:
        return self.hex("batch_")

    def batch_request(self) -> str:
        return self.hex("batch_req_")

    def eval(self) -> str:
        return self.hex("eval_")

    def eval_run(self) -> str:
        return self.hex("evalrun_")

    def eval_output_item(self) -> str:
        return self.hex("outputitem_")

    def checkpoint_permission(self) -> str:
        return self.alnum("cp_", 24)

    def event(self) -> str:
        return self.hex("evt_")

    def webhook_message(self) -> str:
        return self.hex("wh_")

    def webhook_endpoint(self) -> str:
        return self.hex("we_", 24)

    def delivery(self) -> str:
        return self.hex("whdel_", 24)

    def delivery_attempt(self) -> str:
        return self.hex("whatt_", 24)
