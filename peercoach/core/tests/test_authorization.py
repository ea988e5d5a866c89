"""Every URL and API operation, requested as every role, against the policy table."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from peercoach.core.api import api
from peercoach.core.tests import authorization_policy as policy
from peercoach.core.tests.authorization_policy import Rule
from peercoach.testing.factories import UserFactory

API_PREFIX = "/api/v1"


@dataclass(frozen=True)
class Route:
    key: str  # the URL name, or the route for unnamed patterns
    route: str  # Django route/regex, for building a concrete URL
    is_api_operation: bool = False


def _walk(
    patterns: list[URLPattern | URLResolver], prefix: str, namespace: str | None
) -> Iterator[Route]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        else:
            route = prefix + str(pattern.pattern)
            name = pattern.name and (f"{namespace}:{pattern.name}" if namespace else pattern.name)
            yield Route(key=name or route, route=route)


def _is_api_operation(route: Route, schema_paths: set[str]) -> bool:
    """API operations are checked per method below; their URL patterns are skipped here."""
    as_openapi = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route.route)
    return as_openapi in schema_paths


def all_routes() -> list[Route]:
    schema_paths = set(api.get_openapi_schema()["paths"])
    return [
        r
        for r in _walk(get_resolver().url_patterns, "/", None)
        if not _is_api_operation(r, schema_paths)
    ]


def all_api_operations() -> list[str]:
    schema = api.get_openapi_schema()
    return sorted(
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method in operations
    )


def rule_for(route: Route) -> Rule | None:
    if route.key in policy.URL_POLICY:
        return policy.URL_POLICY[route.key]
    if route.route.startswith("/" + policy.ADMIN_PREFIX):
        return Rule(superuser_only=True)
    return None


_PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>|\(\?P<(\w+)>[^)]*\)")


def concrete_url(route: str, personas: object) -> str:
    """Fill a route's parameters with sample values, then strip regex syntax."""

    def fill(match: re.Match[str]) -> str:
        name = match.group(2) or match.group(3)
        if name == "app_label":
            return "people"
        return str(policy.SAMPLE_OBJECTS[name](personas))

    url = _PARAMETER.sub(fill, route)
    return url.replace("^", "").replace("$", "")


def test_every_url_has_a_policy_row() -> None:
    missing = sorted(r.key for r in all_routes() if rule_for(r) is None)
    assert missing == [], f"Add these URLs to authorization_policy.URL_POLICY: {missing}"


def test_every_api_operation_has_a_policy_row() -> None:
    missing = sorted(set(all_api_operations()) - set(policy.API_POLICY))
    assert missing == [], f"Add these operations to authorization_policy.API_POLICY: {missing}"


def test_policy_has_no_rows_for_urls_that_no_longer_exist() -> None:
    keys = {r.key for r in all_routes()}
    assert sorted(set(policy.URL_POLICY) - keys) == []
    assert sorted(set(policy.API_POLICY) - set(all_api_operations())) == []


def _client(personas, role: str) -> Client:
    users = {
        policy.ANONYMOUS: None,
        policy.PARTICIPANT: personas.pia,
        policy.PROGRAM_MANAGER: personas.pam,
        policy.SPONSOR: personas.sid,
        policy.ORGANIZATION_ADMIN: personas.ada,
        policy.OTHER_ORGANIZATION: personas.otto,
    }
    return personas.client_for(users[role])


def expected_outcome(rule: Rule, role: str, *, uses_objects: bool) -> str:
    if rule.superuser_only:
        return "admin_login"
    if rule.public:
        return "open"
    if role == policy.ANONYMOUS:
        return "login"
    if role == policy.OTHER_ORGANIZATION:
        if uses_objects and rule.names_object:
            return "not_found"
        return "allowed" if rule.allowed & policy.OTHER_ORGANIZATION_ROLES else "forbidden"
    return "allowed" if role in rule.allowed else "forbidden"


def assert_outcome(response, expected: str, *, api_call: bool, where: str) -> None:
    status = response.status_code
    detail = f"{where}: got {status}, expected {expected}"
    assert status < 500, detail
    if expected == "open":
        assert status not in (401, 403), detail
    elif expected == "allowed":
        assert status not in (401, 403, 404), detail
        if status in (301, 302):
            assert settings.LOGIN_URL not in response["Location"], detail
            assert "/accounts/login/" not in response["Location"], detail
    elif expected == "login":
        if api_call:
            assert status == 401, detail
        else:
            assert status == 302, detail
            assert response["Location"].startswith("/accounts/login/"), detail
    elif expected == "admin_login":
        assert status in (302, 404), detail  # the admin's catch-all answers 404 to unknown URLs
        if status == 302:
            assert "/django-admin/login/" in response["Location"], detail
    elif expected == "forbidden":
        assert status == 403, detail
    elif expected == "not_found":
        assert status == 404, detail


def _url_cases() -> list[tuple[str, str]]:
    return [(route.key, role) for route in all_routes() for role in policy.ROLES]


@pytest.mark.parametrize(("key", "role"), _url_cases())
def test_url_answers_each_role_as_the_policy_says(personas, key: str, role: str) -> None:
    route = next(r for r in all_routes() if r.key == key)
    rule = rule_for(route)
    assert rule is not None, f"no policy row for {key}"
    url = concrete_url(route.route, personas)
    uses_objects = bool(_PARAMETER.search(route.route))
    expected = expected_outcome(rule, role, uses_objects=uses_objects)
    for method in rule.methods:
        client = _client(personas, role)
        response = client.get(url) if method == "GET" else client.post(url, {})
        assert_outcome(response, expected, api_call=False, where=f"{method} {url} as {role}")


def _api_cases() -> list[tuple[str, str]]:
    return [(operation, role) for operation in all_api_operations() for role in policy.ROLES]


@pytest.mark.parametrize(("operation", "role"), _api_cases())
def test_api_operation_answers_each_role_as_the_policy_says(
    personas, operation: str, role: str
) -> None:
    rule = policy.API_POLICY[operation]
    method, path = operation.split(" ", 1)
    url = re.sub(r"\{(\w+)\}", lambda m: str(policy.SAMPLE_OBJECTS[m.group(1)](personas)), path)
    uses_objects = "{" in path
    expected = expected_outcome(rule, role, uses_objects=uses_objects)
    client = _client(personas, role)
    response = client.generic(method, url, content_type="application/json", data="{}")
    assert_outcome(response, expected, api_call=True, where=f"{operation} as {role}")


def test_django_admin_opens_for_superusers_only(personas) -> None:
    superuser = UserFactory(email="root@example.com", is_staff=True, is_superuser=True)
    staff = UserFactory(email="staff@example.com", is_staff=True)
    assert personas.client_for(superuser).get("/django-admin/").status_code == 200
    response = personas.client_for(staff).get("/django-admin/")
    assert response.status_code == 302
    assert "/django-admin/login/" in response["Location"]
