"""Bayes' rule for contribution tracing, one piece of evidence at a time.

For a claim with confidence p, evidence E with sensitivity s = P(E | claim) and type-I
error a = P(E | not claim) moves confidence to

    found:      p·s / (p·s + (1-p)·a)
    not found:  p·(1-s) / (p·(1-s) + (1-p)·(1-a))

The update is undefined when the denominator is 0 (e.g. evidence found that could
not be found either way: s = a = 0). Evidence with s = a changes nothing: it has no
probative value, however it turns out.
"""
from __future__ import annotations

from dataclasses import dataclass

from impact.tracing.models import TestType

# Typical values for the four classic process-tracing tests (Befani and Mayne 2014;
# Befani and Stedman-Bryce 2017): (sensitivity, type-I error).
PRESETS: dict[TestType, tuple[float, float]] = {
    TestType.STRAW_IN_THE_WIND: (0.6, 0.4),  # neither certain nor unique: nudges confidence a little
    TestType.HOOP: (0.95, 0.6),  # certain but not unique: failing it sinks the claim, passing proves little
    TestType.SMOKING_GUN: (0.3, 0.02),  # unique but not certain: finding it nearly proves the claim
    TestType.DOUBLY_DECISIVE: (0.95, 0.05),  # certain and unique
}

PRESET_EXPLANATIONS: dict[TestType, str] = {
    TestType.STRAW_IN_THE_WIND: "Likely-ish either way: finding it or not moves confidence a little.",
    TestType.HOOP: "Expected if the claim is true, but common anyway: failing it weakens the claim a lot.",
    TestType.SMOKING_GUN: "Rarely found, but hardly ever found if the claim is false: finding it strengthens the "
                          "claim a lot.",
    TestType.DOUBLY_DECISIVE: "Expected if the claim is true and rare otherwise: decisive either way.",
    TestType.CUSTOM: "Sensitivity and type-I error set by hand.",
}


class UndefinedUpdate(ValueError):
    """The evidence cannot have turned out this way under either hypothesis (at this confidence)."""


@dataclass(frozen=True)
class Evidence:
    sensitivity: float  # P(E | claim true)
    type_one_error: float  # P(E | claim false)
    found: bool

    @property
    def probative(self) -> bool:
        return self.sensitivity != self.type_one_error

    @property
    def likelihood_ratio(self) -> float | None:
        """How many times likelier this outcome is if the claim is true; None when infinite."""
        true_given, false_given = self._likelihoods()
        return None if false_given == 0 else true_given / false_given

    def _likelihoods(self) -> tuple[float, float]:
        if self.found:
            return self.sensitivity, self.type_one_error
        return 1 - self.sensitivity, 1 - self.type_one_error


def check_probability(value: float, what: str) -> None:
    if not 0 <= value <= 1:
        raise ValueError(f"{what} must be between 0 and 1.")


def update(prior: float, evidence: Evidence) -> float:
    check_probability(prior, "Confidence")
    check_probability(evidence.sensitivity, "Sensitivity")
    check_probability(evidence.type_one_error, "Type-I error")
    true_given, false_given = evidence._likelihoods()
    denominator = prior * true_given + (1 - prior) * false_given
    if denominator == 0:
        raise UndefinedUpdate(why_undefined(prior, evidence))
    return prior * true_given / denominator


def why_undefined(confidence: float, evidence: Evidence) -> str:
    """Explain, in words, why this outcome cannot happen at this confidence (the update is undefined)."""
    s, a = evidence.sensitivity, evidence.type_one_error
    if evidence.found:
        outcome, never, never_true, never_false = "found", "never found", s == 0, a == 0
    else:
        outcome, never, never_true, never_false = "sought but not found", "always found", s == 1, a == 1
    if never_true and never_false:
        return (f"With sensitivity {s:g} and type-I error {a:g} this evidence is {never} whether or not the "
                f"claim is true, so it cannot have been {outcome}: Bayes' rule has nothing to update on. "
                "Change the sensitivity or the type-I error, or whether it was found.")
    if confidence == 1:
        return (f"Confidence in the claim is 100% at this point, and with sensitivity {s:g} this evidence is "
                f"{never} when the claim is true, so it cannot have been {outcome}. Lower the prior below "
                "100%, or change the sensitivity or whether it was found.")
    return (f"Confidence in the claim is 0% at this point, and with type-I error {a:g} this evidence is "
            f"{never} when the claim is false, so it cannot have been {outcome}. Raise the prior above 0%, "
            "or change the type-I error or whether it was found.")


@dataclass(frozen=True)
class Step:
    """One update in a trace: confidence before and after one piece of evidence."""

    evidence: Evidence
    before: float
    after: float

    @property
    def change(self) -> float:
        return self.after - self.before


def trace(prior: float, evidence: list[Evidence]) -> list[Step]:
    """Update item by item; raises UndefinedUpdate (naming no item) if any update is undefined."""
    steps, confidence = [], prior
    for item in evidence:
        after = update(confidence, item)
        steps.append(Step(item, confidence, after))
        confidence = after
    return steps


def posterior(prior: float, evidence: list[Evidence]) -> float:
    steps = trace(prior, evidence)
    return steps[-1].after if steps else prior


def first_undefined(prior: float, evidence: list[Evidence]) -> int | None:
    """Index of the first item whose update is undefined, or None if the whole trace is defined."""
    confidence = prior
    for index, item in enumerate(evidence):
        try:
            confidence = update(confidence, item)
        except UndefinedUpdate:
            return index
    return None


SENSITIVITY_PRIORS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


def prior_sensitivity(evidence: list[Evidence], priors=SENSITIVITY_PRIORS) -> list[tuple[float, float | None]]:
    """The final confidence each other prior would give (None where the trace is undefined)."""
    rows = []
    for prior in priors:
        try:
            rows.append((prior, posterior(prior, evidence)))
        except UndefinedUpdate:
            rows.append((prior, None))
    return rows
