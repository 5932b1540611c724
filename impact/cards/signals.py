"""What cards tell the features built on them, without knowing those features."""
from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# Sent with action_ids=[...] after actions gained or lost step tags (the caller has flushed).
action_tags_changed = _signals.signal("action-tags-changed")

# Questions cards ask of the parts that keep something about them. Each is sent with the ActionCard as
# sender; a receiver answers for its own rows (None or an empty answer when it keeps nothing).

# Has the card's writer been contacted about it (a follow-up sent)? Then an online card may not replace it.
card_contacted = _signals.signal("card-contacted")
# Which of action_ids=[...] hold someone's answer? Those actions may not be removed from the card.
actions_answered = _signals.signal("actions-answered")
# Does the card hold evidence (an answer)? Then it is not deleted.
card_holds_evidence = _signals.signal("card-holds-evidence")


def any_says(signal, card, **about) -> bool:
    return any(answer for _receiver, answer in signal.send(card, **about))


def all_named(signal, card, **about) -> set[int]:
    return {each for _receiver, answer in signal.send(card, **about) for each in (answer or ())}
