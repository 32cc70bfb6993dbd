"""What the monitoring pages share: rendering with the labels, form errors, division codes from URLs."""

from __future__ import annotations

from yingji.core import clock
from yingji.monitoring.labels import Labels
from yingji.web import forms
from yingji.web.templating import pages

ML = Labels()


page = pages({"ml": ML}, fresh=lambda: {"now_utc": clock.now()})  # ml: the label helpers


form_errors = forms.form_errors
