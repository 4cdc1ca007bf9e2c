"""Every read model Coproduce keeps."""

from projections import accountability, audit_trail, chain, hub_board, hub_people, my_input, owned_actions, timeline
from projections import messages_due

VIEWS = [chain.view, timeline.view, my_input.view, hub_board.view, accountability.view, audit_trail.view,
         owned_actions.view, hub_people.view]
VIEWS.append(messages_due.view)
