import gc
import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
django.setup(set_prefix=False)

from django.urls import get_resolver  # noqa: E402 — after the apps are loaded

from tandem.core.wsgi import TandemWSGIHandler  # noqa: E402

application = TandemWSGIHandler()
# Import every URL module now rather than during a worker's first request.
get_resolver().url_patterns  # noqa: B018
# Django, the apps and their models live as long as the worker: keep them out of the cyclic
# garbage collector's full passes, which otherwise walk them every few requests (~60 ms each).
gc.freeze()
