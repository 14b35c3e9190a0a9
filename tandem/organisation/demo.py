"""``tandem seed_demo``: a fictional banking group, built the same way every time.

Two brands, seven regional banks, 43 branches in real French cities, 332 employees covering
every role, and a portfolio of customers (references only) per advisor.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction

from tandem.accounts.models import User
from tandem.organisation import demo_data as data
from tandem.organisation.models import Customer, Employee, Holiday, Node, NodeKind, Role, RoleGrant
from tandem.organisation.services import node_create

DEMO_PASSWORD = "tandem-demo"  # noqa: S105 — printed by `make demo`, for the fictional group only
SEED = 2026
CUSTOMERS_PER_BRANCH = 12


@dataclass(frozen=True)
class DemoLogin:
    email: str
    role: str
    description: str


# One login per role, printed by `make demo`. All in Caisse Lumière Bretagne-Pays de Loire
# (Rennes), except the programme lead (group) and a second advisor in another bank.
DEMO_LOGINS = (
    DemoLogin("conseiller@lumiere.example", Role.ADVISOR, "conseil clientèle, agence de Rennes"),
    DemoLogin("directeur@lumiere.example", Role.BRANCH_MANAGER, "directeur, agence de Rennes"),
    DemoLogin("community@lumiere.example", Role.COMMUNITY_MANAGER, "community manager régional"),
    DemoLogin("conformite@lumiere.example", Role.COMPLIANCE_OFFICER, "conformité régionale"),
    DemoLogin("rh@lumiere.example", Role.RECRUITER, "recrutement régional"),
    DemoLogin("admin@lumiere.example", Role.ADMINISTRATOR, "administrateur régional"),
    DemoLogin("programme@groupe.example", Role.PROGRAMME_LEAD, "pilote du programme, groupe"),
    DemoLogin("conseiller@sillon.example", Role.ADVISOR, "conseil clientèle, agence de Lille"),
)


def easter_sunday(year: int) -> date:
    """Gregorian Easter (the anonymous algorithm published by Nature in 1876)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    el = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * el) // 451
    month, day = divmod(h + el - 7 * m + 114, 31)
    return date(year, month, day + 1)


def french_public_holidays(year: int) -> list[tuple[date, str]]:
    easter = easter_sunday(year)
    return [
        (date(year, 1, 1), "Jour de l'an"),
        (easter + timedelta(days=1), "Lundi de Pâques"),
        (date(year, 5, 1), "Fête du Travail"),
        (date(year, 5, 8), "Victoire 1945"),
        (easter + timedelta(days=39), "Ascension"),
        (easter + timedelta(days=50), "Lundi de Pentecôte"),
        (date(year, 7, 14), "Fête nationale"),
        (date(year, 8, 15), "Assomption"),
        (date(year, 11, 1), "Toussaint"),
        (date(year, 11, 11), "Armistice 1918"),
        (date(year, 12, 25), "Noël"),
    ]


def _ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if c.isalnum() and c.isascii()).lower()


