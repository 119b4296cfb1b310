"""Need-to-know for TAF members: a lead worker named as an attendee of a family's TAF
meeting may read the family's record while the episode is open, and may not change it."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from sqlalchemy import func, select

from caseapp.domain.episodes import EpisodeStatus
from caseapp.extensions import db
from caseapp.models import Episode, TafMeeting
from caseapp.models.types import uk_today, utcnow
from caseapp.services.access import visible_family_ids
from tests.factories import make_user
from tests.test_meetings import arrange, make_case, meetings_url, record_data, sign_in


def test_a_lead_worker_named_at_a_meeting_reads_but_does_not_keep_the_record(
    app: Flask,
) -> None:
    case = make_case()
    gemma = make_user("lead_worker", name="Gemma Clarke")
    meeting = arrange(case)
    outsider = sign_in(app, gemma)
    family_page = f"/families/{case.family_id}"
    assert outsider.get(family_page).status_code == 404
    assert outsider.get(meetings_url(case)).status_code == 404

    lead = sign_in(app, case.lead)
    data = record_data(
        case,
        meeting,
        **{
            "attendees-2-name": "Gemma Clarke",
            "attendees-2-agency": "Moorford Health",
            "attendees-2-present": "apologies",
            "attendees-2-user_id": str(gemma.id),
        },
    )
    assert lead.post(meetings_url(case, meeting.id, "record"), data=data).status_code == 302

    # Named (even with apologies sent), Gemma is a member of the family's TAF: she reads.
    assert outsider.get(family_page).status_code == 200
    assert case.family_id in set(db.session.scalars(visible_family_ids(gemma)))
    page = outsider.get(meetings_url(case)).get_data(as_text=True)
    assert "Distance travelled" in page
    assert "Record this meeting" not in page and "Arrange a TAF meeting" not in page
    assert outsider.get(meetings_url(case, meeting.id)).status_code == 200
    assert "Turner family" in outsider.post(
        "/families/search", data={"name": "Maisie"}, follow_redirects=True
    ).get_data(as_text=True)

    # She does not keep it: every change is refused, and nothing changes.
    following = db.session.scalar(
        select(TafMeeting.id).where(
            TafMeeting.id != meeting.id, TafMeeting.family_id == case.family_id
        )
    )
    later = uk_today() + timedelta(days=3)
    move = {"version": 1, "on": [later.day, later.month, later.year], "at": "10am"}
    assert outsider.post(meetings_url(case, "new"), data=move).status_code == 403
    assert outsider.get(meetings_url(case, following, "record")).status_code == 403
    assert outsider.post(meetings_url(case, following, "record"), data={}).status_code == 403
    assert outsider.post(meetings_url(case, following, "change"), data=move).status_code == 403
    assert (
        outsider.post(
            meetings_url(case, following, "cancel"), data={"version": 1, "reason": "x"}
        ).status_code
        == 403
    )
    assert db.session.scalar(select(func.count(TafMeeting.id))) == 2

    # When the episode closes, the membership ends with it.
    episode = db.session.get(Episode, case.episode_id)
    episode.status = EpisodeStatus.CLOSED
    episode.closed_at = utcnow()
    db.session.commit()
    assert outsider.get(family_page).status_code == 404
    assert outsider.get(meetings_url(case, meeting.id)).status_code == 404
    assert "Turner family" not in outsider.post(
        "/families/search", data={"name": "Maisie"}, follow_redirects=True
    ).get_data(as_text=True)
