"""Sample objects for the authorization policy table: each one is pia's to act on.

In Acme, pia (a participant) and her colleague Cole; see peercoach/conftest.py.
"""

from __future__ import annotations

from typing import Any

from peercoach.feedback import services


def grant_from_pia(personas: Any) -> int:
    """Pia invited Cole's feedback: hers to revoke."""
    return services.feedback_grant_give(grantor=personas.pia_person, grantee=personas.colleague).pk


def feedback_to_pia(personas: Any) -> int:
    services.feedback_grant_give(grantor=personas.pia_person, grantee=personas.colleague)
    feedback = services.feedback_send(
        author=personas.colleague, recipient=personas.pia_person, text="Your demo was clear."
    )
    return feedback.pk


def help_request_to_pia(personas: Any) -> int:
    """Cole asks pia for help: she may read and answer it."""
    request = services.help_request_post(
        requester=personas.colleague,
        topic="Planning a workshop",
        audience="peers",
        peers=[personas.pia_person],
    )
    return request.pk


def help_reply_to_pia(personas: Any) -> int:
    """Cole's answer to pia's request: hers to mark as used and to thank for."""
    request = services.help_request_post(
        requester=personas.pia_person,
        topic="Saying no kindly",
        audience="peers",
        peers=[personas.colleague],
    )
    reply = services.help_reply_post(
        request=request, author=personas.colleague, text="I offer a later date instead."
    )
    return reply.pk


def advice_offer_to_pia(personas: Any) -> int:
    offer = services.advice_offer_send(
        offerer=personas.colleague,
        recipient=personas.pia_person,
        topic="Slides",
        advice="Fewer words per slide.",
    )
    return offer.pk
