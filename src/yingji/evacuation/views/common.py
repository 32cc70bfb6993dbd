"""What the evacuation pages share: rendering with the labels at hand, form errors."""

from __future__ import annotations

from yingji.core import clock
from yingji.evacuation.labels import EL
from yingji.web import forms
from yingji.web.templating import pages

page = pages({"el": EL}, fresh=lambda: {"now_utc": clock.now()})  # el: the labels


form_errors = forms.form_errors
