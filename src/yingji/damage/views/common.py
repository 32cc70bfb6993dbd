"""What the damage pages share: rendering with the code tables at hand, form errors."""

from __future__ import annotations

from yingji.damage import indicators, labels
from yingji.web import forms
from yingji.web.templating import pages

page = pages({"di": indicators, "dl": labels, "label": labels.label})


error_texts = forms.error_texts


refused = forms.refused
