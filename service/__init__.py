"""Coproduce's service layer: the application, its store and its entry points."""


def create_app(config=None):
    """The Flask application (see service.http.factory.create_app)."""
    from service.http.factory import create_app as factory

    return factory(config)
