"""Slicing a list for flask-smorest's paginated responses."""


def page_of(items: list, pagination_parameters) -> list:
    """The requested page of `items`; also tells the pager how many there are in all."""
    pagination_parameters.item_count = len(items)
    start = pagination_parameters.first_item
    return items[start:start + pagination_parameters.page_size]
