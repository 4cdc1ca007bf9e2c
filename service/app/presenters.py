"""Turns aggregates into the plain dicts the response schemas dump."""

from __future__ import annotations

from datetime import date
from typing import Any

from domain import Account, Hub
from service.app.coproduce import Coproduce


def account_view(app: Coproduce, account: Account) -> dict[str, Any]:
    return {"id": account.id, "username": account.username, "role": account.role.value,
            "name": app.display_name(account.id), "hub_ids": account.hub_ids}


def hub_view(hub: Hub) -> dict[str, Any]:
    return {"id": hub.id, "name": hub.name, "area": hub.area, "lifecycle": hub.lifecycle.value,
            "opened_on": hub.opened_on and date.fromisoformat(hub.opened_on), "manager_ids": hub.manager_ids, "version": hub.version,
            "published": hub.published}
