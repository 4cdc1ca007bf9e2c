"""Coproduce's service layer: the application, its store and its entry points."""
