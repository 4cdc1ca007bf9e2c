"""Every read model Coproduce keeps."""

from projections import accountability, audit_trail, chain, hub_board, my_input, timeline

VIEWS = [chain.view, timeline.view, my_input.view, hub_board.view, accountability.view, audit_trail.view]
