"""The generic machinery every module reuses: type registry, API, pages, search, import and export."""
