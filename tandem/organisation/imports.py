"""The HR export import (``tandem import_org FILE.csv``): validate everything, then apply all.

A file with a single bad row changes nothing: every row is validated first and every problem is
reported with its line number; only a clean file is applied, in one transaction. Applying the
same file twice changes nothing the second time. Columns are documented in the README.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from tandem.accounts.models import User
from tandem.organisation.models import Employee, Node, NodeKind, Role, RoleGrant
from tandem.organisation.services import employee_attach, node_create, node_update_details

COLUMNS = (
    "employee_number",
    "first_name",
    "last_name",
    "email",
    "job_title",
    "roles",
    "regional_bank",
    "branch_code",
    "branch_name",
    "branch_address",
    "branch_postcode",
    "branch_city",
    "branch_phone",
    "languages",
    "skills",
    "active",
)
REQUIRED_COLUMNS = ("employee_number", "email", "regional_bank", "branch_code")
BRANCH_FIELDS = ("branch_name", "branch_address", "branch_postcode", "branch_city", "branch_phone")
EMPLOYEE_REQUIRED = ("first_name", "last_name", "email")
POSTCODE = re.compile(r"^(?:0[1-9]|[1-8]\d|9[0-8])\d{3}$")
CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")
LANGUAGE = re.compile(r"^[a-z]{2}$")
TRUE_WORDS = {"", "1", "yes", "y", "true", "oui", "o", "vrai"}
FALSE_WORDS = {"0", "no", "n", "false", "non", "faux"}


@dataclass
class RowError:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass
class ImportRow:
    line: int
    employee_number: str
    first_name: str
    last_name: str
    email: str
    job_title: str
    roles: list[str]
    regional_bank: str
    branch_code: str
    branch: dict[str, str]
    languages: list[str]
    skills: list[str]
    active: bool


@dataclass
class ImportReport:
    errors: list[RowError] = field(default_factory=list)
    created: dict[str, int] = field(default_factory=lambda: {"branches": 0, "employees": 0})
    updated: dict[str, int] = field(default_factory=lambda: {"branches": 0, "employees": 0})
    unchanged: dict[str, int] = field(default_factory=lambda: {"branches": 0, "employees": 0})

    @property
    def ok(self) -> bool:
        return not self.errors


def _split(value: str) -> list[str]:
    return [item.strip() for item in value.split(";") if item.strip()]


def _normalise_phone(value: str) -> str | None:
    try:
        number = phonenumbers.parse(value, "FR")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def _row_problems(values: dict[str, str]) -> tuple[list[str], str]:  # noqa: PLR0912 — one branch per independent check
    """What is wrong with one row on its own, and its phone number normalised."""
    problems: list[str] = []
    for name in REQUIRED_COLUMNS:
        if not values.get(name):
            problems.append(f"{name} is required")
    for name in EMPLOYEE_REQUIRED:
        if name not in REQUIRED_COLUMNS and not values.get(name):
            problems.append(f"{name} is required")
    email = values.get("email", "").lower()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            problems.append(f"email {email!r} is not a valid address")
    for name in ("regional_bank", "branch_code"):
        if values.get(name) and not CODE.match(values[name]):
            problems.append(f"{name} {values[name]!r} is not a valid code")
    roles = _split(values.get("roles", ""))
    bad_roles = [role for role in roles if role not in Role.values]
    if bad_roles:
        problems.append(f"unknown role(s) {', '.join(bad_roles)} (known: {', '.join(Role.values)})")
    postcode = values.get("branch_postcode", "")
    if postcode and not POSTCODE.match(postcode):
        problems.append(f"branch_postcode {postcode!r} is not a French postcode")
    phone = values.get("branch_phone", "")
    normalised_phone = ""
    if phone:
        normalised_phone = _normalise_phone(phone) or ""
        if not normalised_phone:
            problems.append(f"branch_phone {phone!r} is not a valid phone number")
    languages = [language.lower() for language in _split(values.get("languages", ""))]
    bad_languages = [language for language in languages if not LANGUAGE.match(language)]
    if bad_languages:
        problems.append(f"languages must be two-letter codes, got {', '.join(bad_languages)}")
    active_word = values.get("active", "").lower()
    if active_word not in TRUE_WORDS | FALSE_WORDS:
        problems.append(f"active must be yes or no, got {values.get('active')!r}")
    return problems, normalised_phone


def parse_rows(text: str) -> tuple[list[ImportRow], list[RowError]]:
    """Check each row on its own (shape, formats). Line numbers count the header as line 1."""
    reader = csv.DictReader(io.StringIO(text))
    header = [name.strip() for name in (reader.fieldnames or [])]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        return [], [RowError(1, f"missing column(s): {', '.join(missing)}")]
    unknown = [name for name in header if name not in COLUMNS]
    if unknown:
        return [], [RowError(1, f"unknown column(s): {', '.join(unknown)}")]
    rows: list[ImportRow] = []
    errors: list[RowError] = []
    for raw in reader:
        line = reader.line_num
        if None in raw:
            errors.append(RowError(line, "more values than columns"))
            continue
        values = {key.strip(): (value or "").strip() for key, value in raw.items()}
        if not any(values.values()):
            continue  # blank line
        problems, normalised_phone = _row_problems(values)
        if problems:
            errors.append(RowError(line, "; ".join(problems)))
            continue
        rows.append(
            ImportRow(
                line=line,
                employee_number=values["employee_number"],
                first_name=values.get("first_name", ""),
                last_name=values.get("last_name", ""),
                email=values["email"].lower(),
                job_title=values.get("job_title", ""),
                roles=sorted(set(_split(values.get("roles", ""))), key=Role.values.index),
                regional_bank=values["regional_bank"],
                branch_code=values["branch_code"],
                branch={
                    "name": values.get("branch_name", ""),
                    "address": values.get("branch_address", ""),
                    "postcode": values.get("branch_postcode", ""),
                    "city": values.get("branch_city", ""),
                    "phone": normalised_phone,
                },
                languages=[item.lower() for item in _split(values.get("languages", ""))],
                skills=_split(values.get("skills", "")),
                active=values.get("active", "").lower() not in FALSE_WORDS,
            )
        )
    return rows, errors


def check_consistency(rows: Iterable[ImportRow]) -> list[RowError]:  # noqa: PLR0912 — one branch per check
    """Cross-row and database checks: duplicates, conflicting branches, unknown banks."""
    rows = list(rows)
    errors: list[RowError] = []
    regional_banks = {
        node.code: node
        for node in Node.objects.filter(
            kind=NodeKind.REGIONAL_BANK, code__in={row.regional_bank for row in rows}
        )
    }
    existing_nodes = {
        node.code: node for node in Node.objects.filter(code__in={row.branch_code for row in rows})
    }
    seen_numbers: dict[str, int] = {}
    seen_emails: dict[str, int] = {}
    branches: dict[str, tuple[int, str, dict[str, str]]] = {}
    users_by_email = {
        user.email: user
        for user in User.objects.filter(email__in={row.email for row in rows}).select_related(
            "employee"
        )
    }
    for row in rows:
        problems: list[str] = []
        if row.employee_number in seen_numbers:
            problems.append(
                f"employee_number {row.employee_number} already on line "
                f"{seen_numbers[row.employee_number]}"
            )
        seen_numbers.setdefault(row.employee_number, row.line)
        if row.email in seen_emails:
            problems.append(f"email {row.email} already on line {seen_emails[row.email]}")
        seen_emails.setdefault(row.email, row.line)
        user = users_by_email.get(row.email)
        employee = getattr(user, "employee", None) if user else None
        if user is not None and (
            employee is None or employee.employee_number != row.employee_number
        ):
            problems.append(f"email {row.email} belongs to another person in Tandem")
        if row.regional_bank not in regional_banks:
            problems.append(f"unknown regional bank {row.regional_bank!r}")
        existing = existing_nodes.get(row.branch_code)
        if row.branch_code == row.regional_bank:
            pass  # attached to the regional bank itself
        elif existing is not None and existing.kind != NodeKind.BRANCH:
            problems.append(f"branch_code {row.branch_code} is a {existing.kind}, not a branch")
        elif (
            existing is not None
            and row.regional_bank in regional_banks
            and existing.regional_bank_id != regional_banks[row.regional_bank].pk
        ):
            problems.append(f"branch {row.branch_code} belongs to another regional bank in Tandem")
        elif existing is None and not (row.branch["name"] and row.branch["postcode"]):
            problems.append(
                f"branch {row.branch_code} is new: branch_name and branch_postcode are required"
            )
        if row.branch_code != row.regional_bank and row.branch["name"]:
            previous = branches.get(row.branch_code)
            if previous is None:
                branches[row.branch_code] = (row.line, row.regional_bank, row.branch)
            elif previous[1] != row.regional_bank or previous[2] != row.branch:
                problems.append(
                    f"branch {row.branch_code} is described differently on line {previous[0]}"
                )
        if problems:
            errors.append(RowError(row.line, "; ".join(problems)))
    return errors


def _apply_branch(row: ImportRow, regional_bank: Node, report: ImportReport) -> Node:
    node = Node.objects.filter(code=row.branch_code).first()
    details = {key: value for key, value in row.branch.items() if key != "name" and value}
    if node is None:
        report.created["branches"] += 1
        return node_create(
            kind=NodeKind.BRANCH,
            code=row.branch_code,
            name=row.branch["name"],
            parent=regional_bank,
            **details,
        )
    if row.branch["name"] and node_update_details(node=node, name=row.branch["name"], **details):
        report.updated["branches"] += 1
    return node


def _apply_employee(row: ImportRow, node: Node, report: ImportReport) -> None:
    employee = (
        Employee.objects.select_related("user").filter(employee_number=row.employee_number).first()
    )
    created = employee is None
    if employee is None:
        user = User.objects.filter(email=row.email).first() or User.objects.create_user(
            row.email, first_name=row.first_name, last_name=row.last_name
        )
        employee = Employee(user=user, employee_number=row.employee_number)
        employee_attach(employee=employee, node=node)
    user = employee.user
    user_changes = {
        "email": row.email,
        "first_name": row.first_name,
        "last_name": row.last_name,
        "is_active": row.active,
    }
    changed_user = [name for name, value in user_changes.items() if getattr(user, name) != value]
    for name in changed_user:
        setattr(user, name, user_changes[name])
    if changed_user:
        user.save(update_fields=changed_user)
    employee_changes = {
        "job_title": row.job_title,
        "languages": row.languages,
        "skills": row.skills,
        "is_active": row.active,
    }
    changed = [name for name, value in employee_changes.items() if getattr(employee, name) != value]
    for name in changed:
        setattr(employee, name, employee_changes[name])
    if not created and employee.node_id != node.pk:
        employee_attach(employee=employee, node=node)
        changed += ["node", "regional_bank"]
    if created:
        employee.save()
    elif changed:
        employee.save(update_fields=[*changed, "updated_at"])
    # The export is authoritative for the roles on the attachment node; grants an administrator
    # gave elsewhere in the tree are left alone.
    current = set(
        RoleGrant.objects.filter(employee=employee, node=node).values_list("role", flat=True)
    )
    wanted = set(row.roles)
    for role in wanted - current:
        RoleGrant.objects.create(employee=employee, role=role, node=node)
    if current - wanted:
        RoleGrant.objects.filter(employee=employee, node=node, role__in=current - wanted).delete()
    if created:
        report.created["employees"] += 1
    elif changed or changed_user or wanted != current:
        report.updated["employees"] += 1
    else:
        report.unchanged["employees"] += 1


def org_import(*, text: str, dry_run: bool = False) -> ImportReport:
    """Validate ``text`` (the CSV) whole; apply it only if every row is valid."""
    report = ImportReport()
    rows, errors = parse_rows(text)
    errors += check_consistency(rows)
    if not rows and not errors:
        errors.append(RowError(1, "the file has no data rows"))
    if errors:
        report.errors = sorted(errors, key=lambda error: error.line)
        return report
    with transaction.atomic():
        regional_banks = {
            node.code: node for node in Node.objects.filter(kind=NodeKind.REGIONAL_BANK)
        }
        branches: dict[str, Node] = {}
        for row in rows:
            regional_bank = regional_banks[row.regional_bank]
            if row.branch_code == row.regional_bank:
                node = regional_bank
            elif row.branch_code in branches:
                node = branches[row.branch_code]
            else:
                node = branches[row.branch_code] = _apply_branch(row, regional_bank, report)
            _apply_employee(row, node, report)
        report.unchanged["branches"] = (
            len(branches) - report.created["branches"] - report.updated["branches"]
        )
        if dry_run:
            transaction.set_rollback(True)
    return report
