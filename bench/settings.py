"""Production settings for the bench, with one deviation (reported in the results).

`collectstatic` with the production CompressedManifestStaticFilesStorage currently fails
(vendor/leaflet/leaflet.js references leaflet.js.map, which is not shipped), so the bench
collects with WhiteNoise's CompressedStaticFilesStorage (compression, no hashed names).
Everything else is chapterhouse.config.settings as read from the environment.
"""

from chapterhouse.config.settings import *  # noqa: F403
from chapterhouse.config.settings import STORAGES

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
