"""Text messages, email and letters through GOV.UK Notify, with its official client.

`COPRODUCE_NOTIFY_API_KEY` and one template id per way (`COPRODUCE_NOTIFY_TEXT_TEMPLATE`, `…_EMAIL_…`,
`…_LETTER_…`). Each template shows the personalisation `subject` and `body` (a letter's address goes
in `address_line_1` to `address_line_7`, the postcode last). The `reference` is made from the
message's stable key, so a message sent again after a crash can be found in Notify by it.
"""

from __future__ import annotations

import hashlib

from notifications_python_client.errors import APIError
from notifications_python_client.notifications import NotificationsAPIClient

from service.app.ports import DeliveryFailed, Outgoing

OFFICIAL = "https://api.notifications.service.gov.uk"
TIMEOUT = 15


class NotifyChannel:
    """The `Channel` port for one way (text, email or letter) through GOV.UK Notify."""

    def __init__(self, way: str, api_key: str, template_id: str, base_url: str = OFFICIAL):
        self.way, self.template_id = way, template_id
        self.client = NotificationsAPIClient(api_key, base_url=base_url or OFFICIAL, timeout=TIMEOUT)

    @staticmethod
    def reference(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()[:32]

    def send(self, message: Outgoing) -> None:
        personalisation = {"subject": message.subject, "body": message.text}
        reference = self.reference(message.key)
        try:
            if self.way == "text":
                self.client.send_sms_notification(message.to, self.template_id, personalisation, reference)
            elif self.way == "email":
                self.client.send_email_notification(message.to, self.template_id, personalisation, reference)
            else:
                lines = [line.strip() for line in message.to.splitlines() if line.strip()]
                address = {f"address_line_{n}": line for n, line in enumerate(lines, start=1)}
                self.client.send_letter_notification(self.template_id, {**address, **personalisation}, reference)
        except APIError as error:
            # 400: Notify refused this address or number (trying again cannot help); no answer, or 5xx:
            # Notify is away; the rest are tried again. Notify's own words are not kept: they may quote
            # the number or address.
            raise DeliveryFailed(f"GOV.UK Notify answered {error.status_code}", permanent=error.status_code == 400,
                                 unreachable=error.response is None or error.status_code >= 500) from None

    def close(self) -> None:
        """Nothing to end between passes: each request carries its own signed token."""
