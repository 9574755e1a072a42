"""The probe: fixed cheap requests that settle, against the real service,
what the published references disagree on, and write a simulator profile."""
