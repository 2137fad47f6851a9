"""Composition root: wires domains into the API, the CLI, the web pages and the worker."""
