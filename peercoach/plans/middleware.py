"""A missing or wrong encryption key becomes a calm page, not a stack trace.

Without its key the server cannot read or write notes and plans. People see a short explanation
(503, nothing lost: the request changed nothing), and the log gets one line for the operator,
naming the problem but never any sealed value.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from peercoach.plans.sealing import EncryptionKeyMissingError, SealError

logger = logging.getLogger(__name__)


class SealingProblemMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, EncryptionKeyMissingError):
            logger.error("Encryption key missing: %s", exception)
        elif isinstance(exception, SealError):
            logger.error("Sealed value did not open on %s: %s", request.path, exception)
        else:
            return None
        if request.path.startswith("/api/"):
            detail = "Notes and plans can't be opened right now. Please try again later."
            return HttpResponse(
                f'{{"detail": "{detail}"}}', status=503, content_type="application/json"
            )
        return render(request, "plans/unavailable.html", status=503)
