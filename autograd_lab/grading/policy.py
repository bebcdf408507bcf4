"""What a point pays for (DESIGN.md): the order checks run in and how their verdicts are scored.

- Value checks run first. A rule or structure check then runs once for each function it
  watches. It is scored for a function that passes at least one of its value checks; for the
  others it is "not scored" (code that computes nothing keeps every rule and earns nothing by
  it), unless it found the rule broken there: that is told (a missing bias explains wrong
  values), and earns nothing either. Each watched function
  earns an equal share of the check's points, so a right ``vjp`` with a wrong ``jacobian``
  keeps vjp's share of every rule.
- A broken rule that ``voids`` voids the value checks of the function that broke it (their
  results were computed the forbidden way), and with them that function's shares of the
  other rules.
- One cause is told once: a failure with the same cause (the same exception from the same
  student lines) as one told under an earlier check says only "not run" and where to look.
- A failing value check whose code calls another of the student's functions that fails its
  own checks (train calls forward_backward) says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from autograd_lab.catalog.base import VALUE, Check, Watch
from autograd_lab.grading.failure import Failure
from autograd_lab.grading.report import CheckResult

RunOne = Callable[[Check, "str | None"], "Failure | None"]
"""``run_one(check, watching)``: run one check (for one watched function, or all)."""


@dataclass
class Share:
    """One watched function's part of a rule or structure check."""

    watch: Watch
    status: str = "not scored"
    """``passed``, ``failed`` or ``not scored``."""
    failure: Failure | None = None
    reason: str = ""
    """Why it was not scored."""


def _quoted(names) -> str:
    names = [f"`{name}`" for name in names]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def grade_checks(checks: tuple[Check, ...], run_one: RunOne) -> list[CheckResult]:
    """Run ``checks`` under the policy; return their results in catalog order."""
    values: dict[str, Failure | None] = {}
    for check in checks:
        if check.kind == VALUE:
            values[check.name] = run_one(check, None)
    shares: dict[str, list[Share]] = {}
    for check in checks:
        if check.kind == VALUE:
            continue
        shares[check.name] = []
        for watch in check.watches:
            share = Share(watch)
            share.failure = run_one(check, watch.function if len(check.watches) > 1 else None)
            if any(values[name] is None for name in watch.checks):
                share.status = "passed" if share.failure is None else "failed"
            elif share.failure is not None and not share.failure.by_student:
                # Broken by code that computes nothing right yet: worth telling (a missing
                # bias explains the wrong values), though kept it would have earned nothing.
                share.status = "failed"
            else:
                share.failure = None
                share.reason = f"needs {_quoted(watch.checks)} to pass first"
            shares[check.name].append(share)
    voided = _voided(checks, values, shares)
    _unpay_voided(shares, values, voided)
    told = _tell_once(checks, values, shares)
    return [_value_result(check, values[check.name], voided, told, values)
            if check.kind == VALUE else _rule_result(check, shares[check.name], told)
            for check in checks]


def _voided(checks, values, shares) -> dict[str, tuple[str, str]]:
    """Value checks voided by a broken rule: ``{value check: (rule, function)}``."""
    voided: dict[str, tuple[str, str]] = {}
    for check in checks:
        if not check.voids:
            continue
        for share in shares[check.name]:
            if (share.status == "failed" and not share.failure.by_student
                    and not share.failure.internal_error):
                for name in share.watch.checks:
                    if values[name] is None and name not in voided:
                        voided[name] = (check.name, share.watch.function)
    return voided


def _unpay_voided(shares, values, voided) -> None:
    """A function whose passing value checks were all voided earns no share of other rules."""
    for check_shares in shares.values():
        for share in check_shares:
            if share.status != "passed":
                continue
            kept = [n for n in share.watch.checks if values[n] is None and n not in voided]
            if not kept:
                rule, _ = voided[next(n for n in share.watch.checks if n in voided)]
                share.status, share.failure = "not scored", None
                share.reason = f"{share.watch.function}'s results are void (rule `{rule}`)"


