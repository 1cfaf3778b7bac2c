"""The `kickoff` command: the composition root that wires the web app, the worker and the tools."""
