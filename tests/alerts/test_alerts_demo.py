"""The warnings demo: a published warning in the CAP feed, drafts awaiting approval, one exercise, the default
disaster chain; a second run adds nothing."""

from __future__ import annotations

import random

import pytest
from django.test import Client
from lxml import etree

from yingji.alerts import demo
from yingji.alerts.models import ChainLink, State, Warning
from yingji.core.demo import DemoContext

pytestmark = pytest.mark.django_db


def test_demo_seed(city):
    ctx = DemoContext(city=city.city, districts=[city.A, city.B], towns=[*city.towns, city.far], communities=[],
                      departments=[], enterprises=[], rescue_orgs=[], rng=random.Random(1), progress=lambda m: None)
    demo.seed(ctx)
    states = list(Warning.objects.values_list("state", flat=True))
    assert states.count(State.PUBLISHED) == 2 and states.count(State.PENDING) == 2
    assert Warning.objects.filter(is_exercise=True, state=State.PUBLISHED).exists()
    assert Warning.objects.filter(source="rule", state=State.DRAFT).count() == 1
    assert ChainLink.objects.filter(cause="rainstorm").count() >= 4
    feed = etree.fromstring(Client().get("/cap/index.atom").content)
    assert len(feed.findall("{http://www.w3.org/2005/Atom}entry")) == 2
    n = Warning.objects.count()
    demo.seed(ctx)
    assert Warning.objects.count() == n
