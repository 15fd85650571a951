"""Pure domain logic: no Django, no HTTP, no database. Dataclasses in, results out."""
