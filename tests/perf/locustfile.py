"""Locust journeys for the load test (tests/perf/load.py starts everything; run that).

Three kinds of staff, in rough proportion to a council's: lead workers read their
caseload and families, page through chronologies with htmx and record case notes;
Hub coordinators work the queue and its filters and search for families; managers read
their view and their review queue. Who signs in comes from the JSON file named by
LOAD_PEOPLE, written by load.py from the benchmark database.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
from datetime import date
from pathlib import Path
from typing import Any

from locust import HttpUser, between, task

PEOPLE: dict[str, list[str]] = json.loads(Path(os.environ["LOAD_PEOPLE"]).read_text())
PASSWORD = os.environ["LOAD_PASSWORD"]
_next_person = {role: itertools.cycle(emails) for role, emails in PEOPLE.items()}
CSRF = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"'
)
HEADER_CSRF = re.compile(r'"X-CSRFToken": "([^"]+)"')
FAMILY_LINK = re.compile(r'href="/families/(\d+)"')
SHOW_MORE = re.compile(r'href="(/families/\d+/timeline\?before=[0-9_]+)"')
HTMX = {"HX-Request": "true"}


def _csrf(body: str) -> str:
    match = CSRF.search(body)
    if match:
        return match.group(1) or match.group(2)
    header = HEADER_CSRF.search(body)
    return header.group(1) if header else ""


class Staff(HttpUser):
    abstract = True
    wait_time = between(1, 4)
    role = ""

    def on_start(self) -> None:
        page = self.client.get("/sign-in", name="sign-in page")
        response = self.client.post(
            "/sign-in",
            data={
                "email": next(_next_person[self.role]),
                "password": PASSWORD,
                "csrf_token": _csrf(page.text),
            },
            name="sign in",
            allow_redirects=False,
        )
        if response.status_code != 302:
            response.failure(f"sign-in answered {response.status_code}")
        self.families: list[str] = []
        self.token = ""

    def open_family(self) -> str | None:
        if not self.families:
            return None
        family_id = random.choice(self.families)
        page = self.client.get(f"/families/{family_id}", name="family page")
        self.token = _csrf(page.text) or self.token
        more = SHOW_MORE.search(page.text)
        if more:
            self.client.get(
                more.group(1).replace("&amp;", "&"), headers=HTMX, name="timeline show more (htmx)"
            )
        return family_id


class LeadWorker(Staff):
    weight = 6
    role = "lead_worker"

    @task(4)
    def caseload(self) -> None:
        page = self.client.get("/caseload", name="caseload")
        self.families = FAMILY_LINK.findall(page.text) or self.families

    @task(4)
    def family(self) -> None:
        self.open_family()

    @task(2)
    def chronology_panel(self) -> None:
        if self.families:
            family_id = random.choice(self.families)
            self.client.get(
                f"/families/{family_id}/latest-events", headers=HTMX, name="latest events (htmx)"
            )

    @task(1)
    def case_note(self) -> None:
        family_id = random.choice(self.families) if self.families else None
        if family_id is None:
            return
        page = self.client.get(f"/families/{family_id}/notes", name="case notes page")
        token = _csrf(page.text)
        response = self.client.post(
            f"/families/{family_id}/notes",
            data=_case_note(token),
            headers=HTMX,
            name="add case note (htmx)",
        )
        if response.status_code >= 400:
            response.failure(f"case note answered {response.status_code}")


def _case_note(token: str) -> dict[str, Any]:
    today = date.today()
    return {
        "csrf_token": token,
        # A date is three boxes posted under one name: day, month, year.
        "contact_on": [str(today.day), str(today.month), str(today.year)],
        "contact_type": "phone_call",
        "text": "Spoke with parent about the morning routine; going well this week.",
    }


class Coordinator(Staff):
    weight = 2
    role = "hub_coordinator"

    @task(3)
    def queue(self) -> None:
        page = self.client.get("/hub", name="Hub queue")
        self.families = FAMILY_LINK.findall(page.text) or self.families

    @task(2)
    def filtered(self) -> None:
        self.client.get("/hub?urgent=y&overdue=y", headers=HTMX, name="Hub queue filtered (htmx)")

    @task(1)
    def search(self) -> None:
        name = random.choice(("Tur", "Beg", "Kow", "Pat", "Hug"))
        page = self.client.get("/families/search", name="family search page")
        self.client.post(
            "/families/search",
            data={"name": name, "csrf_token": _csrf(page.text)},
            headers=HTMX,
            name="family search (htmx)",
        )


class Manager(Staff):
    weight = 1
    role = "manager"

    @task(2)
    def view(self) -> None:
        page = self.client.get("/manager", name="manager's view")
        self.families = FAMILY_LINK.findall(page.text) or self.families

    @task(2)
    def reviews(self) -> None:
        self.client.get("/reviews", name="review queue")

    @task(1)
    def family(self) -> None:
        self.open_family()
