"""The launch POST answers with the activity's page (ADR 0036): its address, no cache, the
history entry replaced so that a reload reads the page; the replayed POST still refused; and
the memoised membership the page shows follows every committed change at once on this
instance."""

from __future__ import annotations

from typing import Any

from etwin_lti.domain.model import MemberStatus
from tests.integration.pages.conftest import PagesWorld, submit
from tests.support.lti_tokens import ROLE_INSTRUCTOR, ROLE_LEARNER


def text(response: Any) -> str:
    return str(response.get_data(as_text=True))


def test_the_launch_answers_with_the_page_a_reload_reads_it_by_its_address(
    world: PagesWorld,
) -> None:
    client = world.client()
    login = world.launcher.login(client, sub="pupil-b", roles=[ROLE_LEARNER], resource=world.ts)
    fields = world.launcher.authorize(login.headers["Location"])
    launched = client.post("/lti/launch", data=fields)
    assert launched.status_code == 200, text(launched)[:500]
    assert launched.headers["Content-Location"] == world.ts_url
    assert "no-store" in launched.headers["Cache-Control"]
    page = text(launched)
    assert 'data-etwin-role="pupil"' in page
    # The history holds the page's own address (under the answer's CSP nonce), not the POST.
    assert f'history.replaceState(null, "", "{world.ts_url}")' in page
    nonce = launched.headers["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    assert f'<script nonce="{nonce}">history.replaceState' in page
    reload = client.get(launched.headers["Content-Location"])
    assert reload.status_code == 200 and 'data-etwin-role="pupil"' in text(reload)
    assert "history.replaceState" not in text(reload)  # a page read by its address: as it is
    replay = client.post("/lti/launch", data=fields)
    assert replay.status_code == 401 and 'data-error="launch_replayed"' in text(replay)


SUSPENDED_BADGE = '<span class="badge private">suspended</span>'


def test_a_suspension_reaches_the_memoised_membership_at_once(world: PagesWorld) -> None:
    founder, ts, partner = world.as_founder(), world.ts_url, world.demo.people["partner_pl"]
    member = world.launched("partner-pl", [ROLE_INSTRUCTOR], world.ts)
    page = text(member.get(ts))  # the membership is now in the worker's memo
    assert f'data-me="{partner}"' in page and SUSPENDED_BADGE not in page
    assert submit(founder, ts, f"{ts}/members/{partner}/suspend").status_code == 303
    assert world.hub.get_member(world.demo.twinspace_id, partner).status is MemberStatus.SUSPENDED
    assert SUSPENDED_BADGE in text(member.get(ts))  # the committed write renewed the memo
    assert submit(founder, ts, f"{ts}/members/{partner}/reactivate").status_code == 303
    assert SUSPENDED_BADGE not in text(member.get(ts))
