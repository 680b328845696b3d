"""Slider views for the lessons: each is an Explorer (see base.py)."""
from .base import Explorer
