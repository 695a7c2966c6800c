"""Service layer: warehouse to engine to result, shared by the CLI, the API and the report."""
