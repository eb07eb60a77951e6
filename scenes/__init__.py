"""Scenes: the data each explorer page shows, generated deterministically, and its URL form. numpy only."""
