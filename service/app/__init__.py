"""The application: use cases (commands and queries), the authorization table and the disclosure
policy. Every door (API, web pages, command line) goes through it; it knows no door."""
