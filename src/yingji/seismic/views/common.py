"""What the seismic pages share: rendering with the code tables (form errors and savepoints are
``web.forms``)."""

from __future__ import annotations

from yingji.seismic import codes
from yingji.web.templating import pages

page = pages({"sc": codes})
