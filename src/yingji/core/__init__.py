"""Platform core: organisation tree, users and roles, permissions, audit log, API plumbing, base UI."""
