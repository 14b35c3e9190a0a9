"""Factories for the organisation tree, used by every app's tests."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import factory

from tandem.accounts.models import User
from tandem.organisation.models import Customer, Employee, Node, NodeKind, RoleGrant
from tandem.organisation.services import employee_attach, node_create

_codes = itertools.count(1)
TEST_PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@bank.example")
    first_name = factory.Sequence(lambda n: f"Prénom{n}")
    last_name = factory.Sequence(lambda n: f"Nom{n}")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @classmethod
    def _after_postgeneration(cls, instance: User, create: bool, results: object = None) -> None:
        if create:
            instance.save()


def make_node(
    kind: str, parent: Node | None = None, name: str | None = None, **fields: object
) -> Node:
    number = next(_codes)
    return node_create(
        kind=kind,
        code=f"{kind[:3].upper()}{number:05d}",
        name=name or f"{kind} {number}",
        parent=parent,
        **fields,
    )


def make_employee(
    node: Node, *roles: str, grant_on: Node | None = None, **user_fields: object
) -> Employee:
    user = UserFactory(**user_fields)
    employee = Employee(user=user, employee_number=f"T{user.pk:06d}", job_title="Conseiller")
    employee_attach(employee=employee, node=node)
    employee.save()
    for role in roles:
        RoleGrant.objects.create(employee=employee, role=role, node=grant_on or node)
    return employee


def make_customer(
    branch: Node, advisor: Employee | None = None, reference: str | None = None
) -> Customer:
    return Customer.objects.create(
        regional_bank_id=branch.regional_bank_id,
        reference=reference or f"REF{next(_codes):07d}",
        display_name="Client Test",
        branch=branch,
        advisor=advisor,
    )


@dataclass
class Bank:
    """One regional bank with two branches, as the cross-bank tests need."""

    regional_bank: Node
    branch: Node
    other_branch: Node
    employees: list[Employee] = field(default_factory=list)


@dataclass
class Tree:
    group: Node
    brand_a: Node
    brand_b: Node
    bank_a: Bank
    bank_b: Bank


def make_tree() -> Tree:
    group = make_node(NodeKind.GROUP, name="Groupe Test")
    brand_a = make_node(NodeKind.BRAND, group, name="Marque A")
    brand_b = make_node(NodeKind.BRAND, group, name="Marque B")
    banks = []
    for brand, label in ((brand_a, "A"), (brand_b, "B")):
        regional_bank = make_node(NodeKind.REGIONAL_BANK, brand, name=f"Banque régionale {label}")
        banks.append(
            Bank(
                regional_bank=regional_bank,
                branch=make_node(
                    NodeKind.BRANCH,
                    regional_bank,
                    name=f"Agence {label}1",
                    postcode="35000",
                    city="Rennes",
                ),
                other_branch=make_node(
                    NodeKind.BRANCH,
                    regional_bank,
                    name=f"Agence {label}2",
                    postcode="29200",
                    city="Brest",
                ),
            )
        )
    return Tree(group=group, brand_a=brand_a, brand_b=brand_b, bank_a=banks[0], bank_b=banks[1])
