"""What the seismic pages share: rendering with the code tables, form errors, savepoints."""

from __future__ import annotations

from yingji.forces.views_common import form_errors, in_savepoint  # noqa: F401 (the shared helpers)
from yingji.seismic import codes
from yingji.web.templating import pages

page = pages({"sc": codes})
