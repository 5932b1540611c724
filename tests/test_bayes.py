"""The maths of contribution tracing (impact/tracing/bayes.py), checked against results worked by hand."""
from __future__ import annotations

import itertools
import math

import pytest

from impact.tracing.bayes import (
    PRESETS,
    Evidence,
    UndefinedUpdate,
    first_undefined,
    posterior,
    prior_sensitivity,
    trace,
    update,
)
from impact.tracing.models import TestType


def odds_posterior(prior: float, evidence: list[Evidence]) -> float:
    """Independent derivation: posterior odds = prior odds × the product of the likelihood ratios."""
    odds = prior / (1 - prior)
    for item in evidence:
        if item.found:
            odds *= item.sensitivity / item.type_one_error
        else:
            odds *= (1 - item.sensitivity) / (1 - item.type_one_error)
    return odds / (1 + odds)


# The three worked results in the issue.

def test_found_evidence_with_sensitivity_09_and_type_one_error_01_moves_a_half_to_090():
    assert update(0.5, Evidence(0.9, 0.1, True)) == pytest.approx(0.90)


def test_smoking_gun_found_from_a_half_gives_094():
    result = update(0.5, Evidence(0.3, 0.02, True))
    assert result == pytest.approx(0.9375)  # 0.15 / (0.15 + 0.01)
    assert round(result, 2) == 0.94


def test_failed_hoop_test_from_a_half_gives_011():
    result = update(0.5, Evidence(0.95, 0.6, False))
    assert result == pytest.approx(0.025 / 0.225)  # 0.5·0.05 / (0.5·0.05 + 0.5·0.4)
    assert round(result, 2) == 0.11


def test_the_presets_reproduce_the_worked_results():
    assert update(0.5, Evidence(*PRESETS[TestType.SMOKING_GUN], True)) == pytest.approx(0.9375)
    assert update(0.5, Evidence(*PRESETS[TestType.HOOP], False)) == pytest.approx(1 / 9)


# Chains of several items.

CHAIN = [
    Evidence(0.95, 0.6, True),   # hoop passed: LR 1.583
    Evidence(0.6, 0.4, True),    # straw in the wind found: LR 1.5
    Evidence(0.3, 0.02, False),  # smoking gun not found: LR 0.714
    Evidence(0.9, 0.1, True),    # LR 9
]


def test_a_chain_of_several_items_equals_the_product_of_likelihood_ratios():
    # By hand: prior odds 0.3/0.7; × 0.95/0.6 × 0.6/0.4 × 0.7/0.98 × 9 = 0.4286 × 15.268 = 6.5434; p = 0.8674.
    expected_odds = (0.3 / 0.7) * (0.95 / 0.6) * (0.6 / 0.4) * (0.7 / 0.98) * (0.9 / 0.1)
    assert expected_odds == pytest.approx(6.5434, abs=1e-4)
    assert posterior(0.3, CHAIN) == pytest.approx(expected_odds / (1 + expected_odds))
    assert posterior(0.3, CHAIN) == pytest.approx(odds_posterior(0.3, CHAIN))


def test_each_step_of_a_trace_starts_where_the_last_one_ended():
    steps = trace(0.3, CHAIN)
    assert [step.before for step in steps] == [0.3] + [step.after for step in steps[:-1]]
    assert steps[0].after == pytest.approx(update(0.3, CHAIN[0]))
    assert steps[2].change < 0  # the smoking gun not found lowers confidence
    assert all(step.change > 0 for index, step in enumerate(steps) if index != 2)


def test_the_final_posterior_does_not_depend_on_the_order():
    results = {round(posterior(0.3, list(order)), 12) for order in itertools.permutations(CHAIN)}
    assert len(results) == 1
    # ...though the intermediate confidences do.
    assert trace(0.3, CHAIN)[0].after != trace(0.3, CHAIN[::-1])[0].after


def test_no_evidence_leaves_the_prior():
    assert posterior(0.42, []) == 0.42
    assert trace(0.42, []) == []


# Evidence sought but not found.

def test_evidence_sought_but_not_found_uses_the_complements():
    # p(1-s) / (p(1-s) + (1-p)(1-a)) = 0.4·0.1 / (0.04 + 0.6·0.7) = 0.04/0.46
    assert update(0.4, Evidence(0.9, 0.3, False)) == pytest.approx(0.04 / 0.46)


def test_a_smoking_gun_not_found_hardly_hurts_the_claim():
    after = update(0.5, Evidence(0.3, 0.02, False))
    assert after == pytest.approx(0.35 / (0.35 + 0.49))  # 0.4167
    assert 0.4 < after < 0.5


