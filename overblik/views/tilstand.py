"""Placeholder: filled in by the screens for this part."""

urlpatterns: list = []
