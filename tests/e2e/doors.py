"""What the door tests share: the command line run on an application already open."""

from __future__ import annotations

from service.cli import support as cli_support


class OpenContext(cli_support.Context):
    """The command line's context on an application already open on the store (opening one for every
    command would make this table slow to run); the commands themselves run as typed."""

    shared = None

    @property
    def _app(self):  # read by the command group when it closes: this application stays open
        return None

    @_app.setter
    def _app(self, value):
        pass

    @property
    def app(self):
        return self.shared
