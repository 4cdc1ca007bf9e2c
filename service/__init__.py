"""Coproduce's service layer: the application, its store and its entry points."""


def create_app(config=None):
    """The Flask application (see service.bootstrap.create_app)."""
    from service.bootstrap import create_app as factory

    return factory(config)
