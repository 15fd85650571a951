"""The demo city reads like a real registry: no two teams share a name, addresses name the city once, and a
team's roster is as long as its headcount."""

from __future__ import annotations

from collections import Counter

import pytest
from django.db.models import Count

from yingji.core.demo import seed_demo
from yingji.resources.models import Team, Warehouse


@pytest.mark.django_db
def test_demo_teams_have_own_names_full_rosters_and_addresses_name_the_city_once():
    seed_demo()
    names = Counter(Team.objects.values_list("name", flat=True))
    assert [n for n, c in names.items() if c > 1] == []
    assert not Warehouse.objects.filter(address__contains="示范市示范市").exists()
    rosters = Team.objects.annotate(n=Count("members")).values_list("name", "headcount", "n")
    assert [r for r in rosters if r[1] != r[2]] == []
