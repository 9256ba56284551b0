"""The base models the server knows: what `GET /v1/models` lists and what fine-tuning accepts."""

from __future__ import annotations

from dataclasses import dataclass

from mockserver.schemas.models import Model


@dataclass(frozen=True)
class CatalogueModel:
    id: str
    created: int
    owned_by: str = "system"
    # Fine-tuning methods this snapshot accepts; empty when it cannot be fine-tuned.
    methods: frozenset[str] = frozenset()
    aliases: tuple[str, ...] = ()


_SFT_DPO = frozenset({"supervised", "dpo"})

BASE_MODELS: tuple[CatalogueModel, ...] = (
    CatalogueModel("gpt-4o-mini-2024-07-18", 1721172717, methods=_SFT_DPO, aliases=("gpt-4o-mini",)),
    CatalogueModel("gpt-4o-2024-08-06", 1722814719, methods=_SFT_DPO, aliases=("gpt-4o",)),
    CatalogueModel("gpt-4.1-2025-04-14", 1744315746, methods=_SFT_DPO, aliases=("gpt-4.1",)),
    CatalogueModel("gpt-4.1-mini-2025-04-14", 1744317547, methods=_SFT_DPO, aliases=("gpt-4.1-mini",)),
    CatalogueModel("gpt-4.1-nano-2025-04-14", 1744321025, methods=_SFT_DPO, aliases=("gpt-4.1-nano",)),
    CatalogueModel("gpt-3.5-turbo-0125", 1706048358, methods=frozenset({"supervised"}), aliases=("gpt-3.5-turbo",)),
    CatalogueModel("gpt-3.5-turbo-1106", 1698959748, methods=frozenset({"supervised"})),
    CatalogueModel("babbage-002", 1692634615, methods=frozenset({"supervised"})),
    CatalogueModel("davinci-002", 1692634301, methods=frozenset({"supervised"})),
    CatalogueModel("o4-mini-2025-04-16", 1744133506, methods=frozenset({"reinforcement"}), aliases=("o4-mini",)),
    CatalogueModel("gpt-4o-mini", 1721172741),
    CatalogueModel("gpt-4o", 1715367049),
    CatalogueModel("gpt-4.1", 1744316542),
    CatalogueModel("gpt-4.1-mini", 1744318173),
    CatalogueModel("gpt-4.1-nano", 1744321707),
    CatalogueModel("o4-mini", 1744225351),
    CatalogueModel("gpt-3.5-turbo", 1677610602, owned_by="openai"),
    CatalogueModel("text-embedding-3-small", 1705948997),
    CatalogueModel("text-embedding-3-large", 1705953180),
)

_BY_ID = {model.id: model for model in BASE_MODELS}
_FINE_TUNABLE = {alias: model for model in BASE_MODELS if model.methods for alias in (model.id, *model.aliases)}


def base_models() -> list[Model]:
    return [Model(id=model.id, created=model.created, owned_by=model.owned_by) for model in BASE_MODELS]


def base_model(model_id: str) -> Model | None:
    found = _BY_ID.get(model_id)
    return None if found is None else Model(id=found.id, created=found.created, owned_by=found.owned_by)


def fine_tunable(name: str) -> CatalogueModel | None:
    """The snapshot a fine-tuning `model` argument names (an alias resolves to its snapshot)."""
    return _FINE_TUNABLE.get(name)
