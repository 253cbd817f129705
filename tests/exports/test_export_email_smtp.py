"""End to end through a real SMTP server (aiosmtpd on a local port): the export email arrives
as HTML + text in the member's language, and its link downloads the file."""

from __future__ import annotations

import email
import re
import socket
from collections.abc import Iterator
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.utils import translation

from exports import services
from reporting.compute.periods import Period
from reporting.services import ReportFilters
from tests.exports.helpers import build_shop, export_dir, job_of  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("export_dir")]


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp_inbox(settings: Any) -> Iterator[Inbox]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = controller.hostname, controller.port
    settings.EMAIL_USE_TLS = False
    try:
        yield inbox
    finally:
        controller.stop()


def _parts(message: Message) -> dict[str, str]:
    return {
        part.get_content_type(): part.get_payload(decode=True).decode(  # type: ignore[union-attr]
            part.get_content_charset() or "utf-8"
        )
        for part in message.walk()
        if not part.is_multipart()
    }


def test_the_export_email_reaches_a_real_smtp_server_and_its_link_downloads_the_file(
    smtp_inbox: Inbox, django_capture_on_commit_callbacks: Any
) -> None:
    shop = build_shop()
    with translation.override("nl"), django_capture_on_commit_callbacks(execute=True):
        job = services.request_campaign_export(
            campaign=shop.campaign,
            user=shop.owner,
            fmt="csv",
            filters=ReportFilters(period=Period(None, None)),
            sections=["overview"],
        )
    assert len(smtp_inbox.messages) == 1
    message = smtp_inbox.messages[0]
    assert message["To"] == "owner@shop.test"
    with translation.override("nl"):
        expected_subject = translation.gettext("Export ready: %(name)s") % {"name": "Forår på Ærø"}
    assert str(email.header.make_header(email.header.decode_header(message["Subject"]))) == (
        expected_subject
    )
    parts = _parts(message)
    assert set(parts) == {"text/plain", "text/html"}
    link = re.search(r"http://testserver(/w/shop/exports/download/[^/\s\"]+/)", parts["text/plain"])
    assert link is not None and link.group(0) in parts["text/html"]
    assert job_of(job.pk).emailed_at is not None

    response = shop.client("owner").get(link.group(1))
    assert response.status_code == 200
    assert b"".join(response).decode("utf-8-sig").splitlines()[1].split(",")[1] == "0"
