"""``tandem import_org``: idempotent, and a bad file is refused whole."""

import pytest
from django.core.management import CommandError, call_command

from tandem.accounts.models import User
from tandem.organisation.models import Employee, Node, NodeKind, Role, RoleGrant
from tandem.organisation.tests.factories import make_node

pytestmark = pytest.mark.django_db

HEADER = (
    "employee_number,first_name,last_name,email,job_title,roles,regional_bank,branch_code,"
    "branch_name,branch_address,branch_postcode,branch_city,branch_phone,languages,skills,active\n"
)
GOOD = HEADER + (
    "M001,Claire,Martin,claire.martin@bank.example,Conseillère,advisor,RB-A,AG-1,"
    "Agence Rennes République,2 place de la République,35000,Rennes,02 99 00 00 01,fr;en,"
    "épargne;jeunes,oui\n"
    "M002,Yann,Le Gall,yann.legall@bank.example,Directeur d'agence,branch_manager;advisor,"
    "RB-A,AG-1,Agence Rennes République,2 place de la République,35000,Rennes,"
    "02 99 00 00 01,fr,,oui\n"
    "M003,Nadia,Benali,nadia.benali@bank.example,Community manager,community_manager,RB-A,"
    "RB-A,,,,,,fr,,1\n"
    "M004,Hugo,Petit,hugo.petit@bank.example,Conseiller,advisor,RB-A,AG-2,Agence Brest Siam,"
    "60 rue de Siam,29200,Brest,+33 2 98 00 00 02,fr,,yes\n"
)


@pytest.fixture
def regional_bank(db):
    group = make_node(NodeKind.GROUP)
    brand = make_node(NodeKind.BRAND, group)
    return Node.objects.get(
        pk=make_node(NodeKind.REGIONAL_BANK, brand, name="RB A").pk
    ), Node.objects.filter(pk=group.pk)


@pytest.fixture
def rb_a(regional_bank):
    node, _ = regional_bank
    Node.objects.filter(pk=node.pk).update(code="RB-A")
    node.refresh_from_db()
    return node


