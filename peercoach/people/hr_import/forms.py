from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat

ACCEPTED_SUFFIXES = (".csv", ".xlsx", ".txt")


class UploadForm(forms.Form):
    file = forms.FileField(
        label="HR export",
        help_text="A CSV or Excel (.xlsx) file with one row per person and a header row.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )

    def clean_file(self) -> UploadedFile[bytes]:
        upload: UploadedFile[bytes] = self.cleaned_data["file"]
        name = (upload.name or "").lower()
        if not name.endswith(ACCEPTED_SUFFIXES):
            raise forms.ValidationError("Please upload a CSV or an Excel (.xlsx) file.")
        limit = settings.HR_IMPORT_MAX_BYTES
        if upload.size is not None and upload.size > limit:
            raise forms.ValidationError(
                f"This file is {filesizeformat(upload.size)}; the largest we accept is "
                f"{filesizeformat(limit)}."
            )
        return upload


class ConfirmForm(forms.Form):
    only_valid_rows = forms.BooleanField(required=False, label="Import only the valid rows")
