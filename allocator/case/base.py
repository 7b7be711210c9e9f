"""The base of every case model: unknown keys are errors, models never change."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Strict

Flag = Annotated[bool, Strict()]


class CaseModel(BaseModel):
    """A frozen pydantic model that refuses keys it does not know.

    A typo such as ``vaule`` is reported instead of silently ignored, and a
    loaded case can be shared by many what-if solves without being changed.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=False)