def test_doubly_decisive_moves_confidence_a_lot_both_ways():
    s, a = PRESETS[TestType.DOUBLY_DECISIVE]
    assert update(0.5, Evidence(s, a, True)) == pytest.approx(0.95)
    assert update(0.5, Evidence(s, a, False)) == pytest.approx(0.05)
    assert update(0.2, Evidence(1.0, 0.0, True)) == 1.0  # perfectly decisive: proves it
    assert update(0.8, Evidence(1.0, 0.0, False)) == 0.0  # ...or rules it out


def test_straw_in_the_wind_only_nudges():
    s, a = PRESETS[TestType.STRAW_IN_THE_WIND]
    found, missed = update(0.5, Evidence(s, a, True)), update(0.5, Evidence(s, a, False))
    assert found == pytest.approx(0.6)
    assert missed == pytest.approx(0.4)


def test_evidence_with_no_probative_value_changes_nothing():
    for prior in (0.0, 0.13, 0.5, 0.99, 1.0):
        for value, found in ((0.7, True), (0.7, False), (0.0, False), (1.0, True)):
            evidence = Evidence(value, value, found)
            assert not evidence.probative
            assert update(prior, evidence) == pytest.approx(prior)
    assert Evidence(0.7, 0.7, True).likelihood_ratio == 1


def test_likelihood_ratio_of_found_and_missed_evidence():
    assert Evidence(0.3, 0.02, True).likelihood_ratio == pytest.approx(15)
    assert Evidence(0.95, 0.6, False).likelihood_ratio == pytest.approx(0.125)
    assert Evidence(0.5, 0.0, True).likelihood_ratio is None  # infinite: impossible if the claim is false


# Undefined updates and bad input.

@pytest.mark.parametrize("prior, evidence", [
    (0.5, Evidence(0.0, 0.0, True)),   # can never be found, yet was
    (0.5, Evidence(1.0, 1.0, False)),  # is always found, yet was not
    (1.0, Evidence(0.0, 0.4, True)),   # certain claim, evidence impossible if it is true
    (1.0, Evidence(1.0, 0.4, False)),
    (0.0, Evidence(0.4, 0.0, True)),   # claim ruled out, evidence impossible if it is false
    (0.0, Evidence(0.4, 1.0, False)),
])
def test_impossible_outcomes_raise_undefined_update(prior, evidence):
    with pytest.raises(UndefinedUpdate) as raised:
        update(prior, evidence)
    assert "cannot have been" in str(raised.value)
    # After a harmless first item, it is still the second one that breaks the chain.
    assert first_undefined(prior, [Evidence(0.6, 0.4, True), evidence]) == 1


def test_first_undefined_names_the_item_that_breaks_the_chain():
    # A perfect smoking gun proves the claim; evidence impossible if the claim is true then cannot be found.
    chain = [Evidence(0.6, 0.4, True), Evidence(0.5, 0.0, True), Evidence(0.0, 0.3, True)]
    assert first_undefined(0.5, chain) == 2
    assert first_undefined(0.5, chain[:2]) is None
    with pytest.raises(UndefinedUpdate):
        posterior(0.5, chain)
    # Whatever the order, the chain stays undefined (the outcomes contradict each other).
    assert all(first_undefined(0.5, list(order)) is not None for order in itertools.permutations(chain))


@pytest.mark.parametrize("prior, evidence", [
    (1.2, Evidence(0.5, 0.5, True)),
    (-0.1, Evidence(0.5, 0.5, True)),
    (0.5, Evidence(1.5, 0.5, True)),
    (0.5, Evidence(0.5, -0.01, True)),
])
def test_probabilities_outside_zero_to_one_are_rejected(prior, evidence):
    with pytest.raises(ValueError, match="between 0 and 1"):
        update(prior, evidence)


def test_a_prior_of_zero_or_one_stays_put_when_defined():
    for evidence in CHAIN:
        assert update(0.0, evidence) == 0.0
        assert update(1.0, evidence) == 1.0
    assert posterior(1.0, CHAIN) == 1.0


# How the conclusion depends on the prior.

def test_prior_sensitivity_lists_each_prior_with_its_posterior():
    rows = prior_sensitivity(CHAIN)
    assert [prior for prior, _ in rows] == pytest.approx([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9])
    for prior, result in rows:
        assert result == pytest.approx(odds_posterior(prior, CHAIN))
    results = [result for _, result in rows]
    assert results == sorted(results)  # a higher prior never gives a lower posterior


def test_prior_sensitivity_marks_undefined_priors():
    rows = prior_sensitivity([Evidence(0.0, 0.3, True)], priors=(0.5, 1.0))
    assert rows[0] == (0.5, 0.0)
    assert rows[1] == (1.0, None)
    assert math.isclose(rows[0][1], 0.0)
