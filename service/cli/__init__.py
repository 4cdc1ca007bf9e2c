"""The `coproduce` command line: the same use cases as the API and the pages, and the operator's steps."""
