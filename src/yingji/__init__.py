"""Yingji (应急): integrated emergency management and rescue platform."""

__version__ = "0.1.0"
