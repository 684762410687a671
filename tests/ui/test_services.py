"""The app's services: one typed object both apps hold, found with services_of, never a silent fallback."""

from __future__ import annotations

import pytest

from cuetui.farm.connection import LIVE
from cuetui.gateway.auth import GatewayAuth
from cuetui.gateway.client import GatewayClient
from cuetui.gateway.errors import Unreachable
from cuetui.ui.options import UiOptions
from cuetui.ui.services import Services, services_of, shell_of

URL = "http://127.0.0.1:9"  # never called: nothing here sends a request


class Holder:
    def __init__(self, services: Services) -> None:
        self.services = services


def test_services_are_built_once_from_the_client_and_options() -> None:
    services = Services(
        GatewayClient(URL, GatewayAuth(token="t")), UiOptions(url=URL, read_only=True), clock=lambda: 5.0
    )
    assert services.actions.read_only and services.clock() == 5.0
    assert services_of(Holder(services)) is services
    services.connection.failure(Unreachable("down", URL), 4.0)
    assert services.connection.status.text(5.0) == f"unreachable at {URL}, retrying in 4 s"
    services.connection.success()
    assert services.connection.status.state == LIVE and services.connection.status.last_success == 5.0


def test_an_app_without_services_is_an_error_not_a_fallback() -> None:
    with pytest.raises(TypeError, match="holds no cuetui Services"):
        services_of(object())
    services = Services(GatewayClient(URL, GatewayAuth(token="t")), UiOptions(url=URL))
    with pytest.raises(TypeError, match="not a cuetui shell app"):
        shell_of(Holder(services))  # services, but no navigation between screens
