"""Text cleaning of the stock documents' inputs, one level at a time: the same result as the
whole-tree ``clean_deep`` of every ``core.text.Input``, without walking the lines twice (a document's
validator and each line's own), on the hot path of every stock movement."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, model_validator

from yingji.core.text import StrictInput, clean_deep, is_clean


def clean_level(data: Any, nested: tuple[str, ...] = ()) -> Any:
    """``clean_deep`` of an input dict, the same object back when it is clean, checked one level
    deep: the fields in ``nested`` hold lists of models that clean their own input. Anything else (a
    text to clean, a container where a value was expected) goes through ``clean_deep`` as before."""
    if not isinstance(data, dict):
        return data
    for k, v in data.items():
        if type(k) is not str or not is_clean(k):
            return clean_deep(data)
        t = type(v)
        if t is str:
            if not is_clean(v):
                return clean_deep(data)
        elif (t is list or t is dict or t is tuple) and (
            k not in nested or t is not list or not all(isinstance(e, dict | BaseModel) for e in v)
        ):
            return clean_deep(data)
    return data


class FlatInput(StrictInput):
    """A flat input (a document's line): its strings checked without walking a tree."""

    @model_validator(mode="before")
    @classmethod
    def _clean_strings(cls, data: Any) -> Any:
        return clean_level(data)


class DocumentInput(StrictInput):
    """A stock document's input: its own level checked here, each of its ``lines`` by itself."""

    @model_validator(mode="before")
    @classmethod
    def _clean_strings(cls, data: Any) -> Any:
        return clean_level(data, ("lines",))
