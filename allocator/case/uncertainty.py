"""Uncertainty as data: independent random factors, each a scenario change with a random value.

A factor names a ``path`` (any path a scenario change may use) and one operation
(``set``, ``scale`` or ``add``) whose argument is a distribution:

- ``{choice: [v1, v2, ...], p: [p1, p2, ...]}``: v_i with probability p_i (equal
  weights without ``p``); the only kind a grid can enumerate;
- ``{uniform: [lo, hi]}``: uniform on [lo, hi];
- ``{normal: [mu, sigma]}``: normal with mean mu and standard deviation sigma;
- ``{lognormal: [mu, sigma]}``: exp of a normal(mu, sigma);
- ``{triangular: [lo, mode, hi]}``: triangular on [lo, hi] peaking at mode.

A draw is one value per factor; each is applied to the case as the change
``{path: ..., <operation>: value}``, in the order the factors are listed.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from pydantic import Discriminator, Field, Tag, field_validator, model_validator

from allocator.case.base import CaseModel
from allocator.case.scenario_model import _text_keys
from allocator.case.types import Id, SignedAmount

FACTOR_OPERATIONS = ("set", "scale", "add")
PROBABILITY_SLACK = 1e-9
"""Probabilities may add up to 1 within this much."""


class Choice(CaseModel):
    """One of a list of values, with probabilities ``p`` (equal weights by default)."""

    kind: ClassVar[str] = "choice"

    choice: list[Any] = Field(min_length=1)
    p: list[Annotated[float, Field(ge=0, le=1, strict=True, allow_inf_nan=False)]] | None = None

    @model_validator(mode="after")
    def _probabilities(self) -> Choice:
        if self.p is None:
            return self
        if len(self.p) != len(self.choice):
            raise ValueError(
                f"{len(self.p)} probabilities for {len(self.choice)} choices; give one each"
            )
        total = sum(self.p)
        if abs(total - 1.0) > PROBABILITY_SLACK:
            raise ValueError(f"the probabilities add up to {total:g}, not 1")
        return self

    @field_validator("choice", mode="before")
    @classmethod
    def _text_keys(cls, value: Any) -> Any:
        """Mapping keys as text, as every key of a case is."""
        return _text_keys(value)

    @property
    def weights(self) -> list[float]:
        """The probability of each value."""
        n = len(self.choice)
        return list(self.p) if self.p is not None else [1.0 / n] * n


class Uniform(CaseModel):
    """Uniform on [lo, hi]."""

    kind: ClassVar[str] = "uniform"

    uniform: tuple[SignedAmount, SignedAmount]

    @model_validator(mode="after")
    def _order(self) -> Uniform:
        lo, hi = self.uniform
        if lo > hi:
            raise ValueError(f"uniform: lo {lo:g} is above hi {hi:g}")
        return self


class Normal(CaseModel):
    """Normal with mean mu and standard deviation sigma >= 0."""

    kind: ClassVar[str] = "normal"

    normal: tuple[SignedAmount, Annotated[SignedAmount, Field(ge=0)]]


class LogNormal(CaseModel):
    """exp(normal(mu, sigma)), sigma >= 0: always positive (a growth factor, a price)."""

    kind: ClassVar[str] = "lognormal"

    lognormal: tuple[
        Annotated[SignedAmount, Field(ge=-50, le=50)], Annotated[SignedAmount, Field(ge=0, le=10)]
    ]


class Triangular(CaseModel):
    """Triangular on [lo, hi] with its peak at mode."""

    kind: ClassVar[str] = "triangular"

    triangular: tuple[SignedAmount, SignedAmount, SignedAmount]

    @model_validator(mode="after")
    def _order(self) -> Triangular:
        lo, mode, hi = self.triangular
        if not lo <= mode <= hi:
            raise ValueError(f"triangular: needs lo <= mode <= hi, got {lo:g}, {mode:g}, {hi:g}")
        return self


DISTRIBUTIONS = ("choice", "uniform", "normal", "lognormal", "triangular")


def _kind(value: Any) -> str | None:
    """The tag of the distribution ``value`` names (tags differ from the keys, so that a
    problem's path runs through the data: ``set.p[0]``, not ``set.choice[0]``)."""
    if isinstance(value, dict):
        named = [k for k in DISTRIBUTIONS if k in value]
        return f"{named[0]} distribution" if len(named) == 1 else None
    kind = getattr(value, "kind", None)
    return None if kind is None else f"{kind} distribution"


Distribution = Annotated[
    Annotated[Choice, Tag("choice distribution")]
    | Annotated[Uniform, Tag("uniform distribution")]
    | Annotated[Normal, Tag("normal distribution")]
    | Annotated[LogNormal, Tag("lognormal distribution")]
    | Annotated[Triangular, Tag("triangular distribution")],
    Discriminator(
        _kind,
        custom_error_type="distribution",
        custom_error_message=(
            "expected one distribution: {choice: [...], p: [...]}, {uniform: [lo, hi]}, "
            "{normal: [mu, sigma]}, {lognormal: [mu, sigma]} or {triangular: [lo, mode, hi]}"
        ),
    ),
]
"""A distribution, named by its one key."""


class RandomFactor(CaseModel):
    """One independent random factor: a change at ``path`` whose value is drawn."""

    id: Id
    path: str = Field(min_length=1)
    description: str | None = None
    set: Distribution | None = None
    scale: Distribution | None = None
    add: Distribution | None = None

    @model_validator(mode="after")
    def _one_operation(self) -> RandomFactor:
        given = [op for op in FACTOR_OPERATIONS if getattr(self, op) is not None]
        if len(given) != 1:
            found = ", ".join(given) if given else "none"
            raise ValueError(f"give exactly one of set, scale, add (found: {found})")
        return self

    @property
    def operation(self) -> str:
        """The operation the drawn value performs: set, scale or add."""
        return next(op for op in FACTOR_OPERATIONS if getattr(self, op) is not None)

    @property
    def distribution(self) -> Choice | Uniform | Normal | LogNormal | Triangular:
        """The distribution of the drawn value."""
        return getattr(self, self.operation)

    @property
    def discrete(self) -> bool:
        """True for a ``choice``: the factor can be enumerated on a grid."""
        return isinstance(self.distribution, Choice)
