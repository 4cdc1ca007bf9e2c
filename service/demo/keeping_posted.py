"""The demo's story of keeping people posted: how two experts of Cambridge & South chose to hear
from the hub, and news given out at a monthly meeting."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from service.demo.load import Demo

CS = "Cambridge & South"  # as in stories.py
EVERYTHING = {"topics": ["feedback", "progress", "actions", "closed"], "how_often": "each_time",
              "email": "", "phone": "", "postal_address": ""}


def keeping_posted(d: Demo) -> Iterator[date]:
    """Alex hears at the hub (said at a meeting, written down by Fran); Rob by email, which waits
    until the demo's operator sets up a mail server, and at the hub; Alex's news is given out at a
    later meeting. News about input given without a name never goes on the hub's sheet."""
    yield date(2022, 6, 14)
    app = d.app
    app.choose_contact_for(d.person("alex"), d.hubs[CS], d.sessions[CS], {**EVERYTHING, "ways": ["hub"]},
                           d.actors["fran"])
    yield date(2022, 7, 12)
    app.choose_contact(d.actors["rob"], {**EVERYTHING, "ways": ["email", "hub"], "how_often": "weekly",
                                         "email": "rob@example.org"})
    yield date(2023, 11, 14)
    alex = str(d.person("alex"))
    given = [item["message_key"] for item in app.hand_over_sheet(d.hubs[CS], d.actors["fran"])
             if item["person_id"] == alex]
    app.hand_over(d.hubs[CS], d.sessions[CS], given, d.actors["fran"])
