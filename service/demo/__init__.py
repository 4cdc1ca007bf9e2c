"""Demo data: five hubs, their people and sessions, and issues at every stage, told through the use cases."""
