"""AGS 2.0 sans-IO: score payloads, line item URLs (Moodle's ?type_id=), timestamps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from etwin_lti.lti import ags

T0 = datetime(2026, 3, 1, 12, 0, 0, 123456, tzinfo=UTC)


@pytest.mark.parametrize(
    ("lineitem", "scores"),
    [
        (
            "https://moodle.example/mod/lti/services.php/2/lineitems/7/lineitem?type_id=18",
            "https://moodle.example/mod/lti/services.php/2/lineitems/7/lineitem/scores?type_id=18",
        ),
        ("https://lms.example/li/7", "https://lms.example/li/7/scores"),
        ("https://lms.example/li/7/", "https://lms.example/li/7/scores"),
        ("https://lms.example/li/7?a=1&b=2", "https://lms.example/li/7/scores?a=1&b=2"),
    ],
)
def test_scores_go_before_the_query_string(lineitem: str, scores: str) -> None:
    assert ags.scores_url(lineitem) == scores


def test_results_url_keeps_type_id() -> None:
    assert (
        ags.results_url("https://m/x/lineitem?type_id=3")
        == "https://m/x/lineitem/results?type_id=3"
    )


def test_lineitem_filters_join_the_existing_query() -> None:
    url = ags.lineitems_query_url(
        "https://m/services.php/2/lineitems?type_id=18", resource_link_id="rl 1", tag="unit:4"
    )
    assert url == "https://m/services.php/2/lineitems?type_id=18&resource_link_id=rl+1&tag=unit%3A4"
    assert ags.lineitems_query_url("https://m/li", tag="") == "https://m/li"


def test_completion_score_payload() -> None:
    assert ags.score_payload("user-3", T0) == {
        "userId": "user-3",
        "scoreGiven": 1.0,
        "scoreMaximum": 1.0,
        "activityProgress": "Completed",
        "gradingProgress": "FullyGraded",
        "timestamp": "2026-03-01T12:00:00.123456+00:00",
    }
    assert ags.score_payload("u", T0, comment="well done")["comment"] == "well done"


def test_timestamps_are_iso_8601_in_utc_with_microseconds() -> None:
    paris = datetime(2026, 3, 1, 13, 0, tzinfo=timezone(timedelta(hours=1)))
    assert ags.iso_timestamp(paris) == "2026-03-01T12:00:00.000000+00:00"
    assert ags.iso_timestamp(datetime(2026, 3, 1, 12, 0)) == "2026-03-01T12:00:00.000000+00:00"


@pytest.mark.parametrize(
    ("now", "last", "expected"),
    [
        (T0, None, T0),  # first score
        (T0, T0 - timedelta(seconds=1), T0),  # later than the last one
        (T0, T0, T0 + timedelta(microseconds=1)),  # same instant: one microsecond later
        (T0, T0 + timedelta(seconds=5), T0 + timedelta(seconds=5, microseconds=1)),  # clock behind
    ],
)
def test_timestamps_strictly_increase(
    now: datetime, last: datetime | None, expected: datetime
) -> None:
    assert ags.next_timestamp(now, last) == expected


def test_lineitem_payload_has_what_moodle_requires() -> None:
    body = ags.lineitem_payload(
        "Unit 1", 1.0, resource_link_id="rl-1", tag="unit:1", resource_id="unit:1"
    )
    assert body == {
        "label": "Unit 1",
        "scoreMaximum": 1.0,
        "resourceLinkId": "rl-1",
        "resourceId": "unit:1",
        "tag": "unit:1",
    }


def test_pick_lineitem_checks_the_filter_again() -> None:
    items = ags.parse_lineitems(
        [
            {"id": "https://m/li/1?type_id=1", "label": "other", "resourceLinkId": "rl-2"},
            {
                "id": "https://m/li/2?type_id=1",
                "label": "ours",
                "resourceLinkId": "rl-1",
                "tag": "unit:1",
                "x": 1,
            },
        ]
    )
    found = ags.pick_lineitem(items, resource_link_id="rl-1", tag="unit:1")
    assert found is not None and found.id == "https://m/li/2?type_id=1"
    assert ags.pick_lineitem(items, resource_link_id="rl-3", tag="unit:1") is None


@pytest.mark.parametrize("body", [{}, [{"label": "no id"}], [{"id": ""}], [3], "x"])
def test_malformed_lineitem_containers_are_refused(body: object) -> None:
    with pytest.raises(ValueError):
        ags.parse_lineitems(body)
