"""Shared fixtures: one stack for the whole session (tests that break the stack
on purpose start their own), an admin client, and organisations to act as."""
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))
import epart  # noqa: E402


@pytest.fixture(scope="session")
def stack():
    s = epart.Stack(workers=2).start()
    yield s
    reports = s.stop()
    assert not reports, "sanitizer reports: %s" % reports


@pytest.fixture(scope="session")
def admin(stack):
    return stack.client(epart.admin_token())


@pytest.fixture(scope="session")
def org_factory(admin):
    def make(**kw):
        r = admin.post("/v1/organisations", epart.organisation_body(**kw))
        assert r.status == 201, r
        return r.json
    return make


@pytest.fixture(scope="session")
def pass_org(org_factory):
    return org_factory(kind="pass_ville", name="PASS de test")


@pytest.fixture(scope="session")
def ccas_org(org_factory):
    return org_factory(kind="ccas", name="CCAS de test")


@pytest.fixture(scope="session")
def other_org(org_factory):
    """An organisation of another caisse, for cross-scope attempts."""
    return org_factory(kind="ccas", caisse="751", name="CCAS d'ailleurs")


@pytest.fixture
def partner(stack, pass_org):
    return stack.client(epart.partner_token(pass_org["id"]))


@pytest.fixture
def instructor(stack):
    return stack.client(epart.instructor_token("171"))
