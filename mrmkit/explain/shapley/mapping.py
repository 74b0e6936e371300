"""Mapping of a preprocessing's transformed columns back to the original features (rule: package docstring)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from mrmkit.errors import InvalidInput


# ------------------------------------------------------------------------------------------ mapping
def _resolve_columns(columns: Any, names_in: Sequence[str]) -> list[str]:
    names_in = list(names_in)
    if isinstance(columns, str):
        return [columns]
    if isinstance(columns, slice):
        return names_in[columns]
    array = np.asarray(columns)
    if array.size == 0:
        return []
    if array.dtype == bool:
        return [n for n, keep in zip(names_in, array, strict=True) if keep]
    if np.issubdtype(array.dtype, np.integer):
        return [names_in[int(i)] for i in array]
    if all(isinstance(c, str) for c in array.tolist()):
        return [str(c) for c in array.tolist()]
    raise InvalidInput(f"Cannot resolve the ColumnTransformer column selection {columns!r} to column names.")


def _map_one(transformer: Any, names_in: list[str]) -> tuple[list[str], list[int]]:
    """Output names of one fitted transformer and, for each, the index of its input column."""
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import Pipeline

    if transformer is None or (isinstance(transformer, str) and transformer == "passthrough"):
        return list(names_in), list(range(len(names_in)))
    if isinstance(transformer, str):
        raise InvalidInput(f"Cannot map the columns of the transformer {transformer!r}.")
    if isinstance(transformer, Pipeline):
        names, index = list(names_in), list(range(len(names_in)))
        for _, step in transformer.steps:
            if step is None or (isinstance(step, str) and step == "passthrough"):
                continue
            names, local = _map_one(step, names)
            index = [index[i] for i in local]
        return names, index
    if isinstance(transformer, ColumnTransformer):
        names_out = [str(n) for n in transformer.get_feature_names_out()]
        index = [-1] * len(names_out)
        ct_in = list(getattr(transformer, "feature_names_in_", names_in))
        if list(ct_in) != list(names_in):
            raise InvalidInput(f"The ColumnTransformer was fitted on columns {list(ct_in)}, not on {list(names_in)}.")
        for name, block, columns in transformer.transformers_:
            if isinstance(block, str) and block == "drop":
                continue
            block_in = _resolve_columns(columns, names_in)
            if not block_in:
                continue
            block_names, local = _map_one(block, block_in)
            where = transformer.output_indices_[name]
            positions = range(where.start or 0, where.stop)
            if len(positions) != len(block_names):
                raise InvalidInput(
                    f"The ColumnTransformer block {name!r} gives {len(positions)} columns but names {len(block_names)}."
                )
            for pos, i in zip(positions, local, strict=True):
                index[pos] = names_in.index(block_in[i])
        unmapped = [names_out[k] for k, i in enumerate(index) if i < 0]
        if unmapped:
            raise InvalidInput(f"The transformed columns {unmapped} could not be mapped to an original feature.")
        return names_out, index
    if not hasattr(transformer, "get_feature_names_out"):
        raise InvalidInput(
            f"The transformer {type(transformer).__name__} has no get_feature_names_out, so its columns "
            "cannot be mapped to the original features."
        )
    try:
        names_out = [str(n) for n in transformer.get_feature_names_out(list(names_in))]
    except Exception as exc:  # noqa: BLE001 - wrapped with context
        raise InvalidInput(
            f"The transformer {type(transformer).__name__} cannot name its output columns: {exc}"
        ) from exc
    if len(names_in) == 1:
        return names_out, [0] * len(names_out)
    if names_out == list(names_in):
        return names_out, list(range(len(names_in)))
    index = []
    for out in names_out:
        candidates = [
            i for i, c in enumerate(names_in) if out == c or out == f"missingindicator_{c}" or out.startswith(f"{c}_")
        ]
        if len(candidates) != 1:
            found = [names_in[i] for i in candidates]
            raise InvalidInput(
                f"The column {out!r} made by {type(transformer).__name__} cannot be mapped to exactly one "
                f"original feature (candidates {found} among {list(names_in)}); its contribution cannot be "
                "given to a single feature. Put such inputs in separate ColumnTransformer blocks or explain "
                "the model with a model-agnostic explainer."
            )
        index.append(candidates[0])
    return names_out, index


def map_transformed_columns(preprocessing: Any, features: Sequence[str]) -> tuple[tuple[str, str], ...]:
    """``(transformed column, original feature)`` for every output column of ``preprocessing``.

    See the module docstring for the rule. ``preprocessing=None`` maps every feature to itself.
    Raises ``InvalidInput`` if a column cannot be given to exactly one feature.
    """
    features = [str(f) for f in features]
    if preprocessing is None:
        return tuple((f, f) for f in features)
    names_in = list(getattr(preprocessing, "feature_names_in_", features))
    if [str(n) for n in names_in] != features:
        raise InvalidInput(
            f"The model's preprocessing was fitted on the columns {list(names_in)}; the features given are "
            f"{features}. Pass the features in the model's own order."
        )
    names_out, index = _map_one(preprocessing, features)
    return tuple((n, features[i]) for n, i in zip(names_out, index, strict=True))


def _aggregate(values: np.ndarray, column_features: Sequence[str], features: Sequence[str]) -> np.ndarray:
    position = {f: j for j, f in enumerate(features)}
    out = np.zeros((values.shape[0], len(features)), dtype=np.float64)
    for k, f in enumerate(column_features):
        out[:, position[f]] += values[:, k]
    return out
