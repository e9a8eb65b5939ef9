"""Cabildo's default theme: templates, static files and translations, read as package data
(importlib.resources). In the wheel it is cabildo.theme."""
