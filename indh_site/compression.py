"""Gzip for the text answers (HTML, JSON, CSV) when the client accepts it; see settings.COMPRESS_RESPONSES.

Django's GZipMiddleware, which pads each answer with random bytes against BREACH, limited to text:
an XLSX is a zip archive already, and the static files come compressed from WhiteNoise.
"""

from django.middleware.gzip import GZipMiddleware

COMPRESSIBLE_TYPES = frozenset(
    {"text/html", "text/plain", "text/csv", "application/json", "application/problem+json"}
)


class TextGZipMiddleware(GZipMiddleware):
    def process_response(self, request, response):
        content_type = response.get("Content-Type", "").split(";", 1)[0].strip().lower()
        if content_type not in COMPRESSIBLE_TYPES:
            return response
        return super().process_response(request, response)
