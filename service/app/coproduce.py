"""The one application object the CLI, the API and the pages talk to."""

from service.app.account_commands import AccountCommands
from service.app.corrections import InputCorrections
from service.app.deliveries import Deliveries
from service.app.issue_commands import IssueCommands
from service.app.my_data import PersonalCopies
from service.app.newcomers import Newcomers
from service.app.people_queries import PeopleQueries
from service.app.priority_rounds import PriorityRounds
from service.app.public_record import PublicRecord
from service.app.queries import ReadQueries
from service.app.session_input import SessionsWithInput
from service.app.sign_ins import SignIns


class Coproduce(InputCorrections, PersonalCopies, PriorityRounds, IssueCommands, AccountCommands, SignIns, ReadQueries,
                PeopleQueries, Newcomers, PublicRecord, Deliveries, SessionsWithInput):
    """Coproduce: hubs, accounts and systemic issues in one event store."""

    name = "Coproduce"
