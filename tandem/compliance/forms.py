"""Forms of the compliance officer pages. They parse and validate input; services decide."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db import models
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tandem.compliance.models import WordingRule
from tandem.compliance.rules import EDITABLE_FIELDS
from tandem.compliance.selectors import AuditFilters
from tandem.organisation.models import Node

MAX_SAMPLE = 5000
MAX_AUDIT_DAYS = 366
DEFAULT_AUDIT_DAYS = 30


def _formfield(field: Any, **kwargs: Any) -> Any:
    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return field.formfield(**kwargs)


class RuleForm(forms.ModelForm[WordingRule]):
    class Meta:
        model = WordingRule
        fields = ("node", *EDITABLE_FIELDS)
        formfield_callback = _formfield
        widgets = {
            name: forms.Textarea(attrs={"rows": 4})
            for name in ("keywords", "context_keywords", "exceptions", "mention_text")
        } | {"explanation": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, nodes: QuerySet[Node], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        node_field = self.fields["node"]
        assert isinstance(node_field, forms.ModelChoiceField)
        node_field.queryset = nodes
        node_field.required = True
        node_field.empty_label = None

    def service_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in EDITABLE_FIELDS}


class BankChoiceField(forms.ModelChoiceField[Node]):
    def label_from_instance(self, obj: Node) -> str:
        return obj.name


class TestBoxForm(forms.Form):
    text = forms.CharField(label=_("Sample text"), max_length=MAX_SAMPLE, strip=False)
    regional_bank = BankChoiceField(label=_("Regional bank"), queryset=Node.objects.none())
    subject = forms.ChoiceField(
        label=_("Checked as"), choices=(("reply", _("a reply")), ("post", _("a post")))
    )
    public = forms.BooleanField(label=_("Public"), required=False)

    def __init__(self, *args: Any, banks: QuerySet[Node], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["regional_bank"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = banks
        field.empty_label = None
        field.initial = banks.values_list("pk", flat=True).first()


class BankFilterForm(forms.Form):
    regional_bank = BankChoiceField(
        label=_("Regional bank"),
        queryset=Node.objects.none(),
        required=False,
        empty_label=_("All my regional banks"),
    )

    def __init__(self, *args: Any, banks: QuerySet[Node], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["regional_bank"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = banks

    def regional_bank_ids(self) -> tuple[int, ...] | None:
        if not self.is_valid() or self.cleaned_data.get("regional_bank") is None:
            return None
        return (self.cleaned_data["regional_bank"].pk,)


class AuditFilterForm(BankFilterForm):
    date_from = forms.DateField(label=_("From"), required=False)
    date_to = forms.DateField(label=_("To"), required=False)
    action = forms.CharField(label=_("Action starts with"), required=False, max_length=80)
    object_type = forms.CharField(label=_("Object type"), required=False, max_length=60)
    object_id = forms.CharField(label=_("Object id"), required=False, max_length=64)
    actor = forms.CharField(
        label=_("By"),
        required=False,
        max_length=254,
        help_text=_("An e-mail address, or 'system'."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        # ISO strings: rendered as they are in <input type="date"> and the export's hidden fields.
        self.fields["date_to"].initial = today.isoformat()
        self.fields["date_from"].initial = (
            today - dt.timedelta(days=DEFAULT_AUDIT_DAYS)
        ).isoformat()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        today = timezone.localdate()
        date_to = cleaned.get("date_to") or today
        date_from = cleaned.get("date_from") or date_to - dt.timedelta(days=DEFAULT_AUDIT_DAYS)
        if date_from > date_to:
            raise forms.ValidationError(_("The period ends before it starts."))
        if (date_to - date_from).days > MAX_AUDIT_DAYS:
            raise forms.ValidationError(_("Choose a period of at most one year."))
        cleaned["date_from"], cleaned["date_to"] = date_from, date_to
        return cleaned

    def filters(self) -> AuditFilters:
        """The filters (the default period when the form is empty or invalid)."""
        if not self.is_valid():
            today = timezone.localdate()
            return AuditFilters(
                date_from=today - dt.timedelta(days=DEFAULT_AUDIT_DAYS),
                date_to=today,
                regional_bank_ids=None,
            )
        data = self.cleaned_data
        return AuditFilters(
            date_from=data["date_from"],
            date_to=data["date_to"],
            regional_bank_ids=self.regional_bank_ids(),
            action_prefix=data.get("action", ""),
            object_type=data.get("object_type", ""),
            object_id=data.get("object_id", ""),
            actor=data.get("actor", ""),
        )
