"""The ladder of participation: the rung at which a decision was taken."""

from enum import Enum


class ParticipationLevel(str, Enum):
    """Rungs of the ladder, lowest first (Think Local Act Personal's ladder).

    The order written here is the ladder's order: `policies.ladder()` and every page derive from it."""

    COERCION = "coercion"
    EDUCATING = "educating"
    INFORMING = "informing"
    CONSULTATION = "consultation"
    ENGAGEMENT = "engagement"
    CO_DESIGN = "co-design"
    CO_PRODUCTION = "co-production"

    @property
    def rung(self) -> int:
        """1 for the lowest rung, 7 for co-production."""
        return list(ParticipationLevel).index(self) + 1
