"""The futures of a two-stage plan: the case with each draw applied, formulated."""

from __future__ import annotations

from allocator.case.draws import Draw, draw_case
from allocator.case.errors import CaseError
from allocator.case.model import Case
from allocator.errors import InputError
from allocator.formulation import formulate
from allocator.hedging.extensive import Future
from allocator.hedging.stages import first_stage


def make_futures(case: Case, draws: list[Draw]) -> list[Future]:
    """One future per draw, each formulated by the solve's own formulation code.

    Raises ``InputError`` naming every draw whose changes break a rule of the case: a
    first stage is chosen for every future, so each must be a valid case.
    """
    futures, broken = [], []
    for draw in draws:
        try:
            drawn = draw_case(case, draw)
        except CaseError as error:
            problems = "; ".join(str(p) for p in error.problems)
            broken.append(f"future {draw.index} {draw.values}: {problems}")
            continue
        futures.append(Future(draw.index, draw.weight, draw.values, drawn, formulate(drawn)))
    if broken:
        raise InputError(
            f"{len(broken)} of {len(draws)} futures break a rule of the case, and a first "
            "stage must serve every future: " + " | ".join(broken)
        )
    return futures


def decided_projects(case: Case, futures: list[Future], commit: int) -> list[str]:
    """The projects with a start up to the commit period in some future, in case order:
    those the first stage decides (starting by then, or not)."""
    ids: set[str] = set()
    for future in futures:
        table = first_stage(future.case, future.formulation, commit)
        ids.update(key[0] for key in table.loc[table["family"] == "choose", "key"])
    return [p.id for p in case.projects if p.id in ids]
