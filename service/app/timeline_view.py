"""An issue's history as one person may read it: people named by the disclosure policy."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from service.app import disclosure
from service.app.authorization import Who

OWN_INPUT_ACTS = {"ContributionRecorded", "ContributionWithdrawn",  # acts an expert may do on their own input
                  "ContributionConfirmed", "ContributionCorrected", "ConsentChanged"}
RATED = "ParticipationRated"
AN_EXPERT = "an expert"


class TimelineNaming:
    """`projections.describe.Naming` for one reader of one issue's history.

    `recorded` maps each contribution id of the issue to its `ContributionRecorded` details, so
    that a withdrawal by an expert who asked not to be named does not name them either."""

    def __init__(self, viewer: Who, hub_id: UUID | str, names: Callable[[str], str],
                 recorded: dict[str, dict[str, Any]]):
        self.viewer, self.hub_id, self.names, self.recorded = viewer, hub_id, names, recorded

    def account(self, account_id: str) -> str:
        return self.names(account_id)

    def _input(self, contribution_id: str) -> disclosure.Input | None:
        details = self.recorded.get(str(contribution_id))
        if details is None:
            return None
        return disclosure.Input(self.hub_id, details["contributor_id"], details["entered_by"],
                                details["may_quote"], details["attribution"])

    def contributor(self, event: Any) -> str:
        item = self._input(event.contribution_id)
        if item is None:
            return disclosure.UNNAMED
        return disclosure.name_shown(self.viewer, item, self.names(str(item.contributor_id)))

    def actor(self, event: Any) -> str:
        actor_id = str(event.actor["id"])
        kind = type(event).__name__
        if kind in OWN_INPUT_ACTS:
            item = self._input(event.contribution_id)
            if item is None or str(item.contributor_id) == actor_id:
                return self.contributor(event)
        if kind == RATED and not self.rating_shown(event):
            return AN_EXPERT
        return self.names(actor_id)

    def rating_shown(self, event: Any) -> bool:
        return disclosure.sees_rating_of(self.viewer, event.actor["id"])
