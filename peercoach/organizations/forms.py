from __future__ import annotations

from typing import Any

from django import forms

from peercoach.organizations import selectors
from peercoach.organizations.models import SMALLEST_REPORTING_SIZE, Organization
from peercoach.organizations.services import LARGEST_REPORTING_SIZE
from peercoach.people.models import Person
from peercoach.people.selectors import department_names
from peercoach.surveys.selectors import FREE_TEXT_MINIMUM


class RolesForm(forms.Form):
    """The roles an admin grants; being a participant comes from the directory link."""

    is_program_manager = forms.BooleanField(required=False, label="Program manager")
    is_sponsor = forms.BooleanField(required=False, label="Executive sponsor")
    is_organization_admin = forms.BooleanField(required=False, label="Organization admin")


class InvitationForm(RolesForm):
    # Validated against every person who could be invited; the page only lists a few at a time.
    person = forms.ModelChoiceField(
        queryset=Person.all_organizations.none(),
        label="Person",
        error_messages={
            "required": "Choose the person to invite.",
            "invalid_choice": (
                "That person can't be invited: they may have left or already have an account."
            ),
        },
    )
    field_order = ["person", "is_program_manager", "is_sponsor", "is_organization_admin"]

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["person"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = selectors.invite_candidates(organization=organization)


class DepartmentInvitationForm(forms.Form):
    department = forms.ChoiceField(
        label="Department",
        error_messages={
            "required": "Choose a department.",
            "invalid_choice": "That department isn't in the directory.",
        },
    )

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["department"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Choose a department")] + [
            (name, name) for name in department_names(organization=organization)
        ]


class ReportingSizeForm(forms.Form):
    minimum_reporting_size = forms.IntegerField(
        label="Smallest group a figure may describe",
        min_value=SMALLEST_REPORTING_SIZE,
        max_value=LARGEST_REPORTING_SIZE,
        help_text=(
            f"Between {SMALLEST_REPORTING_SIZE} and {LARGEST_REPORTING_SIZE} people. Figures about "
            "fewer people are withheld everywhere; written comments need at least "
            f"{FREE_TEXT_MINIMUM} people or this number, whichever is larger."
        ),
        error_messages={
            "required": "Enter a number of people.",
            "invalid": "Enter a whole number of people, such as 5.",
            "min_value": f"It can't be below {SMALLEST_REPORTING_SIZE}: smaller groups could "
            "point at someone.",
            "max_value": f"It can't be above {LARGEST_REPORTING_SIZE}.",
        },
    )
