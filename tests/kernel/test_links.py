import pytest

from yingji.core import links


def test_provide_call_and_default():
    def answer(x, *, y=1):
        return x + y

    links.provide("testmod.answer", answer)
    assert links.call("testmod.answer", 2, y=3) == 5
    assert links.get("testmod.answer") is answer
    assert "testmod.answer" in links.provided()
    assert links.call("nobody.provides", default=[]) == []
    with pytest.raises(LookupError):
        links.call("nobody.provides")


def test_two_providers_for_one_name_is_an_error():
    links.provide("testmod.one", lambda: 1)
    with pytest.raises(ValueError):
        links.provide("testmod.one", print)
    with pytest.raises(ValueError):
        links.provide("undotted", print)


def test_decorator_form():
    @links.provide("testmod.decorated")
    def f():
        return "ok"

    assert links.call("testmod.decorated") == "ok"