def _tell_once(checks, values, shares) -> dict[int, str]:
    """Failures whose cause was told under an earlier check: ``{id(failure): that check}``."""
    first: dict[tuple, str] = {}
    repeated: dict[int, str] = {}
    for check in checks:
        found = ([values[check.name]] if check.kind == VALUE
                 else [s.failure for s in shares[check.name]])
        for failure in found:
            if failure is None or failure.cause is None:
                continue
            if failure.cause in first and first[failure.cause] != check.name:
                repeated[id(failure)] = first[failure.cause]
            else:
                first.setdefault(failure.cause, check.name)
    return repeated


def not_run(elsewhere: str) -> Failure:
    """What a check says when its cause was told under the check ``elsewhere``."""
    return Failure(f"not run: stopped by the error shown under `{elsewhere}`", show_input=False)


def _value_result(check, failure, voided, told, values) -> CheckResult:
    if failure is None and check.name in voided:
        rule, function = voided[check.name]
        return CheckResult(
            check.name, check.title, False, 0.0, check.points,
            f"void: {function} breaks the rule `{rule}` (see there), so this result does not "
            "count: it was computed the way the exercise forbids", status="void")
    if failure is None:
        return CheckResult(check.name, check.title, True, check.points, check.points)
    if id(failure) in told:
        return failed(check, not_run(told[id(failure)]), status="not run")
    result = failed(check, failure)
    if failure.summary.startswith("not implemented yet"):
        return result
    for use in check.uses:
        failing = [name for name in use.checks if values[name] is not None or name in voided]
        if failing:
            result.message += (f"\nnote: what this check runs depends on your {use.function}, "
                               f"which fails {_quoted(failing).replace(' or ', ' and ')}: "
                               "fix that first")
    return result


def _rule_result(check, check_shares: list[Share], told) -> CheckResult:
    paid = sum(s.status == "passed" for s in check_shares)
    score = round(check.points * paid / len(check_shares), 6)
    if paid == len(check_shares):
        return CheckResult(check.name, check.title, True, check.points, check.points,
                           kind=check.kind)
    several = len(check_shares) > 1
    if several and all(s.status == "not scored" and s.reason.startswith("needs ")
                       for s in check_shares):
        # Nothing computed right yet: one line says what the rule waits for.
        needed = [name for s in check_shares for name in s.watch.checks]
        return CheckResult(check.name, check.title, False, 0.0, check.points,
                           f"not scored: needs {_quoted(needed)} to pass first",
                           status="not scored", kind=check.kind)
    lines: list[str] = []
    first: CheckResult | None = None
    told_elsewhere = True
    for share in check_shares:
        if share.status == "passed":
            continue
        if share.status == "not scored":
            lines.append(f"not scored{' for ' + share.watch.function if several else ''}: "
                         f"{share.reason}")
            continue
        failure = share.failure
        if id(failure) in told:
            failure = not_run(told[id(failure)])
        else:
            told_elsewhere = False
        shown = failed(check, failure)
        first = first or shown
        prefix = f"{share.watch.function}: " if several else ""
        lines.extend((prefix + shown.message).splitlines())
    if first is None:
        status = "not scored" if paid == 0 else "partial"
        return CheckResult(check.name, check.title, False, score, check.points, "\n".join(lines),
                           status=status, kind=check.kind)
    first.message = "\n".join(lines)
    first.score = score
    first.status = "partial" if paid else "not run" if told_elsewhere else "failed"
    return first


def failed(check: Check, failure: Failure, status: str = "failed") -> CheckResult:
    """The result of ``check`` failed with ``failure``: its text, in the order DESIGN.md gives."""
    lines = [failure.summary]
    example = failure.example if failure.show_input else None
    if example:
        lines.append("failing input:" if example.startswith("(edge") else "smallest failing input:")
        lines.extend("  " + line for line in example.splitlines())
    lines.extend(failure.details)
    diagnosis = failure.diagnosis
    if diagnosis is not None:
        lines.append(f"diagnosis: {diagnosis.name}: {diagnosis.explanation}")
        if diagnosis.hint:
            lines.append(f"hint: {diagnosis.hint}")
    return CheckResult(
        check.name, check.title, False, 0.0, check.points, "\n".join(lines),
        diagnosis=diagnosis.name if diagnosis else None,
        hint=diagnosis.hint if diagnosis else None,
        example=example, status=status, kind=check.kind,
        internal_error=failure.internal_error,
    )
