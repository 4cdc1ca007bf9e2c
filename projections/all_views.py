"""Every read model Coproduce keeps."""

from projections import accountability, audit_trail, hub_board, my_input, timeline

VIEWS = [timeline.view, my_input.view, hub_board.view, accountability.view, audit_trail.view]
