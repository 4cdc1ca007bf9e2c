"""The migrations of our own tables (not the events, not the read models), run by `coproduce upgrade`."""
