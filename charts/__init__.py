"""Plotly figure builders: pure functions, data in, ``plotly.graph_objects.Figure`` out.

Charts draw numbers the core (``losses``) computed; they never re-implement a formula.
"""
