"""Which of a scenario's actors a passage names, by name or alias.

Whole words, case-insensitive ("Russia's" names Russia; "Russian" does not, unless it
is an alias).  One exception: a name or alias written in capitals (an acronym such as US,
EU or CSTO) must match in capitals, since lower-case "us" is a pronoun.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pivotal.scenario import Scenario


@dataclass(frozen=True)
class ActorMatcher:
    """One actor of a scenario and the pattern that finds it."""

    actor_id: str
    name: str
    aliases: tuple[str, ...]
    pattern: re.Pattern[str]


def _term(term: str) -> str:
    body = r"\s+".join(re.escape(word) for word in term.split())
    pattern = rf"(?<!\w){body}(?!\w)"
    return pattern if term.isupper() else f"(?i:{pattern})"


def actor_matchers(scenario: Scenario) -> list[ActorMatcher]:
    """A matcher per actor of the scenario, in the scenario's order."""
    matchers = []
    for actor_id, actor in scenario.actors.items():
        terms = [t for t in dict.fromkeys([actor.name, *actor.aliases]) if t.strip()]
        pattern = re.compile("|".join(_term(t) for t in sorted(terms, key=len, reverse=True)))
        matchers.append(ActorMatcher(actor_id, actor.name, tuple(actor.aliases), pattern))
    return matchers


def find_actors(text: str, matchers: list[ActorMatcher]) -> list[str]:
    """Ids of the actors named in ``text``, in the scenario's order."""
    return [m.actor_id for m in matchers if m.pattern.search(text)]
