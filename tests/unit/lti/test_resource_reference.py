"""The tool-signed resource reference: round trip, and a table of what is refused."""

from __future__ import annotations

import pytest

from etwin_lti.domain.launches import Resource, ResourceKind
from etwin_lti.lti.deep_linking import resource_link_item
from etwin_lti.lti.resource_reference import (
    ForgedReferenceError,
    ResourceReference,
    read_reference,
    reference_from_launch,
    sign_reference,
    url_with_reference,
)

KEY = "k" * 32
TS = Resource(ResourceKind.TWINSPACE, 12)
UNIT = Resource(ResourceKind.UNIT, 3)
CHOICE = ResourceReference(TS, "https://lms.example", "1", "course-7b", 42)


def test_a_reference_reads_back_as_it_was_signed() -> None:
    assert read_reference(sign_reference(CHOICE, KEY), KEY) == CHOICE
    open_unit = ResourceReference(UNIT, None, None, None, None)
    assert read_reference(sign_reference(open_unit, KEY), KEY).is_open


def test_a_twinspace_never_gets_an_open_reference() -> None:
    with pytest.raises(ValueError):
        sign_reference(ResourceReference(TS, None, None, None, None), KEY)


GOOD = sign_reference(CHOICE, KEY)
_payload, _, _signature = GOOD.rpartition(".")


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(sign_reference(CHOICE, "another-key-" * 3), id="another tool's key"),
        pytest.param(GOOD[:-1] + ("A" if GOOD[-1] != "A" else "B"), id="signature changed"),
        pytest.param(
            sign_reference(ResourceReference(UNIT, "i", "d", "c", None), KEY).rpartition(".")[0]
            + "."
            + _signature,
            id="payload swapped",
        ),
        pytest.param("", id="empty"),
        pytest.param("not-a-reference", id="no signature"),
        pytest.param(GOOD + "x" * 2000, id="oversize"),
    ],
)
def test_anything_but_the_tools_own_reference_is_forged(token: str) -> None:
    with pytest.raises(ForgedReferenceError) as raised:
        read_reference(token, KEY)
    assert raised.value.status_code == 403 and "picker" in raised.value.who_can_fix


def test_the_reference_comes_from_custom_or_from_the_activity_url() -> None:
    url = url_with_reference("https://tool.example/lti/launch", GOOD)
    assert url == "https://tool.example/lti/launch?etwin_ref=" + GOOD
    assert reference_from_launch({}, url) == GOOD
    assert reference_from_launch({"etwin_ref": "from-custom"}, url) == "from-custom"
    assert reference_from_launch({}, "https://tool.example/lti/launch") is None
    assert reference_from_launch({}, None) is None
    assert url_with_reference(url, "new") == "https://tool.example/lti/launch?etwin_ref=new"


def test_a_picker_item_carries_the_reference_in_custom_and_url() -> None:
    item = resource_link_item(
        TS, title="Water", launch_url="https://tool.example/lti/launch", reference=GOOD
    ).to_claim()
    assert item["custom"] == {"etwin_resource": "twinspace:12", "etwin_ref": GOOD}
    assert item["url"] == "https://tool.example/lti/launch?etwin_ref=" + GOOD