def write(tmp_path, text, name="hr.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def snapshot():
    return (
        sorted(Node.objects.values_list("code", "name", "postcode", "phone", "path")),
        sorted(
            Employee.objects.values_list(
                "employee_number", "node__code", "job_title", "is_active", "languages", "skills"
            )
        ),
        sorted(User.objects.values_list("email", "first_name", "last_name", "is_active")),
        sorted(RoleGrant.objects.values_list("employee__employee_number", "role", "node__code")),
    )


def test_import_creates_branches_employees_and_roles(rb_a, tmp_path, capsys):
    call_command("import_org", write(tmp_path, GOOD))
    out = capsys.readouterr().out
    assert "branches: 2 created" in out
    assert "employees: 4 created" in out
    branch = Node.objects.get(code="AG-1")
    assert branch.kind == NodeKind.BRANCH
    assert branch.regional_bank == rb_a
    assert branch.phone == "+33 2 99 00 00 01"
    manager = Employee.objects.get(employee_number="M002")
    assert set(manager.grants.values_list("role", flat=True)) == {Role.BRANCH_MANAGER, Role.ADVISOR}
    community = Employee.objects.get(employee_number="M003")
    assert community.node == rb_a
    assert community.regional_bank == rb_a
    claire = Employee.objects.get(employee_number="M001")
    assert claire.languages == ["fr", "en"]
    assert claire.skills == ["épargne", "jeunes"]
    assert not claire.user.has_usable_password()


def test_import_is_idempotent(rb_a, tmp_path, capsys):
    path = write(tmp_path, GOOD)
    call_command("import_org", path)
    first = snapshot()
    capsys.readouterr()
    call_command("import_org", path)
    assert snapshot() == first
    out = capsys.readouterr().out
    assert "0 created, 0 updated, 2 unchanged" in out
    assert "employees: 0 created, 0 updated, 4 unchanged" in out


def test_reimport_applies_changes_and_syncs_roles(rb_a, tmp_path, capsys):
    call_command("import_org", write(tmp_path, GOOD))
    changed = GOOD.replace("branch_manager;advisor", "branch_manager").replace(
        "M004,Hugo,Petit,hugo.petit@bank.example,Conseiller,advisor,RB-A,AG-2,Agence Brest Siam,"
        "60 rue de Siam,29200,Brest,+33 2 98 00 00 02,fr,,yes",
        "M004,Hugo,Petit,hugo.petit@bank.example,Conseiller,advisor,RB-A,AG-2,Agence Brest Siam,"
        "60 rue de Siam,29200,Brest,+33 2 98 00 00 02,fr,,non",
    )
    call_command("import_org", write(tmp_path, changed, "v2.csv"))
    assert set(
        Employee.objects.get(employee_number="M002").grants.values_list("role", flat=True)
    ) == {Role.BRANCH_MANAGER}
    hugo = Employee.objects.get(employee_number="M004")
    assert not hugo.is_active
    assert not hugo.user.is_active


BAD = HEADER + (
    "M001,Claire,Martin,claire.martin@bank.example,Conseillère,advisor,RB-A,AG-1,"
    "Agence Rennes,2 place,35000,Rennes,02 99 00 00 01,fr,,oui\n"
    "M002,Yann,Le Gall,not-an-email,Directeur,branch_manager,RB-A,AG-1,Agence Rennes,2 place,"
    "35000,Rennes,02 99 00 00 01,fr,,oui\n"
    "M003,Nadia,Benali,nadia@bank.example,CM,wizard,RB-A,RB-A,,,,,,fr,,1\n"
    "M001,Hugo,Petit,hugo@bank.example,Conseiller,advisor,RB-A,AG-2,Agence Brest,60 rue,"
    "2920,Brest,12,fr,,peut-être\n"
    "M005,Léa,Roux,lea@bank.example,Conseillère,advisor,RB-Z,AG-3,Agence X,1 rue,75008,Paris,,"
    "fr,,oui\n"
    "M006,Marc,Blanc,marc@bank.example,Conseiller,advisor,RB-A,AG-1,Agence Rennes Autre,2 place,"
    "35000,Rennes,02 99 00 00 01,fr,,oui\n"
    ",,,,,,,,,,,,,,,\n"
    "M007,,Vide,,Conseiller,advisor,RB-A,,,,,,,,,\n"
)


def test_malformed_file_is_refused_whole(rb_a, tmp_path, capsys):
    before = snapshot()
    with pytest.raises(CommandError, match="6 bad line"):
        call_command("import_org", write(tmp_path, BAD))
    err = capsys.readouterr().err
    assert snapshot() == before
    lines = {
        int(line.split(":")[1].split()[1]): line for line in err.splitlines() if "line" in line
    }
    assert set(lines) == {3, 4, 5, 6, 7, 9}
    assert "not a valid address" in lines[3]
    assert "unknown role(s) wizard" in lines[4]
    assert "not a French postcode" in lines[5]
    assert "not a valid phone number" in lines[5]
    assert "active must be yes or no" in lines[5]
    assert "unknown regional bank 'RB-Z'" in lines[6]
    assert "described differently on line 2" in lines[7]
    assert "first_name is required" in lines[9]
    assert "branch_code is required" in lines[9]


def test_cross_row_duplicates_are_reported(rb_a, tmp_path, capsys):
    text = HEADER + (
        "M001,Claire,Martin,claire@bank.example,C,advisor,RB-A,RB-A,,,,,,fr,,oui\n"
        "M001,Claire,Martin,claire@bank.example,C,advisor,RB-A,RB-A,,,,,,fr,,oui\n"
    )
    with pytest.raises(CommandError):
        call_command("import_org", write(tmp_path, text))
    err = capsys.readouterr().err
    assert (
        "line 3: employee_number M001 already on line 2; email claire@bank.example already" in err
    )
    assert Employee.objects.count() == 0


def test_unreadable_and_headerless_files(rb_a, tmp_path, capsys):
    with pytest.raises(CommandError, match="cannot read"):
        call_command("import_org", str(tmp_path / "missing.csv"))
    latin = tmp_path / "latin.csv"
    latin.write_bytes(HEADER.encode() + "M1,Zoé,Éléonore".encode("latin-1"))
    with pytest.raises(CommandError, match="not UTF-8"):
        call_command("import_org", str(latin))
    with pytest.raises(CommandError):
        call_command("import_org", write(tmp_path, "name,city\nx,y\n", "wrong.csv"))
    assert "missing column(s): employee_number, email, regional_bank, branch_code" in (
        capsys.readouterr().err
    )
    assert Node.objects.filter(kind=NodeKind.BRANCH).count() == 0


def test_email_of_someone_else_is_refused(rb_a, tmp_path, capsys):
    call_command("import_org", write(tmp_path, GOOD))
    text = (
        HEADER + "M999,Autre,Personne,claire.martin@bank.example,C,advisor,RB-A,RB-A,,,,,,fr,,oui\n"
    )
    with pytest.raises(CommandError):
        call_command("import_org", write(tmp_path, text, "other.csv"))
    assert "belongs to another person" in capsys.readouterr().err
    assert not Employee.objects.filter(employee_number="M999").exists()


def test_dry_run_changes_nothing(rb_a, tmp_path, capsys):
    before = snapshot()
    call_command("import_org", write(tmp_path, GOOD), "--dry-run")
    assert "dry run, nothing saved" in capsys.readouterr().out
    assert snapshot() == before
