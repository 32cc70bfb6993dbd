"""What the readiness pages share: rendering with the code tables at hand, form errors."""

from __future__ import annotations

from yingji.readiness import codes
from yingji.web import forms
from yingji.web.templating import pages

page = pages({"rc": codes})


error_texts = forms.error_texts


refused = forms.refused
