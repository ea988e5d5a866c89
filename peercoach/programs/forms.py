from __future__ import annotations

import zoneinfo
from functools import cache
from typing import Any

from django import forms

from peercoach.organizations.models import Membership, Organization
from peercoach.people.models import Person
from peercoach.people.selectors import department_names
from peercoach.programs import selectors
from peercoach.programs.models import (
    MAX_GROUP_SIZE,
    MIN_GROUP_SIZE,
    EnrollmentSource,
    Program,
    ProgramStatus,
)
from peercoach.programs.services import (
    MAX_ITEM_LENGTH,
    MAX_LIST_ITEMS,
    MAX_REASON_LENGTH,
    PROGRAM_STATUS_NEXT,
    STARTING_STATUSES,
    EnrollmentProfile,
    ProgramDetails,
)


class DateInput(forms.DateInput):
    input_type = "date"


class MembershipChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return _member_label(obj)


class MembershipMultipleChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return _member_label(obj)


def _member_label(membership: Membership) -> str:
    user = membership.user
    return f"{user.get_full_name()} ({user.email})" if user.get_full_name() else user.email


# How long people have to answer, and when quiet pairs hear from us: (label, default, most).
FOLLOW_UP_FIELDS: dict[str, tuple[str, int, int]] = {
    "proposal_expiry_days": ("Days to answer a proposed match", 7, 60),
    "request_expiry_days": ("Days to answer a request from a colleague", 7, 60),
    "open_requests_limit": ("Requests a person may have waiting at once", 3, 20),
    "nudge_after_days": ("Send a gentle reminder when a pair hasn't met for (days)", 21, 365),
    "rematch_after_days": ("Offer a new match when a pair hasn't met for (days)", 42, 365),
}


def _follow_up_field(label: str, default: int, most: int) -> forms.IntegerField:
    return forms.IntegerField(
        min_value=1, max_value=most, required=False, initial=default, label=label
    )


# Fieldsets of the program form, in order: (legend, field names).
PROGRAM_FIELDSETS: list[tuple[str, list[str]]] = [
    ("About the program", ["name", "purpose", "description", "is_pilot", "status"]),
    ("How people meet", ["format", "group_size_min", "group_size_max", "meeting_minutes"]),
    ("Schedule", ["starts_on", "ends_on", "cadence_interval", "cadence_unit"]),
    ("People", ["sponsor", "facilitators", "capacity"]),
    ("Ground rules", ["ground_rules"]),
    (
        "Who can join",
        ["enrollment_modes", "auto_enroll_new_staff", "auto_enroll_joined_within_days"],
    ),
    (
        "Matching",
        ["matching_mode", "allows_several_pairings", "repeat_window_days", "minimum_shared_hours"],
    ),
    ("Answers and follow-up", list(FOLLOW_UP_FIELDS)),
]