class _People:
    """Deterministic names and numbers."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.counter = 0

    def next(self, domain: str) -> tuple[str, str, str, str]:
        self.counter += 1
        first = self.rng.choice(data.FIRST_NAMES)
        last = self.rng.choice(data.LAST_NAMES)
        email = f"{_ascii(first)}.{_ascii(last)}.{self.counter:03d}@{domain}"
        return f"E{self.counter:05d}", first, last, email


class _DemoBuilder:
    """Collects the people while the tree is created, then saves them in bulk."""

    def __init__(self) -> None:
        # Deterministic demo data, not secrets: a seeded generator is what we want.
        self.rng = random.Random(SEED)  # noqa: S311
        self.people = _People(self.rng)
        self.password = make_password(DEMO_PASSWORD)
        self.users: list[User] = []
        self.employees: list[Employee] = []
        self.grants: list[tuple[int, str, Node]] = []  # (index in employees, role, node)
        self.used_logins: set[str] = set()
        self.branch_count = 0

    def person(self, node: Node, domain: str, job: str, role: str) -> None:
        number, first, last, email = self.people.next(domain)
        for login in DEMO_LOGINS:
            # The first person of the right role in the right place takes the demo login.
            if (
                login.email not in self.used_logins
                and login.role == role
                and _login_fits(login, node)
            ):
                email = login.email
                self.used_logins.add(email)
                break
        self.users.append(
            User(
                email=email,
                first_name=first,
                last_name=last,
                password=self.password,
                language="fr",
            )
        )
        self.employees.append(
            Employee(
                employee_number=number,
                node=node,
                regional_bank=node.regional_bank,
                job_title=(
                    data.FEMININE_JOB_TITLES.get(job, job)
                    if first in data.FEMININE_FIRST_NAMES
                    else job
                ),
                languages=["fr", *(["en"] if self.rng.random() < 0.4 else [])],
                skills=sorted(self.rng.sample(data.SKILLS, 2)),
            )
        )
        self.grants.append((len(self.employees) - 1, role, node))

    def group(self) -> dict[str, tuple[Node, str]]:
        group = node_create(
            kind=NodeKind.GROUP, code=data.GROUP[0], name=data.GROUP[1], parent=None
        )
        for year in (date.today().year, date.today().year + 1):
            Holiday.objects.bulk_create(
                Holiday(node=group, date=day, name=name)
                for day, name in french_public_holidays(year)
            )
        for job, role in (
            ("Pilote du programme Tandem", Role.PROGRAMME_LEAD),
            ("Administrateur plateforme", Role.ADMINISTRATOR),
            ("Responsable conformité groupe", Role.COMPLIANCE_OFFICER),
            ("Community manager groupe", Role.COMMUNITY_MANAGER),
        ):
            self.person(group, "groupe.example", job, role)
        return {
            code: (node_create(kind=NodeKind.BRAND, code=code, name=name, parent=group), domain)
            for code, name, domain in data.BRANDS
        }

    def regional_bank(
        self,
        brand: Node,
        domain: str,
        rb_code: str,
        rb_name: str,
        head_office: tuple[str, str, str, str],
    ) -> None:
        address, postcode, city, phone = head_office
        regional_bank = node_create(
            kind=NodeKind.REGIONAL_BANK,
            code=rb_code,
            name=rb_name,
            parent=brand,
            address=address,
            postcode=postcode,
            city=city,
            phone=phone,
            opening_hours=data.HOURS_HEAD_OFFICE,
        )
        for job, role, count in (
            ("Community manager", Role.COMMUNITY_MANAGER, 2),
            ("Responsable conformité", Role.COMPLIANCE_OFFICER, 1),
            ("Chargé de recrutement", Role.RECRUITER, 1),
            ("Administrateur Tandem", Role.ADMINISTRATOR, 1),
            ("Conseiller centre de relation client 24/7", Role.ADVISOR, 3),
            ("Chargé de réclamations", Role.ADVISOR, 2),
        ):
            for _ in range(count):
                self.person(regional_bank, domain, job, role)
        for index, place in enumerate(data.BRANCHES[rb_code], start=1):
            self.branch(regional_bank, brand, domain, index, place)

    def branch(
        self,
        regional_bank: Node,
        brand: Node,
        domain: str,
        index: int,
        place: tuple[str, str, str, str],
    ) -> None:
        city_name, postcode, street, department = place
        self.branch_count += 1
        rng = self.rng
        branch = node_create(
            kind=NodeKind.BRANCH,
            code=f"{regional_bank.code}-{index:03d}",
            name=f"{brand.name} {city_name}",
            parent=regional_bank,
            address=street,
            postcode=postcode,
            city=_city(city_name),
            phone=f"{data.PHONE_ZONE[regional_bank.code]} {rng.randint(10, 99)} "
            f"{rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
            opening_hours=(data.HOURS_TUESDAY_SATURDAY if index % 2 else data.HOURS_MONDAY_FRIDAY),
        )
        if department in data.ALSACE_MOSELLE:
            for year in (date.today().year, date.today().year + 1):
                easter = easter_sunday(year)
                Holiday.objects.bulk_create(
                    [
                        Holiday(
                            node=branch, date=easter - timedelta(days=2), name="Vendredi saint"
                        ),
                        Holiday(node=branch, date=date(year, 12, 26), name="Saint-Étienne"),
                    ]
                )
        self.person(branch, domain, "Directeur d'agence", Role.BRANCH_MANAGER)
        for job in (
            "Conseiller clientèle",
            "Conseiller clientèle",
            "Conseiller clientèle",
            "Conseiller patrimonial",
            "Conseiller professionnels",
        ):
            self.person(branch, domain, job, Role.ADVISOR)

    def save(self) -> int:
        User.objects.bulk_create(self.users)
        saved_users = {
            user.email: user
            for user in User.objects.filter(email__in=[user.email for user in self.users])
        }
        for user, employee in zip(self.users, self.employees, strict=True):
            employee.user = saved_users[user.email]
        Employee.objects.bulk_create(self.employees)
        saved = {
            employee.employee_number: employee
            for employee in Employee.objects.select_related("node__regional_bank").filter(
                employee_number__in=[e.employee_number for e in self.employees]
            )
        }
        RoleGrant.objects.bulk_create(
            RoleGrant(employee=saved[self.employees[index].employee_number], role=role, node=node)
            for index, role, node in self.grants
        )
        customers = _demo_customers(self.rng, list(saved.values()))
        Customer.objects.bulk_create(customers)
        return len(customers)


def seed_demo() -> dict[str, int]:
    """Build the demo group; refuse to run twice (the group's code is taken)."""
    if Node.objects.filter(code=data.GROUP[0]).exists():
        return {}
    builder = _DemoBuilder()
    with transaction.atomic():
        brands = builder.group()
        for rb_code, brand_code, rb_name, head_office in data.REGIONAL_BANKS:
            brand, domain = brands[brand_code]
            builder.regional_bank(brand, domain, rb_code, rb_name, head_office)
        customers = builder.save()
    return {
        "branches": builder.branch_count,
        "employees": len(builder.employees),
        "customers": customers,
    }


def _city(branch_name: str) -> str:
    """ "Paris 8e" is a branch in Paris: the arrondissement is in the name, not the city."""
    words = branch_name.split(" ")
    if len(words) == 2 and words[1].endswith("e") and words[1][:-1].isdigit():
        return words[0]
    return branch_name


def _login_fits(login: DemoLogin, node: Node) -> bool:
    if login.email.endswith("@groupe.example"):
        return node.kind == NodeKind.GROUP
    if login.email.endswith("@sillon.example"):
        return node.code == "BS-NORD-001"
    if login.role in (Role.ADVISOR, Role.BRANCH_MANAGER):
        return node.code == "CL-OUEST-001"
    return node.code == "CL-OUEST"


def _demo_customers(rng: random.Random, employees: list[Employee]) -> list[Customer]:
    advisors_by_branch: dict[int, list[Employee]] = {}
    for employee in employees:
        if employee.node.kind == NodeKind.BRANCH and employee.job_title.startswith("Conseill"):
            advisors_by_branch.setdefault(employee.node_id, []).append(employee)
    customers = []
    number = 0
    for branch_id in sorted(advisors_by_branch):
        advisors = advisors_by_branch[branch_id]
        branch = advisors[0].node
        for _ in range(CUSTOMERS_PER_BRANCH):
            number += 1
            customers.append(
                Customer(
                    regional_bank=branch.regional_bank,
                    reference=f"CLI{number:08d}",
                    display_name=f"{rng.choice(data.CUSTOMER_FIRST_NAMES)} "
                    f"{rng.choice(data.CUSTOMER_LAST_NAMES)}",
                    branch=branch,
                    advisor=rng.choice(advisors),
                )
            )
    return customers
