"""The one application object the CLI, the API and the pages talk to."""

from service.accounts import AccountCommands
from service.issues import IssueCommands
from service.reads import ReadQueries
from service.sign_ins import SignIns


class Coproduce(IssueCommands, AccountCommands, SignIns, ReadQueries):
    """Coproduce: hubs, accounts and systemic issues in one event store."""

    name = "Coproduce"
