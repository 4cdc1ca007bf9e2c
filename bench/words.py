"""Plain phrases the generator combines into titles and notes, chosen by a seeded random."""

from __future__ import annotations

from random import Random

SUBJECTS = ["GP registration", "benefit appointments", "hostel curfews", "dental care", "bus fares",
            "mental health referrals", "housing waiting lists", "probation meetings", "food bank hours",
            "pharmacy collection", "debt advice", "council tax letters", "detox places", "ID documents"]
PROBLEMS = ["needs a fixed address", "is only online", "clashes with other appointments", "ends without notice",
            "needs a phone", "asks for the same story again", "is far from town", "has no interpreter"]
PEOPLE = ["people sleeping rough", "people leaving prison", "people in temporary housing",
          "people in recovery", "care leavers", "people without a phone"]
ORGANISATIONS = ["Housing options", "GP federation", "Job centre", "Library service", "University team",
                 "Probation service", "Drug and alcohol service", "Council customer services"]
PLACES = ["community centre", "library", "day centre", "church hall", "online"]


def pick(rng: Random, words: list[str]) -> str:
    return words[rng.randrange(len(words))]


def title(rng: Random) -> str:
    return f"{pick(rng, SUBJECTS).capitalize()} {pick(rng, PROBLEMS)}"


def sentence(rng: Random, about: str) -> str:
    """A short note of about 80 characters, like most input and progress notes."""
    return f"{about}: {pick(rng, SUBJECTS)} {pick(rng, PROBLEMS)} for {pick(rng, PEOPLE)} (note {rng.randrange(10**6)})."
