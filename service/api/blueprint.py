"""flask-smorest's Blueprint, with its pagination header documented as what it really is."""

from flask_smorest import Blueprint as SmorestBlueprint

PAGINATION_HEADER = {
    "description": "Pagination as a JSON object in a string: total, total_pages, first_page, "
                   "last_page, page, previous_page, next_page.",
    "schema": {"type": "string"},
}


class Blueprint(SmorestBlueprint):
    def _document_pagination_metadata(self, spec, resp_doc):
        resp_doc.setdefault("headers", {})[self.PAGINATION_HEADER_NAME] = PAGINATION_HEADER
