"""Coproduce's service layer: the application, its store and its entry points."""


def create_app(config=None):
    """The Flask application (see service.http.create_app)."""
    from service.http import create_app as factory

    return factory(config)