class ProgramForm(forms.ModelForm):  # type: ignore[type-arg]
    enrollment_modes = forms.MultipleChoiceField(
        choices=EnrollmentSource.choices,
        widget=forms.CheckboxSelectMultiple,
        label="Ways to join",
        help_text=(
            "Open: people join on their own. Nomination: a colleague suggests someone, who then "
            "decides. Assigned: you add people, who may opt out."
        ),
        error_messages={"required": "Choose at least one way for people to join."},
    )
    sponsor = MembershipChoiceField(
        queryset=Membership.all_organizations.none(),
        label="Executive sponsor",
        empty_label="Choose the sponsor",
        error_messages={
            "required": "Choose the program's executive sponsor.",
            "invalid_choice": "Choose someone who holds the executive sponsor role.",
        },
    )
    group_size_min = forms.IntegerField(
        min_value=MIN_GROUP_SIZE,
        max_value=MAX_GROUP_SIZE,
        initial=5,
        label="Smallest group",
        help_text="Only used for groups and FeedForward circles.",
    )
    group_size_max = forms.IntegerField(
        min_value=MIN_GROUP_SIZE, max_value=MAX_GROUP_SIZE, initial=7, label="Largest group"
    )
    meeting_minutes = forms.IntegerField(
        min_value=15, max_value=480, initial=60, label="Meeting length in minutes"
    )
    cadence_interval = forms.IntegerField(min_value=1, max_value=52, initial=2, label="Meet every")
    facilitators = MembershipMultipleChoiceField(
        queryset=Membership.all_organizations.none(),
        required=False,
        help_text="Optional. Useful for groups and circles.",
    )
    proposal_expiry_days = _follow_up_field(*FOLLOW_UP_FIELDS["proposal_expiry_days"])
    request_expiry_days = _follow_up_field(*FOLLOW_UP_FIELDS["request_expiry_days"])
    open_requests_limit = _follow_up_field(*FOLLOW_UP_FIELDS["open_requests_limit"])
    nudge_after_days = _follow_up_field(*FOLLOW_UP_FIELDS["nudge_after_days"])
    rematch_after_days = _follow_up_field(*FOLLOW_UP_FIELDS["rematch_after_days"])

    class Meta:
        model = Program
        fields = [
            "name",
            "purpose",
            "description",
            "format",
            "group_size_min",
            "group_size_max",
            "starts_on",
            "ends_on",
            "cadence_interval",
            "cadence_unit",
            "meeting_minutes",
            "sponsor",
            "facilitators",
            "ground_rules",
            "capacity",
            "is_pilot",
            "status",
            "auto_enroll_new_staff",
            "auto_enroll_joined_within_days",
            "allows_several_pairings",
            "repeat_window_days",
            "minimum_shared_hours",
            "matching_mode",
            *FOLLOW_UP_FIELDS,
        ]
        labels = {
            "description": "Purpose in your words",
            "starts_on": "Starts on",
            "ends_on": "Ends on",
            "cadence_unit": "Unit",
            "capacity": "Places",
            "is_pilot": "This is a pilot",
            "auto_enroll_new_staff": "Add new staff automatically",
            "auto_enroll_joined_within_days": "New staff means joined within the last (days)",
            "allows_several_pairings": "A person may be in several pairings at once",
            "repeat_window_days": "Don't pair the same people again within (days)",
            "minimum_shared_hours": "Shared working hours needed",
        }
        help_texts = {
            "description": "A sentence or two that tells people why this program exists.",
            "capacity": "Leave empty for no limit.",
            "ground_rules": "Shown to everyone before they join. Edit freely.",
            "minimum_shared_hours": "How many working hours two peers need in common.",
            "format": (
                "Rotation rounds pair everyone afresh on the meeting rhythm above. A round's "
                "pairings complete when the next round starts, so everyone can be paired again "
                "without allowing several pairings; each new match still needs everyone's yes."
            ),
        }
        error_messages = {
            "name": {"required": "Give the program a name."},
            "purpose": {"required": "Choose what the program is for."},
            "format": {"required": "Choose how people will meet."},
            "starts_on": {"required": "Choose the day the program starts."},
            "ends_on": {"required": "Choose the day the program ends."},
            "ground_rules": {"required": "Write the ground rules everyone agrees to."},
        }
        widgets = {
            "starts_on": DateInput,
            "ends_on": DateInput,
            "description": forms.Textarea(attrs={"rows": 3}),
            "ground_rules": forms.Textarea(attrs={"rows": 10}),
        }

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organization = organization
        sponsor = self.fields["sponsor"]
        facilitators = self.fields["facilitators"]
        assert isinstance(sponsor, forms.ModelChoiceField)
        assert isinstance(facilitators, forms.ModelMultipleChoiceField)
        sponsor.queryset = selectors.sponsor_candidates(organization=organization)
        if not sponsor.queryset.exists():
            sponsor.help_text = (
                "Nobody holds the executive sponsor role yet. An organization admin can grant it "
                "on Members & roles."
            )
        facilitators.queryset = selectors.facilitator_candidates(organization=organization)
        program: Program = self.instance
        current = program.status if program.pk else None
        allowed = PROGRAM_STATUS_NEXT[current] if current else STARTING_STATUSES
        status = self.fields["status"]
        assert isinstance(status, forms.ChoiceField)
        status.choices = [(v, label) for v, label in ProgramStatus.choices if v in allowed]
        if program.pk:
            self.initial["enrollment_modes"] = program.enrollment_modes
        else:
            self.initial.setdefault(
                "enrollment_modes", [EnrollmentSource.OPEN, EnrollmentSource.NOMINATION]
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on <= starts_on:
            self.add_error("ends_on", "The program must end after it starts.")
        smallest, largest = data.get("group_size_min"), data.get("group_size_max")
        if smallest and largest and smallest > largest:
            self.add_error(
                "group_size_max", "The largest group can't be smaller than the smallest."
            )
        return data

    def _post_clean(self) -> None:
        # The services validate and save; the model's own validation would repeat their checks
        # (and its check constraints) with less helpful messages.
        pass

    def details(self) -> ProgramDetails:
        data = self.cleaned_data
        modes = set(data["enrollment_modes"])
        follow_up: dict[str, Any] = {
            name: default if data.get(name) is None else data[name]
            for name, (_, default, _) in FOLLOW_UP_FIELDS.items()
        }
        return ProgramDetails(
            **{
                name: data[name]
                for name in self.Meta.fields
                if name != "facilitators" and name not in FOLLOW_UP_FIELDS
            },
            **follow_up,
            facilitators=list(data["facilitators"]),
            allows_open_enrollment=EnrollmentSource.OPEN in modes,
            allows_nomination=EnrollmentSource.NOMINATION in modes,
            allows_assignment=EnrollmentSource.ASSIGNED in modes,
        )


@cache
def timezone_choices() -> list[tuple[str, str]]:
    zones = sorted(zone for zone in zoneinfo.available_timezones() if "/" in zone or zone == "UTC")
    return [(zone, zone.replace("_", " ")) for zone in zones]


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _commas(text: str) -> list[str]:
    return [item.strip() for item in text.split(",") if item.strip()]


class JoinForm(forms.Form):
    goals = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        label="I want to get better at …",
        help_text=f"One per line, up to {MAX_LIST_ITEMS}. Only you see these.",
        error_messages={"required": "Tell us at least one thing you want to get better at."},
    )
    offers = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label="Topics I can share experience on",
        help_text="One per line. Optional, and it helps find you a good peer.",
    )
    working_hours_start = forms.IntegerField(
        min_value=0, max_value=23, label="My working hours start at (hour)"
    )
    working_hours_end = forms.IntegerField(min_value=1, max_value=24, label="and end at (hour)")
    timezone = forms.ChoiceField(
        label="Time zone",
        error_messages={
            "invalid_choice": "Choose a time zone from the list, such as Europe/Berlin."
        },
    )
    languages = forms.CharField(
        required=False,
        max_length=400,
        label="Languages I can coach in",
        help_text="Separated by commas, for example: English, German.",
    )
    agreed_to_ground_rules = forms.BooleanField(
        label="I have read the ground rules and agree to them",
        error_messages={
            "required": "Please read the ground rules and tick the box to agree to them."
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["timezone"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = timezone_choices()

    @classmethod
    def initial_from(cls, profile: EnrollmentProfile) -> dict[str, Any]:
        return {
            "goals": "\n".join(profile.goals),
            "offers": "\n".join(profile.offers),
            "working_hours_start": profile.working_hours_start,
            "working_hours_end": profile.working_hours_end,
            "timezone": profile.timezone,
            "languages": ", ".join(profile.languages),
        }

    def _clean_list(self, name: str, items: list[str]) -> list[str]:
        if len(items) > MAX_LIST_ITEMS:
            raise forms.ValidationError(f"Please keep it to {MAX_LIST_ITEMS} at most.")
        if any(len(item) > MAX_ITEM_LENGTH for item in items):
            raise forms.ValidationError(
                f"Each one should be short: {MAX_ITEM_LENGTH} characters at most."
            )
        return items

    def clean_goals(self) -> list[str]:
        goals = self._clean_list("goals", _lines(self.cleaned_data["goals"]))
        if not goals:
            raise forms.ValidationError("Tell us at least one thing you want to get better at.")
        return goals

    def clean_offers(self) -> list[str]:
        return self._clean_list("offers", _lines(self.cleaned_data["offers"]))

    def clean_languages(self) -> list[str]:
        return self._clean_list("languages", _commas(self.cleaned_data["languages"]))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("working_hours_start"), data.get("working_hours_end")
        if start is not None and end is not None and start >= end:
            self.add_error("working_hours_end", "Your working hours should end after they start.")
        return data

    def profile(self) -> EnrollmentProfile:
        data = self.cleaned_data
        return EnrollmentProfile(
            goals=data["goals"],
            offers=data["offers"],
            working_hours_start=data["working_hours_start"],
            working_hours_end=data["working_hours_end"],
            timezone=data["timezone"],
            languages=data["languages"],
        )


class NominationForm(forms.Form):
    nominee = forms.ModelChoiceField(
        queryset=Person.all_organizations.none(),
        label="Colleague",
        error_messages={
            "required": "Choose the colleague you'd like to nominate.",
            "invalid_choice": "That person isn't in the directory any more.",
        },
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=MAX_REASON_LENGTH,
        label="Why you thought of them",
        help_text="Only they will read this.",
        error_messages={"required": "Tell them in a sentence or two why you thought of them."},
    )

    def __init__(self, *args: Any, nominator: Person, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["nominee"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = selectors.nominee_candidates(nominator=nominator)


class PauseForm(forms.Form):
    until = forms.DateField(
        widget=DateInput,
        label="Pause until",
        error_messages={"required": "Choose the date you'd like to come back."},
    )


class AssignForm(forms.Form):
    joined_within_days = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=3650,
        label="Everyone who joined in the last (days)",
        help_text="Counted from when they were added to the directory.",
    )
    department = forms.ChoiceField(required=False, label="Everyone in the department")

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["department"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Any department")] + [
            (name, name) for name in department_names(organization=organization)
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("joined_within_days") is None
            and not data.get("department")
            and not self.errors
        ):
            raise forms.ValidationError("Choose who to add: recent joiners, a department, or both.")
        return data
